// The straight-through estimator (docs/method.md §1): forward the exact step H(x) = 1[x ≥ 0], backward a surrogate
// derivative:
//   sigmoid  k·σ(kx)·σ(−kx)       default k = 4
//   tanh     (k/2)·(1 − tanh²(kx)) default k = 2
//   rect     (1/a)·1[|x| < a/2]    default a = 1
// The forward is the step in both modes; 'smooth' keeps the surrogate gradient (training), 'exact' drops
// it (inference). Training uses the fused C++ op; elsewhere H + (s(x) − s(x).detach()) with s the
// surrogate's primitive, which is exactly H forward and s′ backward.
import { heavisideSte } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { BinaryActivation, fusedOpApplies, heavisideStep, type BinaryActivationOptions, type FusedSpike } from './binary.js';
import { showValue } from '../core/show.js';
import { checkPositive, defineActivation } from './definition.js';
import { sech2, sigmoid } from './float64.js';

export type SurrogateKind = 'sigmoid' | 'tanh' | 'rect';
export const SURROGATES: readonly SurrogateKind[] = ['sigmoid', 'tanh', 'rect'];
/** Each surrogate's parameter name in specs and its default (docs/method.md §1). */
export const SURROGATE_PARAM: Readonly<Record<SurrogateKind, { name: 'k' | 'a'; default: number }>> = {
  sigmoid: { name: 'k', default: 4 },
  tanh: { name: 'k', default: 2 },
  rect: { name: 'a', default: 1 },
};

/** The surrogate derivative at x, in float64. */
export function surrogateSlope(surrogate: SurrogateKind, param: number, x: number): number {
  switch (surrogate) {
    case 'sigmoid': {
      const u = param * x;
      return param * sigmoid(u) * sigmoid(-u);
    }
    case 'tanh':
      return (param / 2) * sech2(param * x);
    case 'rect':
      return Math.abs(x) < param / 2 ? 1 / param : 0;
  }
}

/** The STE composed of tensor ops: exactly H(x) forward, the surrogate derivative backward. */
export function steComposed(x: Tensor, surrogate: SurrogateKind, param: number): Tensor {
  let s: Tensor;
  if (surrogate === 'sigmoid') s = x.mul(param).sigmoid();
  else if (surrogate === 'tanh') s = x.mul(param).tanh().mul(0.5);
  else s = x.mul(x.detach().abs().lt(param / 2).toDtype(x.dtype)).div(param);
  return heavisideStep(x).add(s.sub(s.detach()));
}

export class STE extends BinaryActivation {
  readonly surrogate: SurrogateKind;
  /** k for the sigmoid and tanh surrogates, a for the rectangular one. */
  readonly param: number;

  /** STE with a surrogate ('sigmoid', 'tanh' or 'rect') and its parameter (defaults 4, 2, 1). */
  constructor(surrogate: SurrogateKind = 'sigmoid', param?: number, options: BinaryActivationOptions = {}) {
    super(options);
    if (!SURROGATES.includes(surrogate)) {
      throw new Error(`STE: surrogate must be one of ${SURROGATES.map((s) => `'${s}'`).join(', ')}; got ${showValue(surrogate)}`);
    }
    this.surrogate = surrogate;
    const p = SURROGATE_PARAM[surrogate];
    this.param = checkPositive('STE', `${p.name} (the ${surrogate} surrogate's parameter)`, param ?? p.default);
  }

  smoothForward(x: Tensor): Tensor {
    return fusedOpApplies(x) ? heavisideSte(x, this.surrogate, this.param) : steComposed(x, this.surrogate, this.param);
  }

  protected smoothFusedSpike(): FusedSpike {
    return { spike: this.surrogate, p1: this.param, p2: 0 };
  }

  protected paramRepr(): string {
    return `surrogate='${this.surrogate}', ${SURROGATE_PARAM[this.surrogate].name}=${this.param}`;
  }
}

export const steActivation = defineActivation({
  name: 'ste',
  description: 'the exact step H(x) forward in both modes, a surrogate derivative backward in training',
  binary: true,
  params: [
    { name: 'surrogate', kind: 'choice', choices: SURROGATES, default: 'sigmoid', description: 'the surrogate derivative' },
    { name: 'k', kind: 'number', default: 4, defaults: { sigmoid: 4, tanh: 2 }, only: ['sigmoid', 'tanh'], description: 'sigmoid: k·σ(kx)·σ(−kx); tanh: (k/2)·(1 − tanh²(kx))' },
    { name: 'a', kind: 'number', default: 1, only: ['rect'], description: 'rect: (1/a)·1[|x| < a/2]' },
  ],
  type: STE,
  create: (v, o) => {
    const surrogate = v.surrogate as SurrogateKind;
    return new STE(surrogate, v[SURROGATE_PARAM[surrogate].name] as number, o);
  },
  values: (m) => ({ surrogate: m.surrogate, [SURROGATE_PARAM[m.surrogate].name]: m.param }),
});
