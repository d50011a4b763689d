// 'htaf/runtime': run an exported model (htaf export) without libtorch, a native build or any package:
//   const model = loadModel(bytes);                       // the .htafb file's bytes
//   const { outputs, classes } = model.predict(x, n);     // n examples of model.graph.input, row-major (images CHW)
// This layer imports nothing else of htaf (tools/check-imports.mjs enforces it), so a bundler can ship it
// to a browser alone. Binary activations stay one bit each; see docs/runtime.md.
import { parseHtafb, type HtafbFile } from './format.js';
import type { NodeSpec, RuntimeGraph } from './graph.js';
import { bytesOf as bitBytes, bytesPerPixel, jsKernels, popcount, type Kernels } from './kernels.js';
import { addReal, affine, avgPool, globalAvgPoolBits, globalAvgPoolReal, layerNorm, lif, maxPool, relu, toChannelsLast } from './ops.js';
import { rowBytes, type ValueInfo } from './plan.js';

export { HTAFB_FORMAT, HTAFB_VERSION } from './format.js';
export type { NodeSpec, RuntimeGraph, ValueKind } from './graph.js';
export { jsKernels, type ConvShape, type Kernels } from './kernels.js';
export { createWasmKernels, wasmAvailable } from './wasm.js';

/** What one step or LIF layer did on the batch. */
export interface LayerActivity {
  layer: string;
  op: 'step' | 'lif';
  /** The share of its output bits that are ones (for a LIF layer: its firing rate per neuron and step). */
  ones: number;
}

export interface Prediction {
  /** rows × graph.outputs, row-major: logits (binary: one, multiclass: k) or the regression value. */
  outputs: Float32Array;
  rows: number;
  /** Per row, the predicted class index (binary: logit ≥ 0; multiclass: argmax); absent for regression. */
  classes?: Int32Array;
  /** ICBM: per row, the concept bits (rows × concepts, 0/1). */
  concepts?: Uint8Array;
  /** Per step and LIF layer, the share of ones. */
  activity: LayerActivity[];
  /**
   * Per row, the smallest |pre-activation − threshold| any step or spike met (in the units of the batch norm's
   * output, or of the membrane potential): another engine can disagree on a row only when this is within rounding.
   */
  margins: Float64Array;
  /** The most bytes the activations held at once during this call. */
  peakActivationBytes: number;
}

export interface LayerInfo {
  name: string;
  op: string;
  kind: ValueInfo['kind'];
  /** Per row: [H, W, C] or [F]. */
  shape: number[];
  /** Bits one example's output takes (1 per activation after a step: C·H·W for C of 8, 16 or a multiple of 32, else padded per pixel to 8, 16 or a multiple of 32; 32 per real value). */
  bitsPerExample: number;
}

export interface ModelInfo {
  layers: LayerInfo[];
  /**
   * Per example, the most bytes the activations hold at once (each value freed after its last reader):
   * as this runtime keeps them (bits packed), and as float32 tensors would (what libtorch's exact mode holds).
   */
  peakActivationBytesPerExample: { packed: number; float32: number };
  /** Bytes of the weights as stored (binary weights: 1 bit each). */
  parameterBytes: number;
  /** Bytes the same weights take as float32 (a binary weight as one float). */
  float32ParameterBytes: number;
  metadata: Record<string, string>;
}

export interface LoadOptions {
  /** The kernels to run with (default: the plain-JS ones; see createWasmKernels, and nativeKernels in Node). */
  kernels?: Kernels;
}

export interface RuntimeModel {
  readonly graph: RuntimeGraph;
  readonly engine: Kernels['engine'];
  predict(input: Float32Array, rows: number): Prediction;
  /**
   * Image models: 8-bit pixels (rows × C × H × W, 0-255) standardized as in training ((p/255 − mean)/std per
   * channel, the run's statistics), ready for predict.
   */
  standardize(pixels: Uint8Array | Uint8ClampedArray, rows: number): Float32Array;
  info(): ModelInfo;
}

/** Loads a model from the bytes of an .htafb file (errors name what is wrong with them). */
export function loadModel(bytes: Uint8Array, options: LoadOptions = {}): RuntimeModel {
  return new Model(parseHtafb(bytes), options.kernels ?? jsKernels);
}

/** Dead maps kept per length: a network's maps come in a few sizes, each needed a few times over. */
const POOL = 4;

type Value = { kind: 'real'; data: Float32Array } | { kind: 'bits' | 'signs'; planes: Uint32Array[] };

const bytesOf = (v: Value): number => (v.kind === 'real' ? v.data.byteLength : v.planes.reduce((s, p) => s + p.byteLength, 0));

class Model implements RuntimeModel {
  readonly graph: RuntimeGraph;
  readonly engine: Kernels['engine'];
  readonly #file: HtafbFile;
  readonly #k: Kernels;
  /**
   * Dead real maps by length, for the kernels to fill again (Kernels' `out`): on this engine-bound loop a
   * fresh multi-megabyte array costs more in page faults than a small conv's arithmetic. Only arrays the
   * kernels and ops made go in (never the caller's input or a returned output), at most POOL per length.
   */
  readonly #pool = new Map<number, Float32Array[]>();

  constructor(file: HtafbFile, kernels: Kernels) {
    this.#file = file;
    this.graph = file.graph;
    this.#k = kernels;
    this.engine = kernels.engine;
  }

  #f32(name: string): Float32Array {
    return this.#file.tensors.get(name)!.data as Float32Array;
  }

  #f32Opt(name: string | undefined): Float32Array | undefined {
    return name === undefined ? undefined : this.#f32(name);
  }

  predict(input: Float32Array, rows: number): Prediction {
    const g = this.graph;
    const perExample = g.input.reduce((a, b) => a * b, 1);
    if (!(input instanceof Float32Array)) throw new Error(`htaf runtime: predict needs a Float32Array of rows × [${g.input}] values; got ${Object.prototype.toString.call(input)}`);
    if (!Number.isInteger(rows) || rows < 1 || input.length !== rows * perExample) {
      throw new Error(`htaf runtime: predict: ${input.length} values are not ${rows} rows × [${g.input.join(', ')}] (the model's input shape is [rows, ${g.input.join(', ')}])`);
    }
    const plan = this.#file.plan.values;
    const margins = new Float64Array(rows).fill(Infinity);
    const activity: LayerActivity[] = [];
    const live = new Map<string, Value>();
    const x0 = g.kind === 'image' ? toChannelsLast(input, rows, g.input[0], g.input[1], g.input[2]) : input;
    live.set('input', { kind: 'real', data: x0 });
    let liveBytes = x0 === input ? 0 : x0.byteLength;
    let peak = liveBytes;
    g.nodes.forEach((node, i) => {
      const out = this.#run(node, node.inputs.map((v) => live.get(v)!), node.inputs.map((v) => plan.get(v)!), rows, margins, plan.get(node.name)!);
      live.set(node.name, out);
      liveBytes += bytesOf(out);
      peak = Math.max(peak, liveBytes);
      if (node.op === 'step' || node.op === 'lif') {
        const planes = (out as { planes: Uint32Array[] }).planes;
        const info = plan.get(node.name)!;
        const size = info.shape.reduce((a, b) => a * b, 1);
        activity.push({ layer: node.name, op: node.op, ones: popcount(planes[0]) / (rows * info.steps * size) });
      }
      for (const v of new Set(node.inputs)) {
        if (plan.get(v)!.lastUse === i) {
          const dead = live.get(v)!;
          if (v !== 'input' || x0 !== input) liveBytes -= bytesOf(dead);
          if (v !== 'input' && dead.kind === 'real') this.#recycle(dead.data);
          live.delete(v);
        }
      }
    });
    const outputs = (live.get(g.output) as { data: Float32Array }).data;
    const prediction: Prediction = { outputs, rows, activity, margins, peakActivationBytes: peak };
    if (g.task !== 'regression') prediction.classes = argmax(outputs, rows, g.outputs);
    if (g.concepts !== undefined) {
      const m = plan.get(g.concepts)!.shape[0];
      prediction.concepts = unpackBits((live.get(g.concepts) as { planes: Uint32Array[] }).planes[0], rows, m);
    }
    return prediction;
  }

  /** One node on its input values. */
  #recycle(a: Float32Array): void {
    if (this.#k.engine === 'js') return; // its kernels allocate anyway
    const list = this.#pool.get(a.length);
    if (!list) this.#pool.set(a.length, [a]);
    else if (list.length < POOL && !list.includes(a)) list.push(a);
  }

  /** A dead map of `length` values, if one is pooled. */
  #take(length: number): Float32Array | undefined {
    return this.#pool.get(length)?.pop();
  }

  #run(node: NodeSpec, ins: Value[], infos: ValueInfo[], n: number, margins: Float64Array, result: ValueInfo): Value {
    const x = ins[0];
    const info = infos[0];
    const rows = n * info.steps;
    const real = (): Float32Array => (x as { data: Float32Array }).data;
    const planes = (): Uint32Array[] => (x as { planes: Uint32Array[] }).planes;
    const [h, w] = info.shape.length === 3 ? info.shape : [1, 1];
    const c = info.shape[info.shape.length - 1];
    const k = this.#k;
    const out = (): Float32Array | undefined => this.#take(n * result.steps * result.shape.reduce((a, b) => a * b, 1));
    switch (node.op) {
      case 'conv2d':
      case 'conv2d_bits':
      case 'conv2d_binary': {
        const s = { n: rows, h, w, cin: c, cout: 0, kernel: node.kernel, stride: node.stride, padding: node.padding };
        if (node.op === 'conv2d_binary') {
          const scale = this.#f32(node.scale);
          s.cout = scale.length;
          const wb = this.#file.tensors.get(node.weightBits)!.data as Int32Array;
          return { kind: 'real', data: k.convBinary(planes()[0], wb, scale, this.#f32(node.bias), s, out()) };
        }
        const weight = this.#f32(node.weight);
        s.cout = weight.length / (node.kernel * node.kernel * c);
        const bias = this.#f32Opt(node.bias);
        return { kind: 'real', data: node.op === 'conv2d' ? k.convFloat(real(), weight, bias, s, out()) : k.convBits(planes(), weight, bias, s, out()) };
      }
      case 'linear':
      case 'linear_bits': {
        const bias = this.#f32(node.bias);
        const s = { n: rows, h: 1, w: 1, cin: c, cout: bias.length, kernel: 1, stride: 1, padding: 0 };
        const weight = this.#f32(node.weight);
        return { kind: 'real', data: node.op === 'linear' ? k.convFloat(real(), weight, bias, s) : k.convBits(planes(), weight, bias, s) };
      }
      case 'step': {
        const pixels = h * w;
        const perRow = info.steps === 1 ? margins : new Float64Array(rows).fill(Infinity);
        const bits = k.step(real(), rows * pixels, c, this.#f32(node.threshold), this.#f32(node.gain), pixels, perRow);
        if (perRow !== margins) for (let r = 0; r < rows; r++) margins[r % n] = Math.min(margins[r % n], perRow[r]);
        return { kind: node.signed ? 'signs' : 'bits', planes: [bits] };
      }
      case 'lif': {
        const p = { steps: node.steps, tau: node.tau, vThreshold: node.vThreshold, vReset: node.vReset, repeat: node.repeat === true };
        return { kind: 'bits', planes: [(k.lif?.bind(k) ?? lif)(real(), n, h * w, c, p, margins)] };
      }
      case 'add':
        return x.kind === 'real' ? { kind: 'real', data: (k.addReal ? k.addReal(x.data, (ins[1] as { data: Float32Array }).data, out()) : addReal(x.data, (ins[1] as { data: Float32Array }).data)) } : { kind: 'bits', planes: [...planes(), ...(ins[1] as { planes: Uint32Array[] }).planes] };
      case 'affine':
        return { kind: 'real', data: (k.affine?.bind(k) ?? affine)(real(), c, this.#f32(node.scale), this.#f32(node.shift), node.relu === true) };
      case 'relu':
        return { kind: 'real', data: relu(real()) };
      case 'maxpool2d':
      case 'avgpool2d': {
        const s = { n: rows, h, w, c, kernel: node.kernel, stride: node.stride, padding: node.padding };
        return { kind: 'real', data: node.op === 'maxpool2d' ? (k.maxPool?.bind(k) ?? maxPool)(real(), s) : (k.avgPool?.bind(k) ?? avgPool)(real(), s) };
      }
      case 'global_avgpool':
        return { kind: 'real', data: x.kind === 'real' ? (k.globalAvgPoolReal?.bind(k) ?? globalAvgPoolReal)(x.data, rows, h * w, c, info.steps) : (k.globalAvgPoolBits?.bind(k) ?? globalAvgPoolBits)(x.planes, rows, h * w, c, info.steps) };
      case 'layernorm':
        return { kind: 'real', data: layerNorm(real(), rows, c, this.#f32(node.weight), this.#f32(node.bias), node.eps) };
    }
  }

  standardize(pixels: Uint8Array | Uint8ClampedArray, rows: number): Float32Array {
    const g = this.graph;
    const stats = this.#file.metadata.stats;
    if (g.kind !== 'image' || stats === undefined) throw new Error('htaf runtime: standardize is for image models (this file holds no channel statistics)');
    const [c, h, w] = g.input;
    if (!Number.isInteger(rows) || rows < 1 || pixels.length !== rows * c * h * w) throw new Error(`htaf runtime: standardize: ${pixels.length} pixels are not ${rows} images of [${g.input.join(', ')}]`);
    const { mean, std } = JSON.parse(stats) as { mean: number[]; std: number[] };
    const lut = new Float32Array(256 * c);
    for (let ch = 0; ch < c; ch++) for (let p = 0; p < 256; p++) lut[ch * 256 + p] = (p / 255 - mean[ch]) / std[ch];
    const x = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) x[i] = lut[Math.floor(i / (h * w)) % c * 256 + pixels[i]];
    return x;
  }

  /** Walks the plan's lifetimes: bytes alive after each node, before its inputs are freed. */
  #peakBytes(): { packed: number; float32: number } {
    const plan = this.#file.plan.values;
    const input = plan.get('input')!;
    let packed = 4 * elements(input);
    let float32 = packed;
    const peak = { packed, float32 };
    this.graph.nodes.forEach((node, i) => {
      const v = plan.get(node.name)!;
      packed += rowBytes(v) * v.steps;
      float32 += 4 * elements(v);
      peak.packed = Math.max(peak.packed, packed);
      peak.float32 = Math.max(peak.float32, float32);
      for (const name of new Set(node.inputs)) {
        const u = plan.get(name)!;
        if (u.lastUse === i) {
          packed -= rowBytes(u) * u.steps;
          float32 -= 4 * elements(u);
        }
      }
    });
    return peak;
  }

  info(): ModelInfo {
    const plan = this.#file.plan.values;
    const layers = this.graph.nodes.map((node) => {
      const v = plan.get(node.name)!;
      return { name: node.name, op: node.op, kind: v.kind, shape: v.shape, bitsPerExample: 8 * rowBytes(v) * v.steps };
    });
    // A binary conv's weight bits, by tensor name, with the input channels they pack.
    const binaryCin = new Map<string, number>();
    for (const node of this.graph.nodes) if (node.op === 'conv2d_binary') binaryCin.set(node.weightBits, plan.get(node.inputs[0])!.shape[2]);
    let parameterBytes = 0;
    let float32ParameterBytes = 0;
    for (const [name, t] of this.#file.tensors) {
      parameterBytes += t.data.byteLength;
      const cin = binaryCin.get(name);
      float32ParameterBytes += cin === undefined ? t.data.byteLength : 4 * t.shape[0] * t.shape[1] * t.shape[2] * cin;
    }
    return { layers, peakActivationBytesPerExample: this.#peakBytes(), parameterBytes, float32ParameterBytes, metadata: { ...this.#file.metadata, graph: '(see graph)' } };
  }
}

function elements(v: ValueInfo): number {
  return v.shape.reduce((a, b) => a * b, 1) * v.steps;
}

function argmax(outputs: Float32Array, rows: number, k: number): Int32Array {
  const classes = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (k === 1) classes[r] = outputs[r] >= 0 ? 1 : 0;
    else {
      let best = 0;
      for (let c = 1; c < k; c++) if (outputs[r * k + c] > outputs[r * k + best]) best = c;
      classes[r] = best;
    }
  }
  return classes;
}

function unpackBits(bits: Uint32Array, rows: number, width: number): Uint8Array {
  const bpp = bytesPerPixel(width);
  const bytes = bitBytes(bits);
  const out = new Uint8Array(rows * width);
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) out[r * width + j] = (bytes[r * bpp + (j >>> 3)] >>> (j & 7)) & 1;
  return out;
}
