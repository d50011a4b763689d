// Bi-Real Net's binary convolution (Liu et al. 2018, docs/method.md §3): 1-bit weights with one real scale per
// output channel, trained through Bi-Real's magnitude-aware estimator:
//   forward   w_b = α_c·sign(W),  α_c = mean(|W[c]|) over the channel's in×kH×kW weights (no gradient)
//   backward  through clamp(W, −1, 1): dL/dW = dL/dw_b where |W| ≤ 1, 0 elsewhere
// i.e. the reference code's w_b = (α·sign(W)).detach() − clamp(W).detach() + clamp(W), written here as
// (α·sign(W)).detach() + (clamp(W) − clamp(W).detach()) so the forward is α·sign(W) bit for bit (the
// reference order can miss it by a rounding). sign is 2·H(W) − 1, so sign(0) = +1 and each channel's
// weights take exactly the two values ±α_c (torch.sign would make a zero weight a third value).
// The real-valued weight W is the trained parameter, named `weight` [out, in, kH, kW] as a Conv2d's
// (the reference implementation keeps it flat as `weights` [out·in·kH·kW, 1]). No bias.
import { Conv2d, Module } from '../nn/index.js';
import { conv2d } from '../tensor/functions.generated.js';
import { heavisideStep } from '../activations/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptionsObject } from '../core/options.js';
import { positiveInt } from './bnn_snn_options.js';

export interface BinaryConv2dOptions {
  stride?: number;
  /** Zero padding per side (default kernelSize // 2: the size is kept at stride 1). */
  padding?: number;
}

export class BinaryConv2d extends Conv2d {
  constructor(inChannels: number, outChannels: number, kernelSize = 3, options: BinaryConv2dOptions = {}) {
    const o = checkOptionsObject('BinaryConv2d', options, ['stride', 'padding']);
    const k = positiveInt('BinaryConv2d', 'kernelSize', kernelSize);
    super(inChannels, outChannels, k, { stride: o.stride ?? 1, padding: o.padding ?? Math.floor(k / 2), bias: false });
  }

  /** The 1-bit weight α_c·sign(W) the forward uses, [out, in, kH, kW], without gradient. */
  binarizedWeight(): Tensor {
    const w = this.weight.detach();
    return heavisideStep(w, true).mul(w.abs().mean([1, 2, 3], true));
  }

  /** The weight with Bi-Real's estimator: α_c·sign(W) forward, the gradient of clamp(W, −1, 1) backward. */
  estimatedWeight(): Tensor {
    const clipped = this.weight.clamp(-1, 1);
    return this.binarizedWeight().add(clipped.sub(clipped.detach()));
  }

  forward(input: Tensor): Tensor {
    return conv2d(input, this.estimatedWeight(), this.convOptions());
  }

  extraRepr(): string {
    return `${super.extraRepr()}, binary`;
  }
}

/** Every BinaryConv2d of a model with its dotted path and its binarized weight α_c·sign(W) (owned by the current scope). */
export function binarizedWeights(model: Module): Array<{ path: string; weight: Tensor }> {
  if (!(model instanceof Module)) throw new Error(`binarizedWeights: model must be a Module; got ${model === null ? 'null' : typeof model}`);
  const out: Array<{ path: string; weight: Tensor }> = [];
  for (const [path, m] of model.namedModules()) if (m instanceof BinaryConv2d) out.push({ path, weight: m.binarizedWeight() });
  return out;
}
