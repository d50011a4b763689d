// 2-d pooling layers: MaxPool2d, AvgPool2d and AdaptiveAvgPool2d (the global pooling before a classifier).
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, ntuple, tupleText } from './layer_options.js';
import { Module } from './module.js';

export interface MaxPool2dOptions {
  /** Default: kernelSize. */
  stride?: number | readonly number[] | null;
  padding?: number | readonly number[];
  dilation?: number | readonly number[];
  /** Round the output size up instead of down. */
  ceilMode?: boolean;
}

export class MaxPool2d extends Module {
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly ceilMode: boolean;

  constructor(kernelSize: number | readonly number[], options: MaxPool2dOptions = {}) {
    super();
    checkOptions('MaxPool2d', options, ['stride', 'padding', 'dilation', 'ceilMode']);
    this.kernelSize = ntuple('MaxPool2d', 'kernelSize', kernelSize, 2, 1);
    this.stride = ntuple('MaxPool2d', 'stride', options.stride ?? kernelSize, 2, 1);
    this.padding = ntuple('MaxPool2d', 'padding', options.padding ?? 0, 2, 0);
    this.dilation = ntuple('MaxPool2d', 'dilation', options.dilation ?? 1, 2, 1);
    this.ceilMode = options.ceilMode ?? false;
  }

  forward(input: Tensor): Tensor {
    return maxPool2d(input, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  extraRepr(): string {
    return `kernelSize=${tupleText(this.kernelSize)}, stride=${tupleText(this.stride)}, padding=${tupleText(this.padding)}, dilation=${tupleText(this.dilation)}, ceilMode=${this.ceilMode}`;
  }
}

export interface AvgPool2dOptions {
  /** Default: kernelSize. */
  stride?: number | readonly number[] | null;
  padding?: number | readonly number[];
  ceilMode?: boolean;
  /** Count the zero padding in the average's denominator (default true). */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size. */
  divisorOverride?: number | null;
}

export class AvgPool2d extends Module {
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: number | readonly number[], options: AvgPool2dOptions = {}) {
    super();
    checkOptions('AvgPool2d', options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
    this.kernelSize = ntuple('AvgPool2d', 'kernelSize', kernelSize, 2, 1);
    this.stride = ntuple('AvgPool2d', 'stride', options.stride ?? kernelSize, 2, 1);
    this.padding = ntuple('AvgPool2d', 'padding', options.padding ?? 0, 2, 0);
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
    if (this.divisorOverride !== null && (!Number.isInteger(this.divisorOverride) || this.divisorOverride <= 0)) {
      throw new Error(`AvgPool2d: divisorOverride must be a positive integer or null; got ${JSON.stringify(options.divisorOverride)}`);
    }
  }

  forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  extraRepr(): string {
    return `kernelSize=${tupleText(this.kernelSize)}, stride=${tupleText(this.stride)}, padding=${tupleText(this.padding)}`;
  }
}

/** Averages each channel down to outputSize (1 or [1, 1]: global average pooling). */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: readonly number[];

  constructor(outputSize: number | readonly number[]) {
    super();
    this.outputSize = ntuple('AdaptiveAvgPool2d', 'outputSize', outputSize, 2, 1);
  }

  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }

  extraRepr(): string {
    return `outputSize=${tupleText(this.outputSize)}`;
  }
}
