// Bi-Real Net's ApproxSign (docs/method.md §1): forward sign(x), backward the derivative of the piecewise
// quadratic F(x) = −1 (x < −1), 2x + x² (−1 ≤ x < 0), 2x − x² (0 ≤ x < 1), 1 (x ≥ 1):
//   F′(x) = 2 + 2x on [−1, 0), 2 − 2x on [0, 1), 0 elsewhere.
// It is a sign (±1) activation already: sign(x) is taken as 2·H(x) − 1, so sign(0) = +1 (not 0 as
// Math.sign), and `sign:approxsign` is the same as `approxsign`. F is written 2c − c·|c| with
// c = clamp(x, −1, 1). The straight-through form is sign(x) + (F(x) − F(x).detach()): forward exactly
// ±1 (the usual F + (sign − F).detach() can miss ±1 by a rounding), backward F′.
// 'smooth' (training) has that gradient, 'exact' (inference) is 2·H(x) − 1 without gradient.
import type { Tensor } from '../tensor/tensor.js';
import { BinaryActivation, heavisideStep, type BinaryActivationOptions } from './binary.js';
import { defineActivation } from './definition.js';

/** F′(x), in float64. */
export function approxSignSlope(x: number): number {
  if (x >= -1 && x < 0) return 2 + 2 * x;
  if (x >= 0 && x < 1) return 2 - 2 * x;
  return 0;
}

export class ApproxSign extends BinaryActivation {
  /** Options: mode only (it is always the sign form; `signed: true` is accepted, `signed: false` is an error). */
  constructor(options: BinaryActivationOptions = {}) {
    const isObject = typeof options === 'object' && options !== null && !Array.isArray(options);
    if (isObject && options.signed === false) {
      throw new Error('ApproxSign: signed must be true (ApproxSign is a sign (±1) activation; its 0/1 form is Heaviside or STE); got false');
    }
    super(isObject ? { ...options, signed: true } : options);
  }

  /** sign(x) with the gradient F′(x). */
  smoothSignForward(x: Tensor): Tensor {
    const c = x.clamp(-1, 1);
    const f = c.mul(2).sub(c.mul(c.abs()));
    return heavisideStep(x, true).add(f.sub(f.detach()));
  }

  /** The 0/1 form (sign(x) + 1)/2, gradient F′/2; not used by the module itself, which is always signed. */
  smoothForward(x: Tensor): Tensor {
    return this.smoothSignForward(x).add(1).div(2);
  }
}

export const approxSignActivation = defineActivation({
  name: 'approxsign',
  description: "Bi-Real Net's ApproxSign: sign(x) forward (sign(0) = +1), 2 − 2|x| on |x| < 1 backward",
  binary: true,
  alwaysSigned: true,
  params: [],
  type: ApproxSign,
  create: () => new ApproxSign(),
  values: () => ({}),
});
