// Scaled sigmoid SS(γ)(x) = σ(γ·x) (docs/method.md §1), the paper's smooth baseline; γ = α·β gives HTAF's slope
// at 0 (γ/4). Training uses the fused C++ op; the exact mode is H(x) (binary.ts).
import { scaledSigmoid } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { BinaryActivation, fusedOpApplies, type BinaryActivationOptions, type FusedSpike } from './binary.js';
import { checkPositive, defineActivation } from './definition.js';
import { sigmoid } from './float64.js';

/** SS′(x) = γ·σ(γx)·σ(−γx), in float64. */
export function scaledSigmoidSlope(x: number, gamma: number): number {
  const u = gamma * x;
  return gamma * sigmoid(u) * sigmoid(-u);
}

/** SS composed of tensor ops (for devices and dtypes the fused op does not serve). */
export function scaledSigmoidComposed(x: Tensor, gamma: number): Tensor {
  return x.mul(gamma).sigmoid();
}

export class ScaledSigmoid extends BinaryActivation {
  readonly gamma: number;

  /** SS(γ); default γ = 22 (= α·β of HTAF's defaults). */
  constructor(gamma = 22, options: BinaryActivationOptions = {}) {
    super(options);
    this.gamma = checkPositive('ScaledSigmoid', 'gamma', gamma);
  }

  smoothForward(x: Tensor): Tensor {
    return fusedOpApplies(x) ? scaledSigmoid(x, this.gamma) : scaledSigmoidComposed(x, this.gamma);
  }

  protected smoothFusedSpike(): FusedSpike {
    return { spike: 'ss', p1: this.gamma, p2: 0 };
  }

  protected paramRepr(): string {
    return `gamma=${this.gamma}`;
  }
}

export const scaledSigmoidActivation = defineActivation({
  name: 'ss',
  description: 'scaled sigmoid σ(γx) in training, the exact step H(x) at inference; slope γ/4 at 0',
  binary: true,
  params: [{ name: 'gamma', kind: 'number', default: 22, description: 'gain; γ = α·β matches HTAF’s slope at 0' }],
  type: ScaledSigmoid,
  create: (v, o) => new ScaledSigmoid(v.gamma as number, o),
  values: (m) => ({ gamma: m.gamma }),
});
