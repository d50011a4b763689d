// Reading and writing the safetensors format (https://github.com/huggingface/safetensors):
//   8 bytes   little-endian u64 N, the header length
//   N bytes   UTF-8 JSON: {name: {dtype, shape, data_offsets: [begin, end]}, ..., "__metadata__": {k: v}}
//             (offsets relative to the start of the data section)
//   the rest  the tensors' bytes, contiguous, little-endian.
// Our writer produces the same bytes as tools/golden/safetensors_io.py (tensors packed in insertion
// order, compact JSON with non-ASCII escaped as Python's json.dumps does, "__metadata__" last, header
// padded with spaces to a multiple of 8), which Python's safetensors package also reads.
// Files are read tensor by tensor (never the whole file at once) and written atomically.
import {
  closeSync, fstatSync, openSync, readSync, writeSync,
} from 'node:fs';
import { endianness } from 'node:os';
import { N } from '../core/native.js';
import { writeFileAtomically } from './atomic_file.js';
import type { DType, Device } from '../core/types.js';
import { Tensor } from '../tensor/tensor.js';

/** The dtype names safetensors uses, for the dtypes htaf has. */
export type SafetensorsDtype = 'F32' | 'F64' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const TO_DTYPE: Record<SafetensorsDtype, DType> = {
  F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16',
  I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};
const FROM_DTYPE: Record<DType, SafetensorsDtype> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16',
  int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const ELEMENT_BYTES: Record<SafetensorsDtype, number> = {
  F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

/** Headers longer than this are rejected (as Python's safetensors does), so a corrupt length cannot make us allocate gigabytes. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

/** One tensor as a safetensors header describes it. */
export interface SafetensorsEntry {
  name: string;
  /** htaf's dtype name ('float32', ...). */
  dtype: DType;
  /** The file's dtype name ('F32', ...). */
  fileDtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data section. */
  dataOffsets: [number, number];
}

/** What readSafetensorsHeader finds: everything about a file except its tensors' values. */
export interface SafetensorsHeader {
  path: string;
  fileBytes: number;
  /** N, the JSON header's length in bytes (the data section starts at 8 + N). */
  headerBytes: number;
  /** The tensors, in the order their data lie in the file. */
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
}

export interface LoadSafetensorsOptions {
  /** Where to put the tensors (default 'cpu'). */
  device?: Device;
}

export interface LoadedSafetensors {
  /** The tensors in file order. They belong to the current scope, like any new tensor. */
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

function checkHostByteOrder(what: string, path: string): void {
  if (endianness() !== 'LE') throw new Error(`${what}: ${path}: safetensors data are little-endian and this host is big-endian; htaf supports little-endian hosts only`);
}

function fail(path: string, message: string, tensor?: string): Error {
  return new Error(`safetensors file ${path}: ${tensor === undefined ? '' : `tensor '${tensor}': `}${message}`);
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EISDIR') return 'is a directory, not a file';
  if (e?.code === 'EACCES') return 'permission denied';
  return e?.message ?? String(err);
}

/** Reads exactly `length` bytes at `position`, or throws naming the file. */
function readExactly(fd: number, path: string, buf: Uint8Array, position: number, what: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw fail(path, `the file ended while reading ${what} (got ${done} of ${buf.length} bytes; was it truncated or changed while reading?)`);
    done += n;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Parses and validates a header (the N bytes after the length), given the data section's size. */
function parseHeader(path: string, bytes: Uint8Array, dataBytes: number): { entries: SafetensorsEntry[]; metadata: Record<string, string> } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail(path, 'the header is not valid UTF-8 (is this a safetensors file?)');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const preview = text.length > 60 ? JSON.stringify(text.slice(0, 60)) + '...' : JSON.stringify(text);
    throw fail(path, `the header is not valid JSON (${(err as Error).message}); it starts ${preview} (is this a safetensors file?)`);
  }
  if (!isPlainObject(json)) throw fail(path, `the header must be a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`);

  const metadata: Record<string, string> = {};
  const rawMeta = json.__metadata__;
  if (rawMeta !== undefined && rawMeta !== null) {
    if (!isPlainObject(rawMeta)) throw fail(path, '"__metadata__" must be an object of strings');
    for (const [k, v] of Object.entries(rawMeta)) {
      if (typeof v !== 'string') throw fail(path, `"__metadata__" entry '${k}' must be a string, got ${v === null ? 'null' : typeof v}`);
      metadata[k] = v;
    }
  }

  const entries: SafetensorsEntry[] = [];
  for (const [name, info] of Object.entries(json)) {
    if (name === '__metadata__') continue;
    if (!isPlainObject(info)) throw fail(path, 'its header entry must be an object with dtype, shape and data_offsets', name);
    const fileDtype = info.dtype;
    if (typeof fileDtype !== 'string') throw fail(path, 'its header entry has no dtype string', name);
    if (!Object.hasOwn(TO_DTYPE, fileDtype)) {
      throw fail(path, `unknown or unsupported dtype '${fileDtype}' (htaf reads ${Object.keys(TO_DTYPE).join(', ')})`, name);
    }
    const st = fileDtype as SafetensorsDtype;
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      throw fail(path, `shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`, name);
    }
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
      throw fail(path, `data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`, name);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw fail(path, `data_offsets [${begin}, ${end}] end before they begin`, name);
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = numel * ELEMENT_BYTES[st];
    if (!Number.isSafeInteger(expected)) throw fail(path, `shape [${shape.join(', ')}] is too large`, name);
    if (end - begin !== expected) {
      throw fail(path, `data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape [${shape.join(', ')}] of ${st} needs ${expected}`, name);
    }
    if (end > dataBytes) {
      throw fail(path, `data_offsets [${begin}, ${end}] go beyond the data section (${dataBytes} bytes; is the file truncated?)`, name);
    }
    entries.push({ name, dtype: TO_DTYPE[st], fileDtype: st, shape: shape as number[], dataOffsets: [begin, end] });
  }

  // File order; the sort is stable, so empty tensors keep their header order.
  entries.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let covered = 0;
  let previous: string | undefined;
  for (const e of entries) {
    const [begin, end] = e.dataOffsets;
    if (begin < covered) {
      throw fail(path, `data_offsets [${begin}, ${end}] overlap those of tensor '${previous}' (which ends at ${covered})`, e.name);
    }
    if (begin > covered) {
      throw fail(path, `data_offsets [${begin}, ${end}] leave a gap of ${begin - covered} bytes before it (tensors must be packed)`, e.name);
    }
    covered = end;
    if (end > begin) previous = e.name;
  }
  if (covered !== dataBytes) {
    throw fail(path, `the data section holds ${dataBytes} bytes but its tensors cover ${covered}: ${dataBytes - covered} bytes of trailing data`);
  }
  return { entries, metadata };
}

function openForReading(path: string, what: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new Error(`${what}: cannot open safetensors file ${path}: ${describeFsError(err)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw fail(path, 'is not a regular file');
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function readHeaderFrom(fd: number, size: number, path: string): SafetensorsHeader {
  if (size < 8) {
    throw fail(path, `the file is too short (${size} bytes): a safetensors file starts with an 8-byte header length`);
  }
  const lenBuf = Buffer.alloc(8);
  readExactly(fd, path, lenBuf, 0, 'the header length');
  const n = lenBuf.readBigUInt64LE(0);
  if (n > BigInt(size - 8)) {
    throw fail(path, `the header length ${n} goes beyond the end of the file (${size} bytes, so at most ${size - 8}); the file is truncated or not a safetensors file`);
  }
  const headerBytes = Number(n);
  if (headerBytes > MAX_SAFETENSORS_HEADER_BYTES) {
    throw fail(path, `the header length ${headerBytes} exceeds the ${MAX_SAFETENSORS_HEADER_BYTES}-byte limit`);
  }
  if (headerBytes < 2) throw fail(path, `the header length ${headerBytes} is too small to hold a JSON object`);
  const header = new Uint8Array(headerBytes);
  readExactly(fd, path, header, 8, 'the header');
  const { entries, metadata } = parseHeader(path, header, size - 8 - headerBytes);
  return { path, fileBytes: size, headerBytes, entries, metadata };
}

/** The header of a safetensors file (names, dtypes, shapes, offsets, metadata), validated; reads no tensor data. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const { fd, size } = openForReading(path, 'readSafetensorsHeader');
  try {
    return readHeaderFrom(fd, size, path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads every tensor of a safetensors file, after validating the whole header (dtypes, shapes, offsets
 * in range, packed, not overlapping, sizes matching shape × dtype). Errors name the file and the tensor.
 * @example const { tensors, metadata } = loadSafetensors('model.safetensors');
 */
export function loadSafetensors(path: string, options: LoadSafetensorsOptions = {}): LoadedSafetensors {
  checkHostByteOrder('loadSafetensors', path);
  const { fd, size } = openForReading(path, 'loadSafetensors');
  const tensors = new Map<string, Tensor>();
  try {
    const header = readHeaderFrom(fd, size, path);
    const dataStart = 8 + header.headerBytes;
    for (const e of header.entries) {
      const [begin, end] = e.dataOffsets;
      const bytes = new Uint8Array(end - begin);
      readExactly(fd, path, bytes, dataStart + begin, `tensor '${e.name}'`);
      if (e.fileDtype === 'BOOL') {
        const bad = bytes.findIndex((b) => b > 1);
        if (bad >= 0) throw fail(path, `BOOL element ${bad} holds byte ${bytes[bad]}; booleans must be 0 or 1`, e.name);
      }
      let t: Tensor;
      try {
        t = Tensor.fromNative(N.fromBuffer(bytes, e.shape, e.dtype));
      } catch (err) {
        throw fail(path, (err as Error).message, e.name);
      }
      if (options.device !== undefined && options.device !== 'cpu') {
        tensors.set(e.name, t); // disposed with the others if the move fails
        const moved = t.toDevice(options.device);
        t.dispose();
        t = moved;
      }
      tensors.set(e.name, t);
    }
    return { tensors, metadata: header.metadata };
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  } finally {
    closeSync(fd);
  }
}

/** JSON text of a string exactly as Python's json.dumps writes it (ensure_ascii: everything outside ' '..'~' escaped). */
export function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

interface PlannedTensor {
  name: string;
  tensor: Tensor;
  fileDtype: SafetensorsDtype;
  shape: readonly number[];
  bytes: number;
}

function planTensors(path: string, tensors: Record<string, Tensor> | Map<string, Tensor>): PlannedTensor[] {
  if (typeof tensors !== 'object' || tensors === null) {
    throw new Error(`saveSafetensors: ${path}: tensors must be a Map or an object of name → Tensor, got ${tensors === null ? 'null' : typeof tensors}`);
  }
  const pairs: [unknown, unknown][] = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const plan: PlannedTensor[] = [];
  for (const [name, t] of pairs) {
    if (typeof name !== 'string') throw new Error(`saveSafetensors: ${path}: tensor names must be strings, got ${typeof name}`);
    if (name === '__metadata__') throw new Error(`saveSafetensors: ${path}: '__metadata__' is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new Error(`saveSafetensors: ${path}: '${name}' is not a Tensor (got ${t === null ? 'null' : typeof t})`);
    if (t.isDisposed) throw new Error(`saveSafetensors: ${path}: tensor '${name}' is disposed`);
    let dtype: DType;
    let shape: readonly number[];
    try {
      dtype = t.dtype;
      shape = t.shape;
    } catch (err) {
      throw new Error(`saveSafetensors: ${path}: tensor '${name}': ${(err as Error).message}`);
    }
    const fileDtype = FROM_DTYPE[dtype];
    if (!fileDtype) throw new Error(`saveSafetensors: ${path}: tensor '${name}' has dtype ${dtype}, which safetensors cannot store`);
    const bytes = shape.reduce((a, b) => a * b, 1) * ELEMENT_BYTES[fileDtype];
    plan.push({ name, tensor: t, fileDtype, shape, bytes });
  }
  return plan;
}

function headerText(path: string, plan: PlannedTensor[], metadata: Record<string, string> | undefined): string {
  const parts: string[] = [];
  let offset = 0;
  for (const p of plan) {
    parts.push(`${pythonJsonString(p.name)}:{"dtype":"${p.fileDtype}","shape":[${p.shape.join(',')}],"data_offsets":[${offset},${offset + p.bytes}]}`);
    offset += p.bytes;
  }
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) throw new Error(`saveSafetensors: ${path}: metadata must be an object of strings`);
    const meta: string[] = [];
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`saveSafetensors: ${path}: metadata '${k}' must be a string, got ${v === null ? 'null' : typeof v} (JSON.stringify it)`);
      meta.push(`${pythonJsonString(k)}:${pythonJsonString(v)}`);
    }
    if (meta.length > 0) parts.push(`"__metadata__":{${meta.join(',')}}`);
  }
  return `{${parts.join(',')}}`;
}

function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}

/**
 * Saves tensors (and optional string metadata) as a safetensors file, atomically. Tensors are written in
 * insertion order; any device, any layout (they are copied to contiguous CPU memory one at a time).
 * @example saveSafetensors('weights.safetensors', { 'fc.weight': w, 'fc.bias': b }, { epoch: '3' });
 */
export function saveSafetensors(path: string, tensors: Record<string, Tensor> | Map<string, Tensor>, metadata?: Record<string, string>): void {
  checkHostByteOrder('saveSafetensors', path);
  const plan = planTensors(path, tensors);
  let header = Buffer.from(headerText(path, plan, metadata), 'utf8');
  const pad = (8 - (header.length % 8)) % 8;
  if (pad) header = Buffer.concat([header, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  writeFileAtomically(path, 'saveSafetensors', (fd) => {
    writeAll(fd, len);
    writeAll(fd, header);
    for (const p of plan) {
      let data: Uint8Array;
      try {
        data = new Uint8Array(N.toBuffer(p.tensor.native));
      } catch (err) {
        throw new Error(`saveSafetensors: ${path}: cannot read tensor '${p.name}': ${(err as Error).message}`);
      }
      if (data.length !== p.bytes) throw new Error(`saveSafetensors: ${path}: tensor '${p.name}' gave ${data.length} bytes, expected ${p.bytes}`);
      writeAll(fd, data);
    }
  });
}
