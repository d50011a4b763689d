// The graph an .htafb file holds (format version 2; docs/runtime.md): a list of nodes in run order, each
// naming its inputs (earlier nodes, or 'input') and producing one value named by the node's own name.
// A value is one of three kinds, carried per example:
//   real   float32, an image map [H, W, C] (channels last) or a vector [F]
//   bits   0/1 activations, one bit each: a pixel of C channels takes 1 byte (C ≤ 8), 2 (C ≤ 16) or 4·⌈C/32⌉
//          bytes, channel c bit c & 7 of its byte c >> 3 (kernels.ts bytesPerPixel); a sum of
//          spike maps (SEW-ResNet's ADD) stays a list of such planes, so every spike is still one bit
//   signs  ±1 activations (Bi-Real), packed the same way, bit 1 = +1
// Weights of convolutions and linears are stored [kH, kW, Cin, Cout] (a linear: [in, out]) so a kernel
// adds a whole row of Cout weights per input value or set bit. Spiking graphs run T steps with the time
// folded into the rows (row t·N + n, as perStep folds [T, N]).

export type ValueKind = 'real' | 'bits' | 'signs';

interface NodeBase {
  /** The node's name (its module path in the trained model) and the name of the value it makes. */
  name: string;
  /** The values it reads: 'input' or earlier nodes' names. */
  inputs: string[];
}

/** Convolution geometry: a square kernel, zero padding on each side. */
export interface ConvAttrs {
  kernel: number;
  stride: number;
  padding: number;
}

export type NodeSpec =
  /** y = conv(x, W) + b on a real map; weight [k, k, Cin, Cout], bias [Cout] optional. */
  | (NodeBase & ConvAttrs & { op: 'conv2d'; weight: string; bias?: string })
  /** The same on 0/1 bits: the weight rows of the set bits are added (each plane of a sum in turn). */
  | (NodeBase & ConvAttrs & { op: 'conv2d_bits'; weight: string; bias?: string })
  /**
   * Binary × binary (Bi-Real): ±1 inputs and ±1 weights, y[o] = scale[o]·Σ_taps (Cin − 2·popcount(x ⊕ w)) +
   * bias[o], the taps outside the image skipped (the float conv pads with 0, not ±1). weightBits I32
   * [Cout, k, k, ⌈Cin/32⌉] (bit 1 = +1, unused bits 0); scale, bias F32 [Cout] (α and the batch norm after, folded).
   */
  | (NodeBase & ConvAttrs & { op: 'conv2d_binary'; weightBits: string; scale: string; bias: string })
  /** y = x·W + b on a real vector [in]; weight [in, out]. */
  | (NodeBase & { op: 'linear'; weight: string; bias: string })
  /** y = b + Σ over set bits j of W[j, :]; weight [in, out]. */
  | (NodeBase & { op: 'linear_bits'; weight: string; bias: string })
  /**
   * The exact step per channel: bit = 1 iff gain[c]·(x − threshold[c]) ≥ 0 (a batch norm before the step,
   * folded: gain = γ/√(σ² + ε), threshold = μ − β/gain; γ < 0 flips the comparison; γ = 0 makes it a
   * constant, threshold ∓∞). signed: the bits mean ±1 (Bi-Real's sign). |gain·(x − threshold)| is the
   * margin the runtime reports.
   */
  | (NodeBase & { op: 'step'; threshold: string; gain: string; signed?: boolean })
  /**
   * Leaky integrate-and-fire over `steps` time steps (spikingjelly's LIF, decay_input): h = v + (x − (v − r))/τ,
   * spike = 1[h ≥ v_th], v = spike ? r : h (hard reset to r = vReset), or v = h − spike·v_th (vReset null:
   * soft reset, the leak toward 0). repeat: the input holds N rows, the same current at every step (the
   * stem's direct encoding); otherwise T·N rows. Output: bits, T·N rows.
   */
  | (NodeBase & { op: 'lif'; steps: number; tau: number; vThreshold: number; vReset: number | null; repeat?: boolean })
  /** Element-wise sum of two values of one kind: real + real, or bits + bits (the planes of both). */
  | (NodeBase & { op: 'add' })
  /** Per-channel y = scale[c]·x + shift[c] (a batch norm at inference), then max(y, 0) if relu. */
  | (NodeBase & { op: 'affine'; scale: string; shift: string; relu?: boolean })
  | (NodeBase & { op: 'relu' })
  /** Max pooling of a real map, padding with −∞. */
  | (NodeBase & ConvAttrs & { op: 'maxpool2d' })
  /** Average pooling of a real map, ceil mode, dividing by the pixels inside the image. */
  | (NodeBase & ConvAttrs & { op: 'avgpool2d' })
  /** Mean over the pixels of a real or bits map → a real vector [C]; with steps, also over the T steps (T·N rows → N). */
  | (NodeBase & { op: 'global_avgpool'; steps?: number })
  /** Layer norm of a real vector: (x − mean)/√(var + eps)·weight + bias. */
  | (NodeBase & { op: 'layernorm'; weight: string; bias: string; eps: number });

export type Op = NodeSpec['op'];

export const OPS: readonly Op[] = [
  'conv2d', 'conv2d_bits', 'conv2d_binary', 'linear', 'linear_bits', 'step', 'lif', 'add', 'affine', 'relu', 'maxpool2d', 'avgpool2d', 'global_avgpool', 'layernorm',
];

export interface RuntimeGraph {
  /** 'mlp': a tabular network (input [F]); 'image': an image network (input [C, H, W]). */
  kind: 'mlp' | 'image';
  /** One example's input: [F] features, or [C, H, W] pixels in the CHW order torch uses (the runtime transposes). */
  input: number[];
  /** binary (one logit), multiclass (k logits) or regression (one value, in the scaled target units). */
  task: 'binary' | 'multiclass' | 'regression';
  /** Width of the output value. */
  outputs: number;
  classes?: string[];
  nodes: NodeSpec[];
  /** The value holding the logits (or the regression value). */
  output: string;
  /** ICBM: the value holding the concept bits. */
  concepts?: string;
}
