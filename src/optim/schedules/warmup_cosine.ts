// The usual transformer-style schedule: linear warm-up, then cosine annealing to the end of training.
import { checkNonNegativeInteger, checkPositiveInteger } from '../checks.js';
import { readOptions, type LRScheduler, type SchedulableOptimizer } from '../lr_scheduler.js';
import { CosineAnnealingLR } from './cosine_annealing_lr.js';
import { LinearLR } from './linear_lr.js';
import { SequentialLR } from './sequential_lr.js';

export type WarmupCosineOptions = {
  /** Steps of linear warm-up from startFactor·lr to lr (0: cosine only). */
  warmupSteps: number;
  /** Steps in all: the lr reaches etaMin at this step. */
  totalSteps: number;
  /** Default 1/3, LinearLR's; must be > 0 (PyTorch's bound). */
  startFactor?: number;
  etaMin?: number;
};

/**
 * SequentialLR of LinearLR(startFactor → 1 over warmupSteps) and CosineAnnealingLR(tMax = totalSteps −
 * warmupSteps, etaMin), switching at warmupSteps — exactly what that PyTorch composition gives.
 * @example const sched = warmupCosine(opt, { warmupSteps: 500, totalSteps: 10_000, startFactor: 0.01 });
 *          // each step: opt.step(); sched.step();
 */
export function warmupCosine(optimizer: SchedulableOptimizer, options: WarmupCosineOptions): LRScheduler {
  const o = readOptions('warmupCosine', options, {
    warmupSteps: undefined as unknown as number,
    totalSteps: undefined as unknown as number,
    startFactor: 1 / 3,
    etaMin: 0,
  });
  checkNonNegativeInteger('warmupCosine', 'warmupSteps', o.warmupSteps);
  checkPositiveInteger('warmupCosine', 'totalSteps', o.totalSteps);
  if (o.totalSteps <= o.warmupSteps) {
    throw new Error(`warmupCosine: totalSteps must exceed warmupSteps (${o.warmupSteps}), got ${o.totalSteps}`);
  }
  const cosineSteps = o.totalSteps - o.warmupSteps;
  if (o.warmupSteps === 0) return new CosineAnnealingLR(optimizer, { tMax: cosineSteps, etaMin: o.etaMin });
  const warmup = new LinearLR(optimizer, { startFactor: o.startFactor, endFactor: 1, totalIters: o.warmupSteps });
  const cosine = new CosineAnnealingLR(optimizer, { tMax: cosineSteps, etaMin: o.etaMin });
  return new SequentialLR(optimizer, { schedulers: [warmup, cosine], milestones: [o.warmupSteps] });
}
