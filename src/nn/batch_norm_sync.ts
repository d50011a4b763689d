// Batch norm in training with statistics over every rank (PyTorch's SyncBatchNorm): each rank sums x and
// x² per channel and counts its elements, `reduce` sums those across ranks (and, in backward, their
// gradients), and every rank normalizes with the global mean and biased variance; the running statistics
// take the global mean and the unbiased variance, as batch_norm does. With one rank it is batch_norm.
import { noGrad } from '../autograd/grad_mode.js';
import { cat, ones } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';

/** Sums a [2C + 1] tensor across ranks, differentiably. */
export type StatsReducer = (local: Tensor) => Tensor;

interface BatchNormState {
  readonly numFeatures: number;
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
}

export function batchNormSynced(input: Tensor, bn: BatchNormState, momentum: number, reduce: StatsReducer): Tensor {
  const c = bn.numFeatures;
  const dims = [0, ...input.shape.slice(2).map((_, i) => i + 2)];
  const perChannel = [1, c, ...input.shape.slice(2).map(() => 1)];
  const count = input.shape.reduce((a, b) => a * b, 1) / c;
  const local = cat([input.sum(dims), input.square().sum(dims), ones([1], { dtype: input.dtype }).mul(count)]);
  const global = reduce(local);
  const n = global.narrow(0, 2 * c, 1);
  const mean = global.narrow(0, 0, c).div(n);
  const variance = global.narrow(0, c, c).div(n).sub(mean.square());
  let y = input.sub(mean.view(perChannel)).mul(variance.add(bn.eps).rsqrt().view(perChannel));
  if (bn.weight) y = y.mul(bn.weight.view(perChannel));
  if (bn.bias) y = y.add(bn.bias.view(perChannel));
  if (bn.runningMean && bn.runningVar) {
    noGrad(() => {
      const total = n.item() as number;
      const unbiased = variance.mul(total / Math.max(total - 1, 1));
      bn.runningMean!.mul_(1 - momentum).add_(mean.detach().mul(momentum));
      bn.runningVar!.mul_(1 - momentum).add_(unbiased.detach().mul(momentum));
    });
  }
  return y;
}
