// The htafb file, read without any of htaf's other code (the runtime is dependency-free): a safetensors
// file (8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and bytes,
// then the bytes) whose "__metadata__" holds format "htafb", a version and the graph as JSON.
// Every problem with the bytes is an Error naming what is wrong; nothing here can crash a page.

import type { RuntimeGraph } from './graph.js';
import type { RuntimeDtype, RuntimeTensor } from './format_types.js';
import { planGraph, type Plan } from './plan.js';

export type { RuntimeDtype, RuntimeTensor } from './format_types.js';

export const HTAFB_FORMAT = 'htafb';
/** 2: the graph is a list of nodes with named inputs (graph.ts); 1 (a tabular layer list) is no longer read. */
export const HTAFB_VERSION = 2;

export interface HtafbFile {
  graph: RuntimeGraph;
  plan: Plan;
  tensors: Map<string, RuntimeTensor>;
  metadata: Record<string, string>;
}

const ELEMENT: Record<RuntimeDtype, number> = { F32: 4, U8: 1, I32: 4 };

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
  if (Number(metadata.version) !== HTAFB_VERSION) fail(`graph version ${JSON.stringify(metadata.version)} is not supported (this runtime reads version ${HTAFB_VERSION}; export the run again with this htaf)`);
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
  return { graph, plan: planGraph(graph, tensors), tensors, metadata };
}
