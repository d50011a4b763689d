// The Heaviside step H(x) = 1[x ≥ 0] (H(0) = 1), in both modes: no gradient flows through it (docs/method.md §1:
// "never trained through directly"); its output does not require grad. Use STE to train through a step.
import type { Tensor } from '../tensor/tensor.js';
import { BinaryActivation, heavisideStep, type BinaryActivationOptions, type FusedSpike } from './binary.js';
import { defineActivation } from './definition.js';

export class Heaviside extends BinaryActivation {
  constructor(options: BinaryActivationOptions = {}) {
    super(options);
  }

  smoothForward(x: Tensor): Tensor {
    return heavisideStep(x);
  }

  smoothSignForward(x: Tensor): Tensor {
    return heavisideStep(x, true);
  }

  protected smoothFusedSpike(): FusedSpike {
    return { spike: 'heaviside', p1: 0, p2: 0 };
  }
}

export const heavisideActivation = defineActivation({
  name: 'heaviside',
  description: 'the exact step H(x) = 1[x ≥ 0] in both modes, without gradient',
  binary: true,
  params: [],
  type: Heaviside,
  create: (_v, o) => new Heaviside(o),
  values: () => ({}),
});
