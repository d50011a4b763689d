// CosineAnnealingLR (torch.optim.lr_scheduler.CosineAnnealingLR), in its closed form
// lr = etaMin + (baseLr − etaMin)·(1 + cos(π·epoch / tMax)) / 2, which PyTorch's recursive update follows
// exactly (beyond tMax it rises again with period 2·tMax, as PyTorch's does; SGDR restarts are not this).
import { checkNonNegative, checkPositiveInteger } from '../checks.js';
import { ClosedFormLR, readOptions, type SchedulableOptimizer } from '../lr_scheduler.js';

export type CosineAnnealingLROptions = { tMax: number; etaMin?: number };
type CosineAnnealingLRConfig = { tMax: number; etaMin: number };

/**
 * Anneals the lr from its base value to etaMin (default 0) over tMax steps along half a cosine.
 * @example const sched = new CosineAnnealingLR(opt, { tMax: epochs });
 */
export class CosineAnnealingLR extends ClosedFormLR<CosineAnnealingLRConfig> {
  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer, readOptions('CosineAnnealingLR', options, { tMax: undefined as unknown as number, etaMin: 0 }));
    this.initialStep();
  }

  protected checkConfig(c: CosineAnnealingLRConfig, owner: string): void {
    checkPositiveInteger(owner, 'tMax', c.tMax);
    checkNonNegative(owner, 'etaMin', c.etaMin);
  }

  protected lrAt(baseLr: number, epoch: number): number {
    const { tMax, etaMin } = this.config;
    return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2;
  }
}
