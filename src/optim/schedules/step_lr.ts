// StepLR (torch.optim.lr_scheduler.StepLR): lr = baseLr · gamma^⌊epoch / stepSize⌋.
import { checkNonNegative, checkPositiveInteger } from '../checks.js';
import { ClosedFormLR, readOptions, type SchedulableOptimizer } from '../lr_scheduler.js';

export type StepLROptions = { stepSize: number; gamma?: number };
type StepLRConfig = { stepSize: number; gamma: number };

/**
 * Multiplies the lr by gamma (default 0.1) every stepSize steps.
 * @example const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 }); // after each epoch: sched.step()
 */
export class StepLR extends ClosedFormLR<StepLRConfig> {
  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    super('StepLR', optimizer, readOptions('StepLR', options, { stepSize: undefined as unknown as number, gamma: 0.1 }));
    this.initialStep();
  }

  protected checkConfig(c: StepLRConfig, owner: string): void {
    checkPositiveInteger(owner, 'stepSize', c.stepSize);
    checkNonNegative(owner, 'gamma', c.gamma);
  }

  protected lrAt(baseLr: number, epoch: number): number {
    return baseLr * this.config.gamma ** Math.floor(epoch / this.config.stepSize);
  }
}
