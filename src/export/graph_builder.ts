// Builds a runtime graph (src/runtime/graph.ts) from trained modules: the nodes in run order and their
// tensors, with each batch norm folded where inference allows it exactly:
//   conv → BN            into the conv: W'[o] = s[o]·W[o], b'[o] = s[o]·b[o] + t[o]  (s = γ/√(σ²+ε), t = β − μ·s)
//   BN → step            into the step: bit = 1[s·(x − thr) ≥ 0], thr = −t/s, so γ < 0 flips the comparison
//                        and γ = 0 makes a constant (thr = ∓∞); the step's margin is the BN's output
//   BN → ReLU (pre-act)  an affine node (a BN before a padded conv cannot fold into it exactly)
// Weights are stored [k, k, Cin, Cout] so the runtime adds rows of Cout (docs/runtime.md).
import { ReLU } from '../nn/activation.js';
import type { BatchNorm1d, BatchNorm2d } from '../nn/batchnorm.js';
import type { Conv2d, Linear, Module } from '../nn/index.js';
import { BinaryActivation } from '../activations/index.js';
import { fromTypedArray } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { saveSafetensors } from '../io/safetensors.js';
import { HTAFB_FORMAT, HTAFB_VERSION, type NodeSpec, type RuntimeGraph } from '../runtime/index.js';

/** A tensor's values as float64 (for folding), read once. */
export function values(t: Tensor): Float64Array {
  return Float64Array.from(t.detach().toDtype('float32').contiguous().toTypedArray() as Float32Array);
}

/** A batch norm at inference as y = scale·x + shift per channel. */
export interface ChannelAffine {
  scale: Float64Array;
  shift: Float64Array;
}

export function batchNormAffine(bn: BatchNorm1d | BatchNorm2d, where: string): ChannelAffine {
  if (!bn.runningMean || !bn.runningVar) throw new Error(`${where}: a batch norm without running statistics cannot be exported`);
  const mean = values(bn.runningMean);
  const variance = values(bn.runningVar);
  const gamma = bn.weight ? values(bn.weight) : new Float64Array(mean.length).fill(1);
  const beta = bn.bias ? values(bn.bias) : new Float64Array(mean.length);
  const scale = gamma.map((g, c) => g / Math.sqrt(variance[c] + bn.eps));
  return { scale, shift: beta.map((b, c) => b - mean[c] * scale[c]) };
}

/** What an activation module is at inference: the exact 0/1 step, the ±1 sign, or a ReLU; anything else cannot run. */
export function inferenceActivation(m: Module, where: string): 'step' | 'sign' | 'relu' {
  if (m instanceof BinaryActivation) return m.signed ? 'sign' : 'step';
  if (m instanceof ReLU) return 'relu';
  throw new Error(`${where}: the activation ${m.constructor.name} has no runtime op (exportable: binary activations, which run as exact steps, and ReLU)`);
}

function squareConv(conv: Conv2d, where: string): { kernel: number; stride: number; padding: number } {
  const [kh, kw] = conv.kernelSize;
  const same = (a: readonly number[]) => a.length === 2 && a[0] === a[1];
  if (kh !== kw || !same(conv.stride) || !same(conv.padding) || conv.groups !== 1 || conv.dilation.some((d) => d !== 1)) {
    throw new Error(`${where}: only square, ungrouped, undilated convolutions are exported; this one is ${kh}×${kw}, stride [${conv.stride}], padding [${conv.padding}], groups ${conv.groups}`);
  }
  return { kernel: kh, stride: conv.stride[0], padding: conv.padding[0] };
}

export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly tensors = new Map<string, Tensor>();

  /** Stores float32 values under `name`. */
  f32(name: string, data: ArrayLike<number>, shape: number[]): string {
    this.tensors.set(name, fromTypedArray(Float32Array.from(data), shape));
    return name;
  }

  i32(name: string, data: Int32Array, shape: number[]): string {
    this.tensors.set(name, fromTypedArray(data, shape));
    return name;
  }

  node<N extends NodeSpec>(node: N): string {
    this.nodes.push(node);
    return node.name;
  }

  /** A conv (with the batch norm after it folded in) on a real map or on bits; returns the value's name. */
  conv(name: string, input: string, onBits: boolean, conv: Conv2d, after?: ChannelAffine): string {
    const g = squareConv(conv, name);
    const w = values(conv.weight); // [out, in, k, k]
    const [cout, cin, k] = conv.weight.shape;
    const hwio = new Float32Array(w.length);
    const bias = conv.bias ? values(conv.bias) : new Float64Array(cout);
    for (let o = 0; o < cout; o++) {
      const s = after ? after.scale[o] : 1;
      for (let i = 0; i < cin; i++) for (let p = 0; p < k * k; p++) hwio[(p * cin + i) * cout + o] = s * w[(o * cin + i) * k * k + p];
    }
    const hasBias = conv.bias !== null || after !== undefined;
    const b = hasBias ? this.f32(`${name}.bias`, bias.map((v, o) => (after ? after.scale[o] * v + after.shift[o] : v)), [cout]) : undefined;
    this.tensors.set(`${name}.weight`, fromTypedArray(hwio, [k, k, cin, cout]));
    return this.node({ op: onBits ? 'conv2d_bits' : 'conv2d', name, inputs: [input], weight: `${name}.weight`, ...(b ? { bias: b } : {}), ...g });
  }

  /** A linear on a real vector or on bits, weight stored [in, out]. */
  linear(name: string, input: string, onBits: boolean, linear: Linear): string {
    const [out, inF] = linear.weight.shape;
    const w = values(linear.weight);
    const t = new Float32Array(w.length);
    for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) t[i * out + o] = w[o * inF + i];
    this.tensors.set(`${name}.weight`, fromTypedArray(t, [inF, out]));
    const bias = this.f32(`${name}.bias`, linear.bias ? values(linear.bias) : new Float64Array(out), [out]);
    return this.node({ op: onBits ? 'linear_bits' : 'linear', name, inputs: [input], weight: `${name}.weight`, bias });
  }

  /** The exact step (0/1, or ±1 when signed) of `before` applied first (a batch norm), else of x itself. */
  step(name: string, input: string, channels: number, signed: boolean, before?: ChannelAffine): string {
    const gain = new Float64Array(channels).fill(1);
    const threshold = new Float64Array(channels);
    if (before) {
      for (let c = 0; c < channels; c++) {
        const s = before.scale[c];
        if (s === 0) threshold[c] = before.shift[c] >= 0 ? -Infinity : Infinity;
        else {
          gain[c] = s;
          threshold[c] = -before.shift[c] / s;
        }
      }
    }
    return this.node({
      op: 'step', name, inputs: [input], threshold: this.f32(`${name}.threshold`, threshold, [channels]), gain: this.f32(`${name}.gain`, gain, [channels]), ...(signed ? { signed: true } : {}),
    });
  }

  affine(name: string, input: string, a: ChannelAffine, relu: boolean): string {
    const c = a.scale.length;
    return this.node({ op: 'affine', name, inputs: [input], scale: this.f32(`${name}.scale`, a.scale, [c]), shift: this.f32(`${name}.shift`, a.shift, [c]), ...(relu ? { relu: true } : {}) });
  }

  /** Writes the .htafb file: the tensors, and the graph and `metadata` in the safetensors metadata (atomically). */
  write(out: string, graph: Omit<RuntimeGraph, 'nodes'>, metadata: Record<string, string>): RuntimeGraph {
    const full: RuntimeGraph = { ...graph, nodes: this.nodes };
    saveSafetensors(out, this.tensors, { format: HTAFB_FORMAT, version: String(HTAFB_VERSION), graph: JSON.stringify(full), ...metadata });
    return full;
  }
}
