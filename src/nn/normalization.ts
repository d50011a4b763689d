// LayerNorm: normalizes each sample over its last dims (normalizedShape), with a learned scale and shift.
import { layerNorm, ones, zeros } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { ones_, zeros_ } from './init.js';
import { checkOptions, FACTORY_KEYS, type FactoryOptions } from './layer_options.js';
import { Module } from './module.js';

export interface LayerNormOptions extends FactoryOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learn a scale (weight) and, with bias, a shift over normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, learn the shift too (default true). */
  bias?: boolean;
}

export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkOptions('LayerNorm', options, ['eps', 'elementwiseAffine', 'bias', ...FACTORY_KEYS]);
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? [...normalizedShape] : null;
    if (shape === null || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new Error(`LayerNorm: normalizedShape must be a positive integer or a non-empty list of them; got ${JSON.stringify(normalizedShape)}`);
    }
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    if (typeof this.eps !== 'number' || !(this.eps >= 0)) throw new Error(`LayerNorm: eps must be a non-negative number; got ${JSON.stringify(options.eps)}`);
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    const factory = { dtype: options.dtype, device: options.device };
    this.weight = this.registerParameter('weight', this.elementwiseAffine ? ones(shape, factory) : null);
    this.bias = this.registerParameter('bias', this.elementwiseAffine && (options.bias ?? true) ? zeros(shape, factory) : null);
  }

  /** Weight 1, bias 0. */
  resetParameters(): void {
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  extraRepr(): string {
    return `(${this.normalizedShape.join(', ')}${this.normalizedShape.length === 1 ? ',' : ''}), eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}
