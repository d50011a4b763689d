// `htaf export` for tabular runs (htaf train --out DIR): best.safetensors becomes one .htafb file the
// dependency-free runtime (src/runtime) runs. The hidden activations become exact steps, 1 bit each;
// the Linear after a step is stored transposed ([in, out]) so the runtime adds the rows of the set bits
// instead of multiplying. The fitted preprocessing travels in the metadata, so `htaf predict` can
// score new CSV rows as the run scored its own. Format and graph: docs/runtime.md.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tidy } from '../core/scope.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { TabularMlp } from '../models/mlp.js';
import type { RuntimeGraph } from '../runtime/index.js';
import type { RunConfig } from '../train/types.js';
import { GraphBuilder, inferenceActivation } from './graph_builder.js';

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

/** Exports the tabular run in `runDir` to `out` (default <runDir>/model.htafb). */
export function exportTabularRun(runDir: string, out = join(runDir, 'model.htafb')): ExportResult {
  const where = `htaf export --run '${runDir}'`;
  const best = join(runDir, 'best.safetensors');
  if (!existsSync(best)) throw new Error(`${where}: no best.safetensors there (a run of htaf train --out DIR, or htaf images/icbm train, is expected)`);
  return tidy(() => {
    const ck = loadCheckpoint<unknown, TabularBestMeta>(best);
    const meta = ck.meta;
    if (!meta || !meta.config || !Array.isArray(meta.config.hidden) || typeof meta.features !== 'number' || !meta.preprocessor) {
      throw new Error(`${where}: ${best} is not a tabular run's model (htaf train)`);
    }
    const { config } = meta;
    const outputs = config.task === 'multiclass' ? meta.classes : 1;
    const model = new TabularMlp(meta.features, config.hidden, outputs, config.method);
    try {
      model.loadStateDict(ck.model ?? new Map());
    } catch (err) {
      throw new Error(`${where}: ${best}: ${(err as Error).message}`);
    }
    const b = new GraphBuilder();
    let x = 'input';
    let bits = false;
    model.linears.forEach((linear, i) => {
      const name = `layers.${2 * i}`;
      x = b.linear(name, x, bits, linear);
      const act = model.activations[i];
      if (!act) return;
      const kind = inferenceActivation(act, `${where}: layers.${2 * i + 1}`);
      if (kind === 'sign') throw new Error(`${where}: the activation ${config.method} is a sign (±1) form; the runtime's tabular graph takes 0/1 steps`);
      x = kind === 'step' ? b.step(`layers.${2 * i + 1}`, x, linear.outFeatures, false) : b.node({ op: 'relu', name: `layers.${2 * i + 1}`, inputs: [x] });
      bits = kind === 'step';
    });
    let classNames: string[] | undefined;
    const resultFile = join(runDir, 'result.json');
    if (existsSync(resultFile)) {
      try {
        const names = JSON.parse(readFileSync(resultFile, 'utf8'))?.data?.classes;
        if (Array.isArray(names) && names.every((c) => typeof c === 'string')) classNames = names;
      } catch { /* the class names are optional */ }
    }
    const graph = b.write(out, { kind: 'mlp', input: [meta.features], outputs, task: config.task, ...(classNames ? { classes: classNames } : {}), output: x }, {
      preprocessor: JSON.stringify(meta.preprocessor), source: JSON.stringify({ run: runDir, epoch: meta.epoch, method: config.method }),
    });
    model.dispose();
    return { out, graph, checkpointBytes: statSync(best).size, bytes: statSync(out).size };
  });
}
