// MultiStepLR (torch.optim.lr_scheduler.MultiStepLR): lr = baseLr · gamma^(number of milestones <= epoch).
import { showValue } from '../../core/show.js';
import { checkNonNegative, checkNonNegativeInteger } from '../checks.js';
import { ClosedFormLR, readOptions, type SchedulableOptimizer } from '../lr_scheduler.js';

export type MultiStepLROptions = { milestones: number[]; gamma?: number };
type MultiStepLRConfig = { milestones: number[]; gamma: number };

/** How many of the sorted milestones are <= epoch (Python's bisect_right). */
export function countReached(sortedMilestones: readonly number[], epoch: number): number {
  let n = 0;
  while (n < sortedMilestones.length && sortedMilestones[n] <= epoch) n++;
  return n;
}

/**
 * Multiplies the lr by gamma (default 0.1) at each milestone; a milestone listed twice applies twice,
 * as PyTorch's Counter does.
 * @example const sched = new MultiStepLR(opt, { milestones: [60, 120, 160], gamma: 0.2 });
 */
export class MultiStepLR extends ClosedFormLR<MultiStepLRConfig> {
  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    super('MultiStepLR', optimizer, readOptions('MultiStepLR', options, { milestones: undefined as unknown as number[], gamma: 0.1 }));
    this.initialStep();
  }

  protected checkConfig(c: MultiStepLRConfig, owner: string): void {
    if (!Array.isArray(c.milestones)) throw new Error(`${owner}: milestones must be an array of integers >= 0, got ${showValue(c.milestones)}`);
    c.milestones.forEach((m, i) => checkNonNegativeInteger(owner, `milestones[${i}]`, m));
    checkNonNegative(owner, 'gamma', c.gamma);
  }

  protected lrAt(baseLr: number, epoch: number): number {
    // Kept as given (errors then point at the user's index); sorted here, a few numbers per step.
    const sorted = [...this.config.milestones].sort((a, b) => a - b);
    return baseLr * this.config.gamma ** countReached(sorted, epoch);
  }
}
