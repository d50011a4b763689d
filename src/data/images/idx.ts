// The IDX format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist): a big-endian header (two zero
// bytes, a type byte, the number of dimensions, then one uint32 per dimension) and the values. Files are
// read plain or gzip-compressed; only uint8 data exists in the datasets we read, so only it is accepted.
import { gunzipSync } from 'node:zlib';
import { readBytes } from './read_bytes.js';

/** IDX magic numbers: uint8 data with 3 dimensions (images N×H×W) and with 1 (labels N). */
export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

const TYPE_NAMES: Record<number, string> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

/** An IDX array: its dimensions and its uint8 values, row-major. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Images of an IDX file: N×H×W grayscale pixels. */
export interface IdxImages {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** count·height·width bytes, image-major then row, column. */
  readonly pixels: Uint8Array;
}

const hex = (v: number): string => '0x' + v.toString(16).padStart(8, '0');

function isGzip(bytes: Uint8Array, file: string): boolean {
  return file.endsWith('.gz') || (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b);
}

/** The file's bytes, gunzipped when it is gzip (by its .gz name or its gzip signature). */
export function readMaybeGzip(file: string): Uint8Array {
  const raw = readBytes(file);
  if (!isGzip(raw, file)) return raw;
  try {
    return gunzipSync(raw);
  } catch (err) {
    throw new Error(`${file}: corrupt or truncated gzip data (${(err as Error).message})`);
  }
}

/**
 * Parses IDX bytes of uint8 data with the given magic number. `file` names the source in messages.
 * Throws for a wrong magic number, a non-uint8 type, a zero dimension, or data shorter or longer than the
 * header's dimensions say.
 */
export function parseIdx(bytes: Uint8Array, file: string, magic: number): IdxArray {
  const expectedDims = magic & 0xff;
  const what = magic === IDX_IMAGES_MAGIC ? 'an IDX image file' : magic === IDX_LABELS_MAGIC ? 'an IDX label file' : 'the IDX file expected';
  if (bytes.length < 4) throw new Error(`${file}: truncated: ${bytes.length} bytes, too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = view.getUint32(0);
  if (got !== magic) {
    const type = bytes[2];
    const hint = bytes[0] === 0 && bytes[1] === 0 && TYPE_NAMES[type] !== undefined
      ? ` (an IDX file of ${TYPE_NAMES[type]} data with ${bytes[3]} dimensions)`
      : ' (not an IDX file)';
    throw new Error(`${file}: wrong magic number ${hex(got)}${hint}; ${what} starts with ${hex(magic)}`);
  }
  const headerBytes = 4 + 4 * expectedDims;
  if (bytes.length < headerBytes) {
    throw new Error(`${file}: truncated: ${bytes.length} bytes, too short for the ${headerBytes}-byte header of ${what}`);
  }
  const dims: number[] = [];
  for (let d = 0; d < expectedDims; d++) dims.push(view.getUint32(4 + 4 * d));
  if (dims.some((n) => n === 0)) throw new Error(`${file}: the header's dimensions [${dims.join(', ')}] include a zero`);
  const dataBytes = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - headerBytes;
  if (have < dataBytes) {
    throw new Error(`${file}: truncated: the header's dimensions [${dims.join(', ')}] need ${dataBytes} bytes of data, the file has ${have}`);
  }
  if (have > dataBytes) {
    throw new Error(`${file}: ${have - dataBytes} bytes after the data the header's dimensions [${dims.join(', ')}] describe (${dataBytes} bytes); the file is corrupt or not this format`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads an IDX image file (magic 0x00000803, uint8 N×H×W), plain or .gz. The pixels are a fresh copy. */
export function readIdxImages(file: string): IdxImages {
  const { dims, data } = parseIdx(readMaybeGzip(file), file, IDX_IMAGES_MAGIC);
  return { count: dims[0], height: dims[1], width: dims[2], pixels: new Uint8Array(data) };
}

/**
 * Reads an IDX label file (magic 0x00000801, uint8 N), plain or .gz. With `classCount`, a label outside
 * 0..classCount-1 is an Error naming the file, the index and the label.
 */
export function readIdxLabels(file: string, classCount?: number): Int32Array {
  const { data } = parseIdx(readMaybeGzip(file), file, IDX_LABELS_MAGIC);
  const labels = Int32Array.from(data);
  if (classCount !== undefined) {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] >= classCount) {
        throw new Error(`${file}: label ${labels[i]} at index ${i} is out of range 0..${classCount - 1}`);
      }
    }
  }
  return labels;
}

/** The IDX bytes of uint8 data with these dimensions (1: labels, 3: images), e.g. to write test files. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length < 1 || dims.length > 255 || !dims.every((d) => Number.isInteger(d) && d >= 0 && d <= 0xffffffff)) {
    throw new Error(`encodeIdx: dims must be 1 to 255 non-negative 32-bit integers, got ${JSON.stringify(dims)}`);
  }
  const n = dims.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`encodeIdx: dims [${dims.join(', ')}] hold ${n} values but data has ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + n);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
