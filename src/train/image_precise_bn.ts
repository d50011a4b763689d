// Batch-norm statistics re-estimated with the current weights ("precise BN", Wu & Johnson 2021; pycls's
// compute_precise_bn_stats). During training each BatchNorm keeps an exponential average (momentum 0.1)
// of batch statistics taken while the weights were still moving, so early in training the running
// statistics lag the network. Most networks barely notice; a spiking network does: its LIF neurons fire
// only above a threshold, so slightly stale statistics silence layer after layer, and an SNN that
// trains well with batch statistics predicts one class in eval mode (seen on Fashion-MNIST subsets:
// 10% test accuracy in eval mode, 31% with batch statistics, 33% after this).
//
// Here: with the weights fixed and no gradients, a few training batches go through the model with only
// its BatchNorm layers in training mode (dropout stays off), each batch's mean and variance are read
// back from the running-average update libtorch makes (batch = (new − (1 − m)·old) / m), and the running
// statistics become their plain average over the batches. Nothing else changes: not the weights, not
// num_batches_tracked, not any module's training flag.
import { BatchNorm1d, BatchNorm2d, Module } from '../nn/index.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tidy } from '../core/scope.js';
import type { ImageBatch } from '../data/images/index.js';

type BatchNorm = BatchNorm1d | BatchNorm2d;

/** The batch-norm layers whose running statistics an exponential average with momentum > 0 keeps. */
function averagedBatchNorms(model: Module): BatchNorm[] {
  return [...model.modules()].filter(
    (m): m is BatchNorm => (m instanceof BatchNorm1d || m instanceof BatchNorm2d) && m.runningMean !== null && m.runningVar !== null && typeof m.momentum === 'number' && m.momentum > 0,
  );
}

/**
 * Sets each BatchNorm's running mean and variance to the average of the batch statistics of up to
 * `maxBatches` batches (each batch disposed after use). Returns how many batches were used (0 when the
 * model has no such layer or there are no batches).
 */
export function recomputeBatchNormStats(model: Module, batches: Iterable<ImageBatch>, maxBatches: number): number {
  if (!Number.isInteger(maxBatches) || maxBatches < 0) throw new Error(`recomputeBatchNormStats: maxBatches must be an integer >= 0; got ${String(maxBatches)}`);
  const norms = averagedBatchNorms(model);
  if (norms.length === 0 || maxBatches === 0) return 0;
  const flags = [...model.modules()].map((m) => [m, m.training] as const);
  const tracked = norms.map((n) => (n.numBatchesTracked ? tidy(() => n.numBatchesTracked!.clone().keep()) : null));
  const original = norms.map((n) => tidy(() => ({ mean: n.runningMean!.clone().keep(), var: n.runningVar!.clone().keep() })));
  let done = false;
  const sums = norms.map((n) => tidy(() => ({ mean: n.runningMean!.zerosLike().toDtype('float64').keep(), var: n.runningVar!.zerosLike().toDtype('float64').keep() })));
  let used = 0;
  try {
    model.eval();
    for (const n of norms) n.training = true;
    const iterator = batches[Symbol.iterator]();
    while (used < maxBatches) {
      const next = iterator.next();
      if (next.done) break;
      const b = next.value;
      try {
        tidy(() =>
          noGrad(() => {
            const before = norms.map((n) => ({ mean: n.runningMean!.toDtype('float64'), var: n.runningVar!.toDtype('float64') }));
            model.call(b.x);
            norms.forEach((n, i) => {
              const m = n.momentum as number;
              const batchMean = n.runningMean!.toDtype('float64').sub(before[i].mean.mul(1 - m)).div(m);
              const batchVar = n.runningVar!.toDtype('float64').sub(before[i].var.mul(1 - m)).div(m);
              sums[i].mean.add_(batchMean);
              sums[i].var.add_(batchVar);
            });
          }),
        );
      } finally {
        b.x.dispose();
        b.y.dispose();
      }
      used++;
    }
    iterator.return?.();
    if (used > 0) {
      noGrad(() =>
        tidy(() => {
          norms.forEach((n, i) => {
            n.runningMean!.copy_(sums[i].mean.div(used));
            n.runningVar!.copy_(sums[i].var.div(used));
          });
        }),
      );
    }
    done = true;
    return used;
  } finally {
    // On an error the statistics are put back as they were (the forward passes changed them).
    if (!done) noGrad(() => norms.forEach((n, i) => (n.runningMean!.copy_(original[i].mean), n.runningVar!.copy_(original[i].var))));
    for (const o of original) {
      o.mean.dispose();
      o.var.dispose();
    }
    noGrad(() => norms.forEach((n, i) => tracked[i] && n.numBatchesTracked!.copy_(tracked[i]!)));
    for (const t of tracked) t?.dispose();
    for (const s of sums) {
      s.mean.dispose();
      s.var.dispose();
    }
    for (const [m, t] of flags) m.training = t;
  }
}

/** Whether a model has batch-norm layers this applies to. */
export function hasAveragedBatchNorm(model: Module): boolean {
  return averagedBatchNorms(model).length > 0;
}
