// AdamW (torch.optim.AdamW, 1.13): weight decay decoupled from the gradient, p ← p·(1 − lr·weightDecay).
import type { AdamHyperparameters, AdamOptions } from './adam_core.js';
import { AdamCore } from './adam_core.js';
import type { OptimizerParams } from './optimizer.js';

/**
 * AdamW with PyTorch's defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0.01 (decoupled),
 * amsgrad false, maximize false.
 * @example const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends AdamCore {
  constructor(params: OptimizerParams<AdamHyperparameters>, options: AdamOptions = {}) {
    super('AdamW', params, options, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false });
  }

  protected get decoupledWeightDecay(): boolean {
    return true;
  }
}
