// HTAF(α, β)(x) = σ(β·tanh(α·x)) (docs/method.md §1): the paper's heavy-tailed stand-in for the Heaviside step.
// HTAF(0) = 1/2, HTAF′(0) = α·β/4; α > 0 sets the tail (HTAF′ ≈ C·e^(−2α|x|)), β > 0 the gain.
// Training uses the fused C++ op (forward and backward exact in float32 far into the tails); on other
// devices or dtypes it composes tensor ops. The exact mode is H(x) (binary.ts).
import { htaf } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { BinaryActivation, fusedOpApplies, type BinaryActivationOptions, type FusedSpike } from './binary.js';
import { checkPositive, defineActivation } from './definition.js';

/** HTAF composed of tensor ops (the path for devices and dtypes the fused op does not serve). */
export function htafComposed(x: Tensor, alpha: number, beta: number): Tensor {
  return x.mul(alpha).tanh().mul(beta).sigmoid();
}

export class HTAF extends BinaryActivation {
  readonly alpha: number;
  readonly beta: number;

  /** HTAF(α, β); the paper's defaults α = 2, β = 11 (α·β = 22). */
  constructor(alpha = 2, beta = 11, options: BinaryActivationOptions = {}) {
    super(options);
    this.alpha = checkPositive('HTAF', 'alpha', alpha);
    this.beta = checkPositive('HTAF', 'beta', beta);
  }

  smoothForward(x: Tensor): Tensor {
    return fusedOpApplies(x) ? htaf(x, this.alpha, this.beta) : htafComposed(x, this.alpha, this.beta);
  }

  protected smoothFusedSpike(): FusedSpike {
    return { spike: 'htaf', p1: this.alpha, p2: this.beta };
  }

  protected paramRepr(): string {
    return `alpha=${this.alpha}, beta=${this.beta}`;
  }
}

export const htafActivation = defineActivation({
  name: 'htaf',
  description: 'HTAF σ(β·tanh(αx)) in training, the exact step H(x) at inference; slope α·β/4 at 0',
  binary: true,
  params: [
    { name: 'alpha', kind: 'number', default: 2, description: 'tail: HTAF′ decays like e^(−2α|x|); smaller is heavier' },
    { name: 'beta', kind: 'number', default: 11, description: 'gain: the range is (σ(−β), σ(β))' },
  ],
  type: HTAF,
  create: (v, o) => new HTAF(v.alpha as number, v.beta as number, o),
  values: (m) => ({ alpha: m.alpha, beta: m.beta }),
});
