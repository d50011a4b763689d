// Activation modules over the functional ops, for use inside Sequential. (The step activations HTAF,
// Heaviside, SS and the STE surrogates live in src/activations.)
import { gelu, leakyRelu, relu, sigmoid, silu, tanh } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return relu(input);
  }
}

export class GELU extends Module {
  /** 'none' (exact, with erf) or 'tanh' (the tanh approximation). */
  readonly approximate: 'none' | 'tanh';

  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    const approximate = options.approximate ?? 'none';
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new Error(`GELU: approximate must be 'none' or 'tanh'; got ${JSON.stringify(approximate)}`);
    }
    this.approximate = approximate;
  }

  forward(input: Tensor): Tensor {
    return gelu(input, this.approximate);
  }

  extraRepr(): string {
    return this.approximate === 'none' ? '' : `approximate='${this.approximate}'`;
  }
}

export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return silu(input);
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;

  constructor(negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope)) {
      throw new Error(`LeakyReLU: negativeSlope must be a finite number; got ${JSON.stringify(negativeSlope)}`);
    }
    this.negativeSlope = negativeSlope;
  }

  forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }

  extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}
