// The batches `htaf bench step` trains on: one random batch reused (the engine benchmark), or consecutive
// Fashion-MNIST training images (the data-parallel benchmark, bench/peer/ddp_step.py reads the same
// ones): batch k of rank r of W holds images k·B + r·B/W ... k·B + (r+1)·B/W - 1 (mod 60,000), scaled to
// [0, 1] and normalized with the dataset's mean and standard deviation, so W ranks together see batch k
// of one process.
import { loadFashionMnist } from '../data/images/fashion_mnist.js';
import { randint, randn } from '../tensor/functions.generated.js';
import { fromTypedArray } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';

export const STEP_DATA = ['random', 'fashion-mnist'] as const;
export type StepData = (typeof STEP_DATA)[number];

/** Fashion-MNIST's training mean and standard deviation (pixels in [0, 1]); bench/peer/ddp_step.py uses the same. */
const MEAN = 0.286;
const STD = 0.353;

export interface StepBatch {
  x: Tensor;
  y: Tensor;
}

/**
 * `count` batches of `rows` rows each for one rank (`shard`: rank and world size; global batch = rows ×
 * world size). Random data: one batch, reused. The tensors are kept (the caller disposes them).
 */
export function stepBatches(model: 'mlp' | 'cnn' | 'wrn' | 'sew', data: StepData, rows: number, count: number, shard = { rank: 0, worldSize: 1 }): StepBatch[] {
  if (data === 'random') {
    const x = (model === 'mlp' ? randn([rows, 45]) : randn([rows, 1, 28, 28])).keep();
    const y = (model === 'mlp' ? randn([rows, 1]) : randint(0, 10, [rows])).keep();
    return [{ x, y }];
  }
  if (model === 'mlp') throw new Error("bench step: --data fashion-mnist needs an image model (--model cnn, wrn or sew)");
  const { train } = loadFashionMnist();
  const n = train.labels.length;
  const pixels = train.height * train.width;
  const global = rows * shard.worldSize;
  return Array.from({ length: count }, (_, k) => {
    const xs = new Float32Array(rows * pixels);
    const ys = new BigInt64Array(rows);
    for (let i = 0; i < rows; i++) {
      const image = (k * global + shard.rank * rows + i) % n;
      for (let p = 0; p < pixels; p++) xs[i * pixels + p] = (train.images[image * pixels + p] / 255 - MEAN) / STD;
      ys[i] = BigInt(train.labels[image]);
    }
    return { x: fromTypedArray(xs, [rows, 1, train.height, train.width]).keep(), y: fromTypedArray(ys).keep() };
  });
}
