// An exported runtime graph (src/runtime/graph.ts) as a standard ONNX model (opset 17) of the same
// network, so any ONNX runtime can run it: input 'input' float32 [N, ...graph.input] (images CHW, as the
// runtime takes them), output 'logits' [N, outputs] (and 'concepts', the concept bits as float 0/1).
// Maps are NCHW; bits are float 0/1 maps (a sum of spike maps: their float counts), signs ±1 maps;
// a spike train keeps its T steps folded into the batch rows (row t·N + n), as in the runtime.
import type { NodeSpec, RuntimeGraph, ValueKind } from '../runtime/graph.js';
import { outSide, wordsFor } from '../runtime/kernels.js';
import { parseHtafb } from '../runtime/format.js';
import { attrFloat, attrInt, attrInts, OnnxGraphBuilder, type OnnxIo } from './onnx_builder.js';

/** A tensor of the htafb file, as parseHtafb gives it. */
export interface SourceTensor {
  dtype: string;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

/** One runtime value as an ONNX value: its name there, kind, per-row shape ([C, H, W] or [F]) and rows per example. */
interface Val {
  name: string;
  kind: ValueKind;
  shape: number[];
  steps: number;
}

function fail(msg: string): never {
  throw new Error(`onnx export: ${msg}`);
}

/** The output side of a ceil-mode pooling: torch's rule, the last window starts inside the image or its left padding. */
function ceilSide(side: number, kernel: number, stride: number, padding: number): number {
  let o = Math.ceil((side + 2 * padding - kernel) / stride) + 1;
  if ((o - 1) * stride >= side + padding) o--;
  return o;
}

const describe = (v: Val): string => `${v.kind} [${v.shape.join(', ')}]${v.steps > 1 ? ` over ${v.steps} steps` : ''}`;

/** Converts a runtime graph and its tensors to the bytes of an ONNX model of the same network. */
export function graphToOnnx(graph: RuntimeGraph, tensors: Map<string, SourceTensor>): Uint8Array {
  if (!graph || (graph.kind !== 'mlp' && graph.kind !== 'image')) fail(`graph kind ${JSON.stringify(graph?.kind)} is not mlp or image`);
  const rank = graph.kind === 'mlp' ? 1 : 3;
  if (!Array.isArray(graph.input) || graph.input.length !== rank || graph.input.some((d) => !Number.isInteger(d) || d < 1)) {
    fail(`the graph's input ${JSON.stringify(graph.input)} must be ${rank === 1 ? '[features]' : '[channels, height, width]'} of positive integers`);
  }
  if (!Array.isArray(graph.nodes) || graph.nodes.length === 0) fail('the graph has no nodes');
  const b = new OnnxGraphBuilder();
  const input = b.reserve('input');
  b.reserve('logits');
  b.reserve('concepts');
  const values = new Map<string, Val>([['input', { name: input, kind: 'real', shape: [...graph.input], steps: 1 }]]);
  graph.nodes.forEach((node, i) => {
    const name = typeof node?.name === 'string' && node.name !== '' ? node.name : `#${i}`;
    if (values.has(name)) fail(`layer '${name}' (#${i}): a value of that name exists already`);
    const arity = node?.op === 'add' ? 2 : 1;
    if (!Array.isArray(node?.inputs) || node.inputs.length !== arity) fail(`layer '${name}' (${node?.op}) needs ${arity} input(s); got ${JSON.stringify(node?.inputs)}`);
    const ins = node.inputs.map((v) => values.get(v) ?? fail(`layer '${name}' reads '${v}', which no earlier layer makes`));
    values.set(name, convertNode(b, name, node, ins, tensors));
  });
  const out = values.get(graph.output) ?? fail(`the graph's output '${graph.output}' is no layer's value`);
  if (out.kind !== 'real' || out.shape.length !== 1 || out.shape[0] !== graph.outputs || out.steps !== 1) {
    fail(`the graph's output '${graph.output}' is ${describe(out)}, not the ${graph.outputs} values it declares`);
  }
  b.op('Identity', [out.name], {}, ['logits']);
  const outputs: OnnxIo[] = [{ name: 'logits', dims: ['N', graph.outputs] }];
  if (graph.concepts !== undefined) {
    const c = values.get(graph.concepts) ?? fail(`the graph's concepts '${graph.concepts}' is no layer's value`);
    if (c.kind !== 'bits' || c.shape.length !== 1 || c.steps !== 1) fail(`the graph's concepts '${graph.concepts}' are ${describe(c)}, not a vector of bits`);
    b.op('Identity', [c.name], {}, ['concepts']);
    outputs.push({ name: 'concepts', dims: ['N', c.shape[0]] });
  }
  const doc = `htaf ${graph.kind} network (${graph.task}${graph.classes ? `; classes ${graph.classes.join(', ')}` : ''})`;
  return b.encode('htaf', [{ name: 'input', dims: ['N', ...graph.input] }], outputs, doc);
}

/** Parses an .htafb file (htaf export) and converts its graph to ONNX. */
export function htafbToOnnx(bytes: Uint8Array): Uint8Array {
  const file = parseHtafb(bytes);
  return graphToOnnx(file.graph, file.tensors);
}

function convertNode(b: OnnxGraphBuilder, name: string, node: NodeSpec, ins: Val[], tensors: Map<string, SourceTensor>): Val {
  const where = `layer '${name}' (${node.op})`;
  const x = ins[0];
  const isMap = x.shape.length === 3;
  const channels = x.shape[0];
  const need = (key: string | undefined, dtype: string, shape: number[], what: string): SourceTensor => {
    const t = key === undefined ? undefined : tensors.get(key);
    if (!t) fail(`${where}: its ${what} tensor ${JSON.stringify(key)} is missing`);
    if (t.dtype !== dtype || t.shape.join(',') !== shape.join(',')) fail(`${where}: tensor '${key}' is ${t.dtype} [${t.shape}], expected ${dtype} [${shape}]`);
    return t;
  };
  const f32 = (key: string, shape: number[], what: string) => need(key, 'F32', shape, what).data as Float32Array;
  const kindIs = (...kinds: ValueKind[]) => {
    if (!kinds.includes(x.kind)) fail(`${where} needs ${kinds.join(' or ')} input; '${node.inputs[0]}' is ${describe(x)}`);
  };
  const mapOnly = () => {
    if (!isMap) fail(`${where} needs an image map; '${node.inputs[0]}' is ${describe(x)}`);
  };
  const vectorOnly = () => {
    if (isMap || x.shape.length !== 1) fail(`${where} needs a vector; '${node.inputs[0]}' is ${describe(x)}`);
  };
  const geometry = (n: { kernel: number; stride: number; padding: number }) => {
    for (const k of ['kernel', 'stride', 'padding'] as const) {
      if (!Number.isInteger(n[k]) || n[k] < (k === 'padding' ? 0 : 1)) fail(`${where}: ${k} must be a ${k === 'padding' ? 'non-negative' : 'positive'} integer; got ${JSON.stringify(n[k])}`);
    }
  };
  /** A per-channel constant that broadcasts over this value: [C, 1, 1] on a map, [C] on a vector. */
  const perChannel = (hint: string, v: ArrayLike<number>) => b.floats(`${name}/${hint}`, isMap ? [v.length, 1, 1] : [v.length], v);
  const real = (onnx: string, shape: number[], steps = x.steps): Val => ({ name: onnx, kind: 'real', shape, steps });

  switch (node.op) {
    case 'conv2d':
    case 'conv2d_bits':
    case 'conv2d_binary': {
      kindIs(node.op === 'conv2d' ? 'real' : node.op === 'conv2d_bits' ? 'bits' : 'signs');
      mapOnly();
      geometry(node);
      const { kernel: k, stride, padding } = node;
      const [, h, w] = x.shape;
      const oh = outSide(h, k, stride, padding);
      const ow = outSide(w, k, stride, padding);
      if (!(oh >= 1 && ow >= 1)) fail(`${where}: a ${k}×${k} kernel (padding ${padding}) does not fit the ${h}×${w} map`);
      const attrs = { kernel_shape: attrInts([k, k]), strides: attrInts([stride, stride]), pads: attrInts([padding, padding, padding, padding]) };
      let cout: number;
      let weight: Float32Array;
      if (node.op === 'conv2d_binary') {
        cout = tensors.get(node.scale)?.shape[0] ?? NaN;
        const scale = f32(node.scale, [cout], 'scale');
        const bias = f32(node.bias, [cout], 'bias');
        const bits = need(node.weightBits, 'I32', [cout, k, k, wordsFor(channels)], 'weightBits').data as Int32Array;
        weight = binaryWeightOihw(bits, cout, channels, k);
        // Σ over the taps of x·w with ±1 values = Cin − 2·popcount(x ⊕ w); the zero padding adds nothing, as the runtime skips those taps.
        const sum = b.op1('Conv', [x.name, b.floats(`${name}/weight`, [cout, channels, k, k], weight)], attrs, name);
        const scaled = b.op1('Mul', [sum, b.floats(`${name}/scale`, [cout, 1, 1], scale)], {}, `${name}/scaled`);
        return real(b.op1('Add', [scaled, b.floats(`${name}/bias`, [cout, 1, 1], bias)], {}, `${name}/out`), [cout, oh, ow]);
      }
      cout = tensors.get(node.weight)?.shape[3] ?? NaN;
      weight = hwioToOihw(f32(node.weight, [k, k, channels, cout], 'weight'), k, channels, cout);
      const inputs = [x.name, b.floats(`${name}/weight`, [cout, channels, k, k], weight)];
      if (node.bias !== undefined) inputs.push(b.floats(`${name}/bias`, [cout], f32(node.bias, [cout], 'bias')));
      return real(b.op1('Conv', inputs, attrs, name), [cout, oh, ow]);
    }
    case 'linear':
    case 'linear_bits': {
      kindIs(node.op === 'linear' ? 'real' : 'bits');
      vectorOnly();
      const out = tensors.get(node.bias)?.shape[0] ?? NaN;
      const bias = f32(node.bias, [out], 'bias');
      const weight = f32(node.weight, [channels, out], 'weight');
      const y = b.op1('MatMul', [x.name, b.floats(`${name}/weight`, [channels, out], weight)], {}, `${name}/matmul`);
      return real(b.op1('Add', [y, b.floats(`${name}/bias`, [out], bias)], {}, name), [out]);
    }
    case 'step': {
      kindIs('real');
      const threshold = f32(node.threshold, [channels], 'threshold');
      const gain = f32(node.gain, [channels], 'gain');
      // bit = 1 iff gain·(x − threshold) ≥ 0. Multiplying by the sign of the gain instead of the gain gives the
      // same bit without float32 underflow (a tiny product rounding to −0 would read as ≥ 0); ±∞ thresholds and
      // NaN behave as in the runtime (x − ∞ = −∞; 0·∞ = NaN, and NaN ≥ 0 is false).
      const sign = Float32Array.from(gain, (g) => (g > 0 ? 1 : g < 0 ? -1 : Number.isNaN(g) ? NaN : 0));
      const d = b.op1('Sub', [x.name, perChannel('threshold', threshold)], {}, `${name}/centered`);
      const z = b.op1('Mul', [d, perChannel('gain_sign', sign)], {}, `${name}/signed_margin`);
      const on = b.op1('GreaterOrEqual', [z, b.scalar(`${name}/zero`, 0)], {}, `${name}/on`);
      const bit = b.op1('Cast', [on], { to: attrInt(1) }, node.signed ? `${name}/bit` : name);
      if (!node.signed) return { name: bit, kind: 'bits', shape: x.shape, steps: x.steps };
      const twice = b.op1('Mul', [bit, b.scalar(`${name}/two`, 2)], {}, `${name}/twice`);
      return { name: b.op1('Sub', [twice, b.scalar(`${name}/one`, 1)], {}, name), kind: 'signs', shape: x.shape, steps: x.steps };
    }
    case 'lif':
      kindIs('real');
      return { name: lif(b, name, node, x, where), kind: 'bits', shape: x.shape, steps: node.steps };
    case 'add': {
      const y = ins[1];
      if (x.kind !== y.kind || x.kind === 'signs' || x.shape.join(',') !== y.shape.join(',') || x.steps !== y.steps) {
        fail(`${where}: '${node.inputs[0]}' is ${describe(x)} and '${node.inputs[1]}' is ${describe(y)}; it adds two real or two bits values of one shape`);
      }
      // Bits: the float 0/1 maps add to counts, which the next conv2d_bits weighs as the runtime's planes.
      return { name: b.op1('Add', [x.name, y.name], {}, name), kind: x.kind, shape: x.shape, steps: x.steps };
    }
    case 'affine': {
      kindIs('real');
      const scale = f32(node.scale, [channels], 'scale');
      const shift = f32(node.shift, [channels], 'shift');
      const scaled = b.op1('Mul', [x.name, perChannel('scale', scale)], {}, `${name}/scaled`);
      const y = b.op1('Add', [scaled, perChannel('shift', shift)], {}, node.relu ? `${name}/affine` : name);
      return real(node.relu ? b.op1('Relu', [y], {}, name) : y, x.shape);
    }
    case 'relu':
      kindIs('real');
      return real(b.op1('Relu', [x.name], {}, name), x.shape);
    case 'maxpool2d':
    case 'avgpool2d': {
      kindIs('real');
      mapOnly();
      geometry(node);
      const { kernel: k, stride, padding: p } = node;
      const [c, h, w] = x.shape;
      const side = node.op === 'maxpool2d' ? outSide : ceilSide;
      const oh = side(h, k, stride, p);
      const ow = side(w, k, stride, p);
      if (!(oh >= 1 && ow >= 1)) fail(`${where}: the window does not fit the ${h}×${w} map`);
      const attrs = { kernel_shape: attrInts([k, k]), strides: attrInts([stride, stride]) };
      if (node.op === 'maxpool2d') return real(b.op1('MaxPool', [x.name], { ...attrs, pads: attrInts([p, p, p, p]) }, name), [c, oh, ow]);
      // Ceil mode as explicit extra padding at the end (excluded from each window's count, like the
      // zero padding): the runtime divides by the pixels inside the image.
      const endH = Math.max(p, (oh - 1) * stride + k - h - p);
      const endW = Math.max(p, (ow - 1) * stride + k - w - p);
      return real(b.op1('AveragePool', [x.name], { ...attrs, pads: attrInts([p, p, endH, endW]), count_include_pad: attrInt(0) }, name), [c, oh, ow]);
    }
    case 'global_avgpool': {
      kindIs('real', 'bits');
      mapOnly();
      const steps = node.steps ?? 1;
      if (!Number.isInteger(steps) || steps !== x.steps) fail(`${where}: steps ${JSON.stringify(node.steps)} but '${node.inputs[0]}' has ${x.steps} step(s) per example`);
      const [c, h, w] = x.shape;
      // [T·N, C, H, W] → [T, N, C, H·W], summed over the steps and the pixels.
      const folded = b.op1('Reshape', [x.name, b.int64s(`${name}/shape`, [steps, -1, c, h * w])], {}, `${name}/folded`);
      const sum = b.op1('ReduceSum', [folded, b.int64s(`${name}/axes`, [0, 3])], { keepdims: attrInt(0) }, `${name}/sum`);
      return real(b.op1('Div', [sum, b.scalar(`${name}/count`, h * w * steps)], {}, name), [c], 1);
    }
    case 'layernorm': {
      kindIs('real');
      vectorOnly();
      if (!(node.eps > 0)) fail(`${where}: eps must be positive`);
      const weight = f32(node.weight, [channels], 'weight');
      const bias = f32(node.bias, [channels], 'bias');
      const inputs = [x.name, b.floats(`${name}/weight`, [channels], weight), b.floats(`${name}/bias`, [channels], bias)];
      return real(b.op1('LayerNormalization', inputs, { axis: attrInt(-1), epsilon: attrFloat(node.eps) }, name), x.shape);
    }
    default:
      return fail(`${where}: an op the ONNX export lacks`);
  }
}

/**
 * LIF unrolled over the T steps (the runtime's float32 order): d = x − (v − r), h = v + d/τ, z = h − v_th,
 * spike = z ≥ 0, then v = spike ? r : h (hard reset) or spike ? z : h (soft). The T·N input rows split into
 * T blocks of N (or one block repeated), the spikes concatenated back in the same order.
 */
function lif(b: OnnxGraphBuilder, name: string, node: Extract<NodeSpec, { op: 'lif' }>, x: Val, where: string): string {
  const { steps, tau, vThreshold, vReset } = node;
  if (!Number.isInteger(steps) || steps < 1) fail(`${where}: steps must be a positive integer; got ${JSON.stringify(steps)}`);
  if (!(tau > 1) || !Number.isFinite(vThreshold) || !(vReset === null || Number.isFinite(vReset))) fail(`${where}: needs tau > 1, a finite vThreshold and a finite or null vReset`);
  const expect = node.repeat ? 1 : steps;
  if (x.steps !== expect) fail(`${where}: its input has ${x.steps} step(s) per example, expected ${expect}`);
  const rest = b.scalar(`${name}/v_rest`, vReset ?? 0);
  const tauC = b.scalar(`${name}/tau`, tau);
  const vth = b.scalar(`${name}/v_threshold`, vThreshold);
  const zero = b.scalar(`${name}/zero`, 0);
  const currents = node.repeat || steps === 1 ? Array<string>(steps).fill(x.name) : b.op('Split', [x.name], { axis: attrInt(0) }, steps, `${name}/x`);
  let v = rest;
  const spikes: string[] = [];
  for (let t = 0; t < steps; t++) {
    const at = `${name}/t${t}`;
    const leak = b.op1('Sub', [v, rest], {}, `${at}/v_minus_rest`);
    const d = b.op1('Sub', [currents[t], leak], {}, `${at}/drive`);
    const h = b.op1('Add', [v, b.op1('Div', [d, tauC], {}, `${at}/drive_tau`)], {}, `${at}/h`);
    const z = b.op1('Sub', [h, vth], {}, `${at}/margin`);
    const fired = b.op1('GreaterOrEqual', [z, zero], {}, `${at}/fired`);
    spikes.push(b.op1('Cast', [fired], { to: attrInt(1) }, `${at}/spike`));
    if (t < steps - 1) v = b.op1('Where', [fired, vReset === null ? z : rest, h], {}, `${at}/v`);
  }
  return steps === 1 ? b.op1('Identity', spikes, {}, name) : b.op1('Concat', spikes, { axis: attrInt(0) }, name);
}

/** [k, k, Cin, Cout] → [Cout, Cin, k, k]. */
function hwioToOihw(w: Float32Array, k: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let ky = 0; ky < k; ky++) {
    for (let kx = 0; kx < k; kx++) {
      for (let c = 0; c < cin; c++) {
        const row = ((ky * k + kx) * cin + c) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + c) * k + ky) * k + kx] = w[row + o];
      }
    }
  }
  return out;
}

/** Bit-packed ±1 weights [Cout, k, k, words] (bit c & 31 of word c >> 5 set = +1) → float ±1 [Cout, Cin, k, k]. */
function binaryWeightOihw(bits: Int32Array, cout: number, cin: number, k: number): Float32Array {
  const words = wordsFor(cin);
  const out = new Float32Array(cout * cin * k * k);
  for (let o = 0; o < cout; o++) {
    for (let ky = 0; ky < k; ky++) {
      for (let kx = 0; kx < k; kx++) {
        const base = ((o * k + ky) * k + kx) * words;
        for (let c = 0; c < cin; c++) out[((o * cin + c) * k + ky) * k + kx] = (bits[base + (c >>> 5)] >>> (c & 31)) & 1 ? 1 : -1;
      }
    }
  }
  return out;
}
