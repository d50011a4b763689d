// The reference every engine of the runtime is held to: the run's own model, rebuilt from its
// best.safetensors, in htaf's exact mode (libtorch, float32; every binary activation the exact step).
// The equivalence tests and `htaf bench infer --engine libtorch` run it on the same inputs as the runtime.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tidy } from '../core/scope.js';
import { noGrad } from '../autograd/grad_mode.js';
import { withStepMode } from '../activations/index.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { TabularMlp } from '../models/mlp.js';
import { Icbm } from '../models/icbm.js';
import type { Module } from '../nn/index.js';
import { fromTypedArray } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadImageModel } from '../train/image_trainer.js';
import { icbmFactory } from '../train/icbm_train.js';
import type { RunConfig } from '../train/types.js';
import { imageRunFiles } from './image.js';
import { runKind } from './run.js';

export interface ExactReference {
  /** Logits [rows, outputs] (and the ICBM's concept bits [rows, M]) for inputs laid out as the runtime takes them. */
  run(x: Float32Array, rows: number): { logits: Float32Array; concepts?: Float32Array };
  dispose(): void;
}

/** The exact-mode model of the run in `runDir`; `input` is one example's shape ([F] or [C, H, W]). */
export function exactReference(runDir: string, input: number[]): ExactReference {
  const files = runKind(runDir) === 'tabular' ? undefined : imageRunFiles(runDir);
  let model: Module;
  if (files) {
    const create = files.icbm ? icbmFactory(files.icbm.concepts, files.icbm.method, files.icbm.conceptLayer as never) : undefined;
    model = loadImageModel(files.best, create).model;
  } else {
    const best = join(runDir, 'best.safetensors');
    if (!existsSync(best)) throw new Error(`exactReference: no best.safetensors in ${runDir}`);
    model = tidy(() => {
      const ck = loadCheckpoint<unknown, { config: RunConfig; features: number; classes: number }>(best);
      const { config, features, classes } = ck.meta!;
      const m = new TabularMlp(features, config.hidden, config.task === 'multiclass' ? classes : 1, config.method);
      m.loadStateDict(ck.model!);
      return m;
    });
  }
  model.eval();
  return {
    run(x, rows) {
      return tidy(() => noGrad(() => withStepMode(model, 'exact', () => {
        const t = fromTypedArray(x, [rows, ...input]);
        const read = (y: Tensor) => y.contiguous().toTypedArray() as Float32Array;
        if (model instanceof Icbm) {
          const c = model.concepts(t);
          return { logits: read(model.head.call(c)), concepts: read(c) };
        }
        return { logits: read(model.call(t)) };
      })));
    },
    dispose: () => model.dispose(),
  };
}
