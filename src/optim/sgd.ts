// SGD with momentum, dampening, Nesterov momentum, weight decay and maximize: torch.optim.SGD (1.13).
// The update itself is native (htaf::sgdStep), op for op PyTorch's single-tensor implementation.
import { N } from '../core/native.js';
import type { NativeHandle } from '../core/types.js';
import { Tensor } from '../tensor/tensor.js';
import { showValue } from '../core/show.js';
import { checkBoolean, checkFinite, checkLr, checkNonNegative } from './checks.js';
import { Optimizer, type OptimizerParams, type ParamGroup, type ParamState } from './optimizer.js';

export type SGDHyperparameters = {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
};

/** Options of SGD; lr has no default (as in PyTorch 1.13): give it here or in every param group. */
export type SGDOptions = Partial<SGDHyperparameters>;

/** momentumBuffer exists once a step with momentum > 0 ran (PyTorch's `momentum_buffer`). */
export type SGDState = { momentumBuffer?: Tensor };

/**
 * Stochastic gradient descent (PyTorch's torch.optim.SGD):
 * `d = g + weightDecay·p; buf = momentum·buf + (1 − dampening)·d; p −= lr·(nesterov ? d + momentum·buf : buf)`.
 * @example const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer<SGDHyperparameters, SGDState> {
  constructor(params: OptimizerParams<SGDHyperparameters>, options: SGDOptions = {}) {
    super('SGD', params, options, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
  }

  protected checkGroup(g: SGDHyperparameters, owner: string): void {
    checkLr(owner, g.lr);
    checkNonNegative(owner, 'momentum', g.momentum);
    checkFinite(owner, 'dampening', g.dampening);
    checkNonNegative(owner, 'weightDecay', g.weightDecay);
    checkBoolean(owner, 'nesterov', g.nesterov);
    checkBoolean(owner, 'maximize', g.maximize);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new Error(`${owner}: nesterov needs momentum > 0 and dampening 0, got momentum ${showValue(g.momentum)} and dampening ${showValue(g.dampening)}`);
    }
  }

  protected checkState(entry: ParamState, param: Tensor, owner: string): void {
    super.checkState(entry, param, owner);
    for (const [k, v] of Object.entries(entry)) {
      if (k !== 'momentumBuffer') throw new Error(`${owner}: unknown SGD state '${k}'; SGD keeps only momentumBuffer`);
      if (!(v instanceof Tensor)) throw new Error(`${owner}.momentumBuffer must be a Tensor, got ${showValue(v)}`);
    }
  }

  protected updateParam(param: Tensor, grad: NativeHandle, g: ParamGroup<SGDHyperparameters>): void {
    // An empty entry even without momentum, as PyTorch records `momentum_buffer: None`.
    const s = this.stateOf(param, () => ({}));
    const created = N.sgdStep(param.native, grad, s.momentumBuffer?.native ?? null, g.lr, g.momentum, g.dampening, g.weightDecay, g.nesterov, g.maximize);
    if (created !== null) {
      s.momentumBuffer?.dispose();
      s.momentumBuffer = Tensor.fromNative(created).keep();
    }
  }
}
