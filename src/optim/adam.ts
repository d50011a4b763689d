// Adam (torch.optim.Adam, 1.13): weight decay as an L2 term added to the gradient.
import type { AdamHyperparameters, AdamOptions } from './adam_core.js';
import { AdamCore } from './adam_core.js';
import type { OptimizerParams } from './optimizer.js';

/**
 * Adam with PyTorch's defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0 (added to the
 * gradient), amsgrad false, maximize false.
 * @example const opt = new Adam(model.parameters(), { lr: 3e-4 });
 */
export class Adam extends AdamCore {
  constructor(params: OptimizerParams<AdamHyperparameters>, options: AdamOptions = {}) {
    super('Adam', params, options, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
  }

  protected get decoupledWeightDecay(): boolean {
    return false;
  }
}
