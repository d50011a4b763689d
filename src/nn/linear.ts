// Linear (y = x·Wᵀ + b), Identity and Flatten: the layers of a plain MLP.
import { empty, flatten, linear } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultLayerInit_ } from './init.js';
import { checkNonNegativeInt, checkOptions, FACTORY_KEYS, type FactoryOptions } from './layer_options.js';
import { Module } from './module.js';

export interface LinearOptions extends FactoryOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/** y = x·Wᵀ + b over the last dim; weight [outFeatures, inFeatures], bias [outFeatures]. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkOptions('Linear', options, ['bias', ...FACTORY_KEYS]);
    this.inFeatures = checkNonNegativeInt('Linear', 'inFeatures', inFeatures);
    this.outFeatures = checkNonNegativeInt('Linear', 'outFeatures', outFeatures);
    const factory = { dtype: options.dtype, device: options.device };
    this.weight = this.registerParameter('weight', empty([outFeatures, inFeatures], factory));
    this.bias = this.registerParameter('bias', options.bias ?? true ? empty([outFeatures], factory) : null);
    this.resetParameters();
  }

  /** PyTorch's default: weight and bias from U(±1/√inFeatures). */
  resetParameters(): void {
    defaultLayerInit_(this.weight, this.bias);
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Returns its input: a placeholder where an architecture has an optional layer. */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}

/** Flattens dims startDim..endDim into one; the defaults keep the batch dim. */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    for (const [name, v] of [['startDim', startDim], ['endDim', endDim]] as const) {
      if (!Number.isInteger(v)) throw new Error(`Flatten: ${name} must be an integer; got ${JSON.stringify(v)}`);
    }
    this.startDim = startDim;
    this.endDim = endDim;
  }

  forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }

  extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
