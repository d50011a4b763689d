// The htafb file, read without any of htaf's other code (the runtime is dependency-free): a safetensors
// file (8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and bytes,
// then the bytes) whose "__metadata__" holds format "htafb", a version and the graph as JSON.
// Every problem with the bytes is an Error naming what is wrong; nothing here can crash a page.

export const HTAFB_FORMAT = 'htafb';
export const HTAFB_VERSION = 1;

export type RuntimeDtype = 'F32' | 'U8' | 'I32';

export interface RuntimeTensor {
  dtype: RuntimeDtype;
  shape: number[];
  data: Float32Array | Uint8Array | Int32Array;
}

/** One layer of the graph. */
export type LayerSpec =
  /** y = x·Wᵀ + b on real inputs; weight [out, in]. */
  | { op: 'linear'; name: string; weight: string; bias: string }
  /** y = Σ_{j: bit j set} W[:, j] + b on bit inputs; weightT [in, out] (rows are added, not multiplied). */
  | { op: 'linear_bits'; name: string; weightT: string; bias: string }
  /** The exact step H(x) = 1[x ≥ 0]: real → bits (packed 32 to a word). */
  | { op: 'heaviside'; name: string }
  | { op: 'relu'; name: string };

export interface RuntimeGraph {
  /** 'mlp': a tabular network. */
  kind: 'mlp';
  inputs: number;
  outputs: number;
  /** binary (one logit), multiclass (k logits) or regression (one value, in the scaled target units). */
  task: 'binary' | 'multiclass' | 'regression';
  classes?: string[];
  layers: LayerSpec[];
}

export interface HtafbFile {
  graph: RuntimeGraph;
  tensors: Map<string, RuntimeTensor>;
  metadata: Record<string, string>;
}

const ELEMENT: Record<RuntimeDtype, number> = { F32: 4, U8: 1, I32: 4 };
const OPS = ['linear', 'linear_bits', 'heaviside', 'relu'];

function fail(msg: string): never {
  throw new Error(`htaf runtime: ${msg}`);
}

/** Parses and checks an htafb file's bytes. */
export function parseHtafb(bytes: Uint8Array): HtafbFile {
  if (!(bytes instanceof Uint8Array)) fail('loadModel needs the file\'s bytes as a Uint8Array');
  if (bytes.length < 8) fail(`the file is ${bytes.length} bytes, too short for a model (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8 || n > 100_000_000) fail(`the header claims ${n} bytes but the file holds ${bytes.length - 8} after the length (truncated, or not an htafb file)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    return fail('the header is not JSON: not an htafb (safetensors) file');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object: not an htafb file');
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  if (metadata.format !== HTAFB_FORMAT) fail(`not an htafb model (its format is ${metadata.format === undefined ? 'unset' : JSON.stringify(metadata.format)}; a training checkpoint must be exported first: htaf export --run DIR)`);
  if (Number(metadata.version) !== HTAFB_VERSION) fail(`graph version ${JSON.stringify(metadata.version)} is not supported (this runtime reads version ${HTAFB_VERSION})`);
  let graph: RuntimeGraph;
  try {
    graph = JSON.parse(metadata.graph);
  } catch {
    return fail('its graph is not JSON');
  }
  const dataStart = 8 + n;
  const tensors = new Map<string, RuntimeTensor>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = e as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const dtype = entry.dtype as RuntimeDtype;
    if (!(dtype in ELEMENT)) fail(`tensor '${name}' has dtype ${JSON.stringify(entry.dtype)}; the runtime reads F32, U8 and I32`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`tensor '${name}' has a bad shape ${JSON.stringify(shape)}`);
    const [begin, end] = entry.data_offsets ?? [NaN, NaN];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || end - begin !== count * ELEMENT[dtype]) fail(`tensor '${name}': its offsets [${begin}, ${end}] do not hold ${count} ${dtype} values`);
    if (dataStart + end > bytes.length) fail(`tensor '${name}' ends at byte ${dataStart + end} but the file has ${bytes.length} (truncated)`);
    const raw = bytes.slice(dataStart + begin, dataStart + end); // a copy: aligned, and independent of the caller's buffer
    const data = dtype === 'F32' ? new Float32Array(raw.buffer) : dtype === 'I32' ? new Int32Array(raw.buffer) : raw;
    tensors.set(name, { dtype, shape, data });
  }
  checkGraph(graph, tensors);
  return { graph, tensors, metadata };
}

function checkGraph(g: RuntimeGraph, tensors: Map<string, RuntimeTensor>): void {
  if (!g || g.kind !== 'mlp') fail(`graph kind ${JSON.stringify(g?.kind)} is not one this runtime runs (mlp)`);
  if (!Number.isInteger(g.inputs) || g.inputs < 1 || !Number.isInteger(g.outputs) || g.outputs < 1) fail('the graph\'s inputs and outputs must be positive integers');
  if (!Array.isArray(g.layers) || g.layers.length === 0) fail('the graph has no layers');
  let width = g.inputs;
  let bits = false;
  const need = (layer: string, key: string | undefined, shape: number[]) => {
    const t = key === undefined ? undefined : tensors.get(key);
    if (!t) fail(`layer '${layer}': tensor ${JSON.stringify(key)} is missing from the file`);
    if (t.dtype !== 'F32' || t.shape.join(',') !== shape.join(',')) fail(`layer '${layer}': tensor '${key}' is ${t.dtype} [${t.shape}], expected F32 [${shape}]`);
    return t;
  };
  for (const [i, l] of g.layers.entries()) {
    const name = typeof l?.name === 'string' ? l.name : `#${i}`;
    if (!OPS.includes(l?.op)) fail(`layer '${name}' (#${i}) is a '${String(l?.op)}', an op this runtime lacks (it runs ${OPS.join(', ')})`);
    if (l.op === 'linear' || l.op === 'linear_bits') {
      if ((l.op === 'linear_bits') !== bits) fail(`layer '${name}': a ${l.op} needs ${l.op === 'linear_bits' ? 'bit' : 'real'} inputs`);
      const out = tensors.get(l.bias)?.shape[0] ?? NaN;
      need(name, l.bias, [out]);
      if (l.op === 'linear') need(name, l.weight, [out, width]);
      else need(name, l.weightT, [width, out]);
      width = out;
      bits = false;
    } else {
      if (bits) fail(`layer '${name}': a ${l.op} needs real inputs`);
      bits = l.op === 'heaviside';
    }
  }
  if (bits || width !== g.outputs) fail(`the graph ends with ${bits ? 'bits' : `${width} values`}, not the ${g.outputs} outputs it declares`);
}
