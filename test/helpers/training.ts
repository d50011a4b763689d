// A short training run on one tiny fixed batch, and the check that its loss fell, shared by the model tests
// (Bi-Real Net, SEW-ResNet) so each of them says only which model and method it trains.
import assert from 'node:assert/strict';
import { Adam, crossEntropy, randn, tensor, tidy, type Module } from '../../src/index.js';

export interface TinyBatchRun {
  /** The loss of each step, in order. */
  losses: number[];
  /** Wall time of the steps, in milliseconds. */
  ms: number;
}

/**
 * Trains `model` with Adam (lr 0.01) for `steps` steps on one fixed batch: 16 images 1×10×10 drawn with
 * randn (so from libtorch's seed, after the model's own draws) and labels 0, 1, 2, 3 in turn.
 */
export function trainOnTinyBatch(model: Module, steps: number): TinyBatchRun {
  const x = randn([16, 1, 10, 10]).keep();
  const y = tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], { dtype: 'int64' }).keep();
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  const losses: number[] = [];
  const start = Date.now();
  try {
    for (let i = 0; i < steps; i++) {
      losses.push(
        tidy(() => {
          opt.zeroGrad();
          const loss = crossEntropy(model.call(x), y);
          loss.backward();
          opt.step();
          return loss.item() as number;
        }),
      );
    }
  } finally {
    x.dispose();
    y.dispose();
  }
  return { losses, ms: Date.now() - start };
}

/** Every loss finite, the last 3 steps' mean under half the first 3 steps' mean, and the run under 15 s. */
export function assertLossFell({ losses, ms }: TinyBatchRun, what: string): void {
  const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
  const last = losses.slice(-3).reduce((a, b) => a + b) / 3;
  assert.ok(losses.every(Number.isFinite));
  assert.ok(last < 0.5 * first, `${what}: loss ${first.toFixed(3)} → ${last.toFixed(3)} (${losses.map((l) => l.toFixed(2)).join(' ')})`);
  assert.ok(ms < 15000, `${what}: took ${ms} ms`);
}
