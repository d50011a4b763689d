// SequentialLR (torch.optim.lr_scheduler.SequentialLR): runs schedulers one after another, switching at
// the milestones; each one restarts from its epoch 0 at its milestone (PyTorch's scheduler.step(0)).
import { showValue } from '../../core/show.js';
import { checkPositiveInteger, isPlainObject } from '../checks.js';
import { LRScheduler, readOptions, type LRSchedulerStateDict, type SchedulableOptimizer } from '../lr_scheduler.js';
import { countReached } from './multi_step_lr.js';

export type SequentialLROptions = { schedulers: LRScheduler[]; milestones: number[] };
type SequentialLRConfig = { milestones: number[] };

/**
 * @example // 5 warm-up steps, then cosine over 95
 * const sched = new SequentialLR(opt, {
 *   schedulers: [new LinearLR(opt, { startFactor: 0.1, totalIters: 5 }), new CosineAnnealingLR(opt, { tMax: 95 })],
 *   milestones: [5],
 * });
 * Step only the SequentialLR; it steps its parts.
 */
export class SequentialLR extends LRScheduler<SequentialLRConfig> {
  readonly schedulers: readonly LRScheduler[];

  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    const o = readOptions('SequentialLR', options, { schedulers: undefined as unknown as LRScheduler[], milestones: undefined as unknown as number[] });
    if (!Array.isArray(o.schedulers) || o.schedulers.length === 0 || !o.schedulers.every((s) => s instanceof LRScheduler)) {
      throw new Error(`SequentialLR: schedulers must be a non-empty array of LR schedulers, got ${showValue(o.schedulers)}`);
    }
    o.schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer) throw new Error(`SequentialLR: schedulers[${i}] belongs to another optimizer; all must share the one given`);
    });
    if (!Array.isArray(o.milestones) || o.milestones.length !== o.schedulers.length - 1) {
      throw new Error(`SequentialLR: milestones must be an array of ${o.schedulers.length - 1} integers (one fewer than the ${o.schedulers.length} schedulers), got ${showValue(o.milestones)}`);
    }
    super('SequentialLR', optimizer, { milestones: o.milestones });
    this.schedulers = [...o.schedulers];
    this.initialStep();
  }

  protected checkConfig(c: SequentialLRConfig, owner: string): void {
    c.milestones.forEach((m, i) => {
      checkPositiveInteger(owner, `milestones[${i}]`, m);
      if (i > 0 && m <= c.milestones[i - 1]) throw new Error(`${owner}: milestones must increase, got ${showValue(c.milestones)}`);
    });
  }

  protected lrsAt(epoch: number): number[] {
    const { milestones } = this.config;
    const idx = countReached(milestones, epoch);
    const part = this.schedulers[idx];
    part.step(idx === 0 ? epoch : epoch - milestones[idx - 1]);
    return part.getLastLr();
  }

  stateDict(): LRSchedulerStateDict {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(stateDict: LRSchedulerStateDict): void {
    const owner = 'SequentialLR: loadStateDict';
    if (!isPlainObject(stateDict)) throw new Error(`${owner}: expected an object as stateDict() returns, got ${showValue(stateDict)}`);
    const { schedulers, ...own } = stateDict;
    if (!Array.isArray(schedulers) || schedulers.length !== this.schedulers.length) {
      throw new Error(`${owner}: schedulers must be an array of ${this.schedulers.length} state dicts, got ${showValue(schedulers)}`);
    }
    // All or nothing: put the parts back as they were if any part (or this) fails to load.
    const before = this.schedulers.map((s) => s.stateDict());
    const lrsBefore = this.optimizer.paramGroups.map((g) => g.lr);
    try {
      this.schedulers.forEach((s, i) => s.loadStateDict(schedulers[i] as LRSchedulerStateDict));
      super.loadStateDict(own as LRSchedulerStateDict);
    } catch (err) {
      this.schedulers.forEach((s, i) => s.loadStateDict(before[i]));
      this.optimizer.paramGroups.forEach((g, i) => {
        g.lr = lrsBefore[i];
      });
      throw err;
    }
  }
}
