// `htaf export` for tabular runs (htaf train --out DIR): best.safetensors becomes one .htafb file the
// dependency-free runtime (src/runtime) runs. The hidden activations become exact steps, 1 bit each;
// the Linear after a step is stored transposed ([in, out]) so the runtime adds the rows of the set bits
// instead of multiplying. The fitted preprocessing travels in the metadata, so `htaf predict` can
// score new CSV rows as the run scored its own. Format and graph: docs/runtime.md.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tidy } from '../core/scope.js';
import { activationFactory, BinaryActivation } from '../activations/index.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { saveSafetensors } from '../io/safetensors.js';
import type { Tensor } from '../tensor/tensor.js';
import { HTAFB_FORMAT, HTAFB_VERSION, type LayerSpec, type RuntimeGraph } from '../runtime/index.js';
import type { RunConfig } from '../train/types.js';

interface TabularBestMeta {
  epoch: number;
  config: RunConfig;
  preprocessor: object;
  classes: number;
  features: number;
}

export interface ExportResult {
  out: string;
  graph: RuntimeGraph;
  /** Bytes of the run's best.safetensors and of the exported file. */
  checkpointBytes: number;
  bytes: number;
}

/** What the hidden activation of `method` is at inference: the exact step, a ReLU, or not exportable (an Error naming it). */
function inferenceOp(method: string, where: string): 'heaviside' | 'relu' {
  const m = activationFactory(method)();
  try {
    if (m instanceof BinaryActivation) {
      if (m.signed) throw new Error(`${where}: the activation ${method} is a sign (±1) form; the runtime's tabular graph takes 0/1 steps`);
      return 'heaviside';
    }
    if (method === 'relu') return 'relu';
    throw new Error(`${where}: the activation ${method} has no runtime op (exportable: binary activations, which run as exact steps, and relu)`);
  } finally {
    m.dispose();
  }
}

/** Exports the tabular run in `runDir` to `out` (default <runDir>/model.htafb). */
export function exportTabularRun(runDir: string, out = join(runDir, 'model.htafb')): ExportResult {
  const where = `htaf export --run '${runDir}'`;
  const best = join(runDir, 'best.safetensors');
  if (!existsSync(best)) throw new Error(`${where}: no best.safetensors there (a run of htaf train --out DIR, or htaf images/icbm train, is expected)`);
  return tidy(() => {
    const ck = loadCheckpoint<unknown, TabularBestMeta>(best);
    const meta = ck.meta;
    if (!meta || !meta.config || !Array.isArray(meta.config.hidden) || typeof meta.features !== 'number' || !meta.preprocessor) {
      throw new Error(`${where}: ${best} is not a tabular run's model (htaf train); image and ICBM runs are not exportable yet`);
    }
    const { config } = meta;
    const step = inferenceOp(config.method, where);
    const weights = ck.model ?? new Map<string, Tensor>();
    const get = (name: string): Tensor => {
      const t = weights.get(name);
      if (!t) throw new Error(`${where}: ${best} has no tensor '${name}'`);
      return t.toDtype('float32').contiguous();
    };
    const tensors = new Map<string, Tensor>();
    const layers: LayerSpec[] = [];
    const n = config.hidden.length + 1;
    for (let i = 0; i < n; i++) {
      const w = get(`layers.${2 * i}.weight`);
      tensors.set(`l${i}.bias`, get(`layers.${2 * i}.bias`));
      if (i > 0 && step === 'heaviside') {
        tensors.set(`l${i}.weightT`, w.t().contiguous());
        layers.push({ op: 'linear_bits', name: `layers.${2 * i}`, weightT: `l${i}.weightT`, bias: `l${i}.bias` });
      } else {
        tensors.set(`l${i}.weight`, w);
        layers.push({ op: 'linear', name: `layers.${2 * i}`, weight: `l${i}.weight`, bias: `l${i}.bias` });
      }
      if (i < n - 1) layers.push({ op: step, name: `layers.${2 * i + 1}` });
    }
    const outputs = config.task === 'multiclass' ? meta.classes : 1;
    let classNames: string[] | undefined;
    const resultFile = join(runDir, 'result.json');
    if (existsSync(resultFile)) {
      try {
        const names = JSON.parse(readFileSync(resultFile, 'utf8'))?.data?.classes;
        if (Array.isArray(names) && names.every((c) => typeof c === 'string')) classNames = names;
      } catch { /* the class names are optional */ }
    }
    const graph: RuntimeGraph = { kind: 'mlp', inputs: meta.features, outputs, task: config.task, ...(classNames ? { classes: classNames } : {}), layers };
    saveSafetensors(out, tensors, {
      format: HTAFB_FORMAT, version: String(HTAFB_VERSION), graph: JSON.stringify(graph), preprocessor: JSON.stringify(meta.preprocessor),
      source: JSON.stringify({ run: runDir, epoch: meta.epoch, method: config.method }),
    });
    return { out, graph, checkpointBytes: statSync(best).size, bytes: statSync(out).size };
  });
}
