// Parameter initializations, as torch.nn.init computes them. Every function fills its tensor in place
// under noGrad with libtorch's own uniform_/normal_, computing bounds in float64 with the same formulas
// in the same order as PyTorch: after manualSeed(s), a model initializes to the very numbers PyTorch gives
// with torch.manual_seed(s) for the same architecture (checked against test/golden/fixtures/{mlp,cnn}_adam init.*).
import { noGrad } from '../autograd/grad_mode.js';
import type { Tensor } from '../tensor/tensor.js';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

export type FanMode = 'fan_in' | 'fan_out';

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (only with nonlinearity 'leaky_relu'). Default 0. */
  a?: number;
  /** 'fan_in' keeps the forward pass's variance, 'fan_out' the backward pass's. Default 'fan_in'. */
  mode?: FanMode;
  /** Default 'leaky_relu', as PyTorch's. */
  nonlinearity?: Nonlinearity;
}

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5.0 / 3;
    case 'relu':
      return Math.sqrt(2.0);
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new Error(`calculateGain: negative slope ${slope} is not a valid number`);
      return Math.sqrt(2.0 / (1 + slope * slope));
    }
    case 'selu':
      return 3.0 / 4;
    default:
      throw new Error(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
}

/** [fanIn, fanOut] of a weight laid out as PyTorch's: [out, in, ...kernel]. */
export function calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  const shape = tensor.shape;
  if (shape.length < 2) {
    throw new Error(`init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape [${shape.join(', ')}])`);
  }
  const receptiveField = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * receptiveField, shape[0] * receptiveField];
}

function correctFan(tensor: Tensor, mode: FanMode): number {
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new Error(`init: mode '${String(mode)}' not supported, use 'fan_in' or 'fan_out'`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  return mode === 'fan_in' ? fanIn : fanOut;
}

function isEmpty(tensor: Tensor): boolean {
  // PyTorch warns and does nothing for zero-element tensors; the bound would be infinite.
  return tensor.shape.includes(0);
}

/** Fills with U(a, b). */
export function uniform_(tensor: Tensor, a = 0, b = 1): Tensor {
  return noGrad(() => tensor.uniform_(a, b));
}

/** Fills with N(mean, std²). */
export function normal_(tensor: Tensor, mean = 0, std = 1): Tensor {
  return noGrad(() => tensor.normal_(mean, std));
}

export function constant_(tensor: Tensor, value: number): Tensor {
  return noGrad(() => tensor.fill_(value));
}

export function zeros_(tensor: Tensor): Tensor {
  return noGrad(() => tensor.zero_());
}

export function ones_(tensor: Tensor): Tensor {
  return noGrad(() => tensor.fill_(1));
}

/** Glorot uniform: U(-a, a) with a = gain·sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(tensor: Tensor, gain = 1.0): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a);
}

/** Glorot normal: N(0, std²) with std = gain·sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(tensor: Tensor, gain = 1.0): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(tensor, 0, std);
}

/** He uniform: U(-bound, bound) with bound = gain·sqrt(3 / fan). Linear and Conv use a = sqrt(5). */
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  if (isEmpty(tensor)) return tensor;
  const { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = options;
  const fan = correctFan(tensor, mode);
  const gain = calculateGain(nonlinearity, a);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound);
}

/** He normal: N(0, std²) with std = gain / sqrt(fan). */
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  if (isEmpty(tensor)) return tensor;
  const { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = options;
  const fan = correctFan(tensor, mode);
  const gain = calculateGain(nonlinearity, a);
  const std = gain / Math.sqrt(fan);
  return normal_(tensor, 0, std);
}

/**
 * PyTorch's default initialization of a Linear or Conv layer (their reset_parameters): the weight
 * kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(fanIn), 1/sqrt(fanIn)), then the bias
 * U(-1/sqrt(fanIn), 1/sqrt(fanIn)). Weight first, bias second: the order of draws matters for seeding.
 */
export function defaultLayerInit_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const [fanIn] = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
