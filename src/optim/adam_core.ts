// What Adam and AdamW share: hyperparameters, state (step count, first and second moments, and the
// running maximum of the second moment for AMSGrad), and the native update (htaf::adamStep, op for op
// PyTorch 1.13's single-tensor Adam/AdamW). They differ only in how weight decay enters.
import { N } from '../core/native.js';
import type { NativeHandle } from '../core/types.js';
import { Tensor } from '../tensor/tensor.js';
import { showValue } from '../core/show.js';
import { checkKnownKeys } from '../core/options.js';
import { checkBoolean, checkLr, checkNonNegative, checkNonNegativeInteger, checkUnitInterval } from './checks.js';
import { Optimizer, type ParamGroup, type ParamState } from './optimizer.js';

export type AdamHyperparameters = {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
};

export type AdamOptions = Partial<AdamHyperparameters>;

/** PyTorch's exp_avg, exp_avg_sq, max_exp_avg_sq (AMSGrad only) and step (the number of updates done). */
export type AdamState = { step: number; expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq?: Tensor };

const STATE_KEYS = ['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq'];

export abstract class AdamCore extends Optimizer<AdamHyperparameters, AdamState> {
  /** true: AdamW's decoupled decay p ← p·(1 − lr·wd); false: Adam's L2 term g ← g + wd·p. */
  protected abstract get decoupledWeightDecay(): boolean;

  protected checkGroup(g: AdamHyperparameters, owner: string): void {
    checkLr(owner, g.lr);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new Error(`${owner}: betas must be a pair [beta1, beta2], got ${showValue(g.betas)}`);
    checkUnitInterval(owner, 'betas[0]', g.betas[0]);
    checkUnitInterval(owner, 'betas[1]', g.betas[1]);
    checkNonNegative(owner, 'eps', g.eps);
    checkNonNegative(owner, 'weightDecay', g.weightDecay);
    checkBoolean(owner, 'amsgrad', g.amsgrad);
    checkBoolean(owner, 'maximize', g.maximize);
  }

  protected checkState(entry: ParamState, param: Tensor, owner: string): void {
    super.checkState(entry, param, owner);
    checkKnownKeys(owner, entry, STATE_KEYS, `${this.className} state`);
    checkNonNegativeInteger(owner, 'step', entry.step);
    for (const k of ['expAvg', 'expAvgSq']) {
      if (!(entry[k] instanceof Tensor)) throw new Error(`${owner}.${k} must be a Tensor, got ${showValue(entry[k])}`);
    }
    if (entry.maxExpAvgSq !== undefined && !(entry.maxExpAvgSq instanceof Tensor)) {
      throw new Error(`${owner}.maxExpAvgSq must be a Tensor, got ${showValue(entry.maxExpAvgSq)}`);
    }
  }

  protected updateParam(param: Tensor, grad: NativeHandle, g: ParamGroup<AdamHyperparameters>): void {
    const s = this.stateOf(param, () => {
      const init: AdamState = { step: 0, expAvg: param.zerosLike().keep(), expAvgSq: param.zerosLike().keep() };
      if (g.amsgrad) init.maxExpAvgSq = param.zerosLike().keep();
      return init;
    });
    // amsgrad switched on after the state was made (or loaded from a run without it): start the max at 0.
    if (g.amsgrad && s.maxExpAvgSq === undefined) s.maxExpAvgSq = param.zerosLike().keep();
    const step = s.step + 1;
    N.adamStep(param.native, grad, s.expAvg.native, s.expAvgSq.native, g.amsgrad ? s.maxExpAvgSq!.native : null, step,
      g.lr, g.betas[0], g.betas[1], g.eps, g.weightDecay, this.decoupledWeightDecay, g.maximize);
    s.step = step; // counted only once the update succeeded
  }
}
