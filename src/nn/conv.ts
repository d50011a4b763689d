// Conv1d and Conv2d: convolution layers with stride, padding, dilation, groups and an optional bias.
import { conv1d, conv2d, empty } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultLayerInit_ } from './init.js';
import { checkOptions, checkPositiveInt, FACTORY_KEYS, ntuple, tupleText, type FactoryOptions } from './layer_options.js';
import { Module } from './module.js';

export interface ConvOptions extends FactoryOptions {
  stride?: number | readonly number[];
  /** Zero padding per side; 'valid' is 0, 'same' keeps the size (stride 1, symmetric padding only). */
  padding?: number | readonly number[] | 'valid' | 'same';
  dilation?: number | readonly number[];
  /** Split channels into this many independent groups (inChannels and outChannels must divide by it). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
}

const CONV_KEYS = ['stride', 'padding', 'dilation', 'groups', 'bias', ...FACTORY_KEYS];

/** What Conv1d and Conv2d share; n is the number of spatial dims. */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly groups: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(layer: string, n: number, inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvOptions) {
    super();
    checkOptions(layer, options, CONV_KEYS);
    this.inChannels = checkPositiveInt(layer, 'inChannels', inChannels);
    this.outChannels = checkPositiveInt(layer, 'outChannels', outChannels);
    this.groups = checkPositiveInt(layer, 'groups', options.groups ?? 1);
    if (inChannels % this.groups !== 0) throw new Error(`${layer}: inChannels (${inChannels}) must be divisible by groups (${this.groups})`);
    if (outChannels % this.groups !== 0) throw new Error(`${layer}: outChannels (${outChannels}) must be divisible by groups (${this.groups})`);
    this.kernelSize = ntuple(layer, 'kernelSize', kernelSize, n, 1);
    this.stride = ntuple(layer, 'stride', options.stride ?? 1, n, 1);
    this.dilation = ntuple(layer, 'dilation', options.dilation ?? 1, n, 1);
    this.padding = this.#resolvePadding(layer, n, options.padding ?? 0);
    const factory = { dtype: options.dtype, device: options.device };
    this.weight = this.registerParameter('weight', empty([outChannels, inChannels / this.groups, ...this.kernelSize], factory));
    this.bias = this.registerParameter('bias', options.bias ?? true ? empty([outChannels], factory) : null);
    this.resetParameters();
  }

  #resolvePadding(layer: string, n: number, padding: NonNullable<ConvOptions['padding']>): number[] {
    if (padding === 'valid') return new Array<number>(n).fill(0);
    if (padding !== 'same') return ntuple(layer, 'padding', padding, n, 0);
    if (this.stride.some((s) => s !== 1)) {
      throw new Error(`${layer}: padding 'same' needs stride 1; got stride ${tupleText(this.stride)}`);
    }
    return this.kernelSize.map((k, i) => {
      const total = this.dilation[i] * (k - 1);
      if (total % 2 !== 0) {
        throw new Error(`${layer}: padding 'same' with kernelSize ${tupleText(this.kernelSize)} and dilation ${tupleText(this.dilation)} needs uneven padding, which is not supported; pad explicitly`);
      }
      return total / 2;
    });
  }

  /** PyTorch's default: kaimingUniform_(a = √5) weight, bias from U(±1/√fanIn). */
  resetParameters(): void {
    defaultLayerInit_(this.weight, this.bias);
  }

  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${tupleText(this.kernelSize)}, stride=${tupleText(this.stride)}`;
    if (this.padding.some((p) => p !== 0)) s += `, padding=${tupleText(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${tupleText(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=false';
    return s;
  }

  protected convOptions() {
    return { bias: this.bias, stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }
}

/** 1-d convolution over [N, C, L] (or unbatched [C, L]); weight [out, in/groups, k]. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvOptions = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return conv1d(input, this.weight, this.convOptions());
  }
}

/** 2-d convolution over [N, C, H, W] (or unbatched [C, H, W]); weight [out, in/groups, kH, kW]. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], options: ConvOptions = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return conv2d(input, this.weight, this.convOptions());
  }
}
