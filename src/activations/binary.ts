// The base of every binary activation (HTAF, Heaviside, SS, STE, ApproxSign): a Module with
//   mode   'smooth' — the training form (HTAF's σ(β·tanh(αx)), SS's σ(γx), STE's step with a surrogate
//          gradient); 'exact' — the Heaviside step H(x) = 1[x ≥ 0] itself, without gradient (inference).
//   signed the sign (±1) form used by binary networks: 2·f(x) − 1, gradient 2·f′(x); its exact form is
//          2·H(x) − 1, so sign(0) = +1.
// A subclass writes smoothForward(x) (the 0/1 form in training). setStepMode() (step_mode.ts) flips the
// mode of every binary activation inside a model; the mode changes no weight and no other state.
import { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptionsObject } from '../core/options.js';
import { showValue } from '../core/show.js';

export type StepMode = 'smooth' | 'exact';
export const STEP_MODES: readonly StepMode[] = ['smooth', 'exact'];

export interface BinaryActivationOptions {
  /** 'smooth' (the training form; the default) or 'exact' (the Heaviside step). */
  mode?: StepMode;
  /** The sign (±1) form 2·f − 1 (default false: the 0/1 form). */
  signed?: boolean;
}

/** Checks a step mode; `where` names the caller ('setStepMode', 'HTAF.mode'). */
export function checkStepMode(where: string, mode: unknown): StepMode {
  if (mode !== 'smooth' && mode !== 'exact') {
    throw new Error(`${where}: mode must be 'smooth' or 'exact'; got ${showValue(mode)}`);
  }
  return mode;
}

/**
 * The exact Heaviside step H(x) = 1[x ≥ 0] in x's dtype (H(0) = 1, H(NaN) = 0), or 2·H(x) − 1 when
 * signed. The result carries no gradient: it is the inference form.
 */
export function heavisideStep(x: Tensor, signed = false): Tensor {
  const h = x.ge(0).toDtype(x.dtype);
  return signed ? h.mul(2).sub(1) : h;
}

/** Whether the fused C++ ops apply to x (CPU, float32/float64); elsewhere the activations compose tensor ops. */
export function fusedOpApplies(x: Tensor): boolean {
  return x.device === 'cpu' && (x.dtype === 'float32' || x.dtype === 'float64');
}

/**
 * A spike function as the fused multi-step neuron op (neuronMultiStep) inlines it: 'htaf' (p1 = α,
 * p2 = β), 'ss' (p1 = γ), the STE surrogates 'sigmoid' | 'tanh' (p1 = k) and 'rect' (p1 = a), or
 * 'heaviside' (the exact step, no gradient).
 */
export interface FusedSpike {
  spike: 'htaf' | 'ss' | 'sigmoid' | 'tanh' | 'rect' | 'heaviside';
  p1: number;
  p2: number;
}

export abstract class BinaryActivation extends Module {
  #mode: StepMode;
  /** The sign (±1) form: 2·f − 1. Fixed at construction (it is part of the activation's spec). */
  readonly signed: boolean;

  constructor(options: BinaryActivationOptions = {}) {
    super();
    const owner = new.target.name;
    const o = checkOptionsObject(owner, options as Record<string, unknown> | undefined, ['mode', 'signed']);
    this.#mode = o.mode === undefined ? 'smooth' : checkStepMode(owner, o.mode);
    if (o.signed !== undefined && typeof o.signed !== 'boolean') {
      throw new Error(`${owner}: signed must be true or false; got ${showValue(o.signed)}`);
    }
    this.signed = (o.signed as boolean | undefined) ?? false;
  }

  /** 'smooth' (training form) or 'exact' (the Heaviside step, no gradient). */
  get mode(): StepMode {
    return this.#mode;
  }

  set mode(mode: StepMode) {
    this.#mode = checkStepMode(`${this.constructor.name}.mode`, mode);
  }

  /** Sets the mode; returns this. */
  setMode(mode: StepMode): this {
    this.mode = mode;
    return this;
  }

  /** The training form in its 0/1 version f(x) (the sign form is derived from it). */
  abstract smoothForward(x: Tensor): Tensor;

  /** The training form in its ±1 version: 2·f(x) − 1 (ApproxSign overrides it). */
  smoothSignForward(x: Tensor): Tensor {
    return this.smoothForward(x).mul(2).sub(1);
  }

  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new Error(`${this.constructor.name}.forward: input must be a Tensor; got ${showValue(x)}`);
    if (this.#mode === 'exact') return heavisideStep(x, this.signed);
    return this.signed ? this.smoothSignForward(x) : this.smoothForward(x);
  }

  /**
   * This activation as the fused neuron op's spike function, or null when the op cannot inline it (the
   * sign form, or a subclass without a smoothFusedSpike): the neuron then composes its time loop.
   */
  fusedSpike(): FusedSpike | null {
    if (this.signed) return null;
    if (this.#mode === 'exact') return { spike: 'heaviside', p1: 0, p2: 0 };
    return this.smoothFusedSpike();
  }

  /** The training form as a fused spike function; null (the default): not inlinable. */
  protected smoothFusedSpike(): FusedSpike | null {
    return null;
  }

  /** The hyperparameters in the summary line ('alpha=2, beta=11'); '' when there are none. */
  protected paramRepr(): string {
    return '';
  }

  extraRepr(): string {
    return [this.paramRepr(), this.signed ? 'signed' : '', `mode=${this.#mode}`].filter((s) => s !== '').join(', ');
  }
}

export function isBinaryActivation(m: unknown): m is BinaryActivation {
  return m instanceof BinaryActivation;
}
