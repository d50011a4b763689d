// LinearLR (torch.optim.lr_scheduler.LinearLR): the lr factor moves linearly from startFactor to
// endFactor over totalIters steps, then stays: lr = baseLr·(start + (end − start)·min(epoch, total)/total).
// With endFactor 1 it is a linear warm-up; LinearWarmup names that case.
import { showValue } from '../../core/show.js';
import { checkPositiveInteger } from '../checks.js';
import { ClosedFormLR, readOptions, type SchedulableOptimizer } from '../lr_scheduler.js';

export type LinearLROptions = { startFactor?: number; endFactor?: number; totalIters?: number };
type LinearLRConfig = { startFactor: number; endFactor: number; totalIters: number };

/**
 * PyTorch's defaults: startFactor 1/3, endFactor 1, totalIters 5.
 * @example const warmup = new LinearLR(opt, { startFactor: 0.01, totalIters: 500 });
 */
export class LinearLR extends ClosedFormLR<LinearLRConfig> {
  /** @param className internal: lets LinearWarmup speak under its own name */
  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}, className = 'LinearLR') {
    super(className, optimizer, readOptions(className, options, { startFactor: 1 / 3, endFactor: 1, totalIters: 5 }));
    this.initialStep();
  }

  protected checkConfig(c: LinearLRConfig, owner: string): void {
    // PyTorch's bounds: a start factor of 0 would make its recursive form divide by zero.
    if (typeof c.startFactor !== 'number' || !(c.startFactor > 0 && c.startFactor <= 1)) {
      throw new Error(`${owner}: startFactor must be a number in (0, 1], got ${showValue(c.startFactor)}`);
    }
    if (typeof c.endFactor !== 'number' || !(c.endFactor >= 0 && c.endFactor <= 1)) {
      throw new Error(`${owner}: endFactor must be a number in [0, 1], got ${showValue(c.endFactor)}`);
    }
    checkPositiveInteger(owner, 'totalIters', c.totalIters);
  }

  protected lrAt(baseLr: number, epoch: number): number {
    const { startFactor, endFactor, totalIters } = this.config;
    return baseLr * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, epoch)) / totalIters);
  }
}

export type LinearWarmupOptions = { warmupSteps: number; startFactor?: number };

/**
 * Linear warm-up from startFactor·lr (default 1/3, LinearLR's) to lr over warmupSteps steps, then
 * constant: LinearLR with endFactor 1. Its state dict is a LinearLR's, under the name LinearWarmup.
 * @example const sched = new LinearWarmup(opt, { warmupSteps: 1000, startFactor: 0.001 });
 */
export class LinearWarmup extends LinearLR {
  constructor(optimizer: SchedulableOptimizer, options: LinearWarmupOptions) {
    const o = readOptions('LinearWarmup', options, { warmupSteps: undefined as unknown as number, startFactor: 1 / 3 });
    checkPositiveInteger('LinearWarmup', 'warmupSteps', o.warmupSteps);
    super(optimizer, { startFactor: o.startFactor, endFactor: 1, totalIters: o.warmupSteps }, 'LinearWarmup');
  }
}
