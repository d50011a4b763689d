// Tensors from JavaScript data. The op table's creation functions (zeros, randn, ...) live in
// functions.generated.ts; these are the ones that take data.
import { N } from '../core/native.js';
import { DTYPES, type DType, type Device } from '../core/types.js';
import { checkOptions } from './tensor_base.js';
import { Tensor, type NestedArray, type TypedArray } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

const DTYPE_OF_ARRAY: [new (...a: never[]) => TypedArray, DType][] = [
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [BigInt64Array, 'int64'],
  [Int32Array, 'int32'],
  [Int16Array, 'int16'],
  [Int8Array, 'int8'],
  [Uint8Array, 'uint8'],
];

const OPTION_NAMES = ['dtype', 'device', 'requiresGrad'] as const;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '...' : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  return typeof v;
}

function dtypeOfTypedArray(data: TypedArray, op: string): DType {
  for (const [ctor, dtype] of DTYPE_OF_ARRAY) if (data instanceof ctor) return dtype;
  throw new Error(`${op}: unsupported array type ${(data as object)?.constructor?.name ?? typeof data}; ` +
    'use Float32Array, Float64Array, BigInt64Array, Int32Array, Int16Array, Int8Array or Uint8Array');
}

/** Checks the options object of tensor()/fromTypedArray() before any native call, so errors name the op. */
function checkTensorOptions(op: string, options: unknown): asserts options is TensorOptions {
  checkOptions(op, options, OPTION_NAMES);
  const { dtype, device, requiresGrad } = options as Record<string, unknown>;
  if (dtype !== undefined && !(DTYPES as readonly unknown[]).includes(dtype)) {
    throw new Error(`${op}: unknown dtype ${describe(dtype)}; expected one of ${DTYPES.join(', ')}`);
  }
  if (device !== undefined && (typeof device !== 'string' || !/^(cpu|cuda(:\d+)?)$/.test(device))) {
    throw new Error(`${op}: unknown device ${describe(device)}; expected 'cpu', 'cuda' or 'cuda:N'`);
  }
  if (requiresGrad !== undefined && typeof requiresGrad !== 'boolean') {
    throw new Error(`${op}: option requiresGrad must be a boolean, got ${describe(requiresGrad)}`);
  }
  if (requiresGrad && dtype !== undefined && !FLOAT_DTYPES.includes(dtype as DType)) {
    throw new Error(`${op}: requiresGrad needs a floating dtype, got ${dtype}`);
  }
}

const FLOAT_DTYPES: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16'];

function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${op}: shape must be an array of non-negative integers, got ${Array.isArray(shape) ? JSON.stringify(shape) : describe(shape)}`);
  }
  return shape as number[];
}

/**
 * Runs the steps from a native tensor `t` to the result: each step's input is freed once the step returns,
 * and on an error every intermediate is freed and the error names `op`.
 */
function finish(t: Tensor, options: TensorOptions, op: string, dtype?: DType): Tensor {
  let out = t;
  const step = (f: (x: Tensor) => Tensor): void => {
    const next = f(out);
    if (next !== out) out.dispose();
    out = next;
  };
  try {
    if (dtype !== undefined && out.dtype !== dtype) step((x) => x.toDtype(dtype));
    const device = options.device ?? 'cpu';
    if (device !== 'cpu') step((x) => x.toDevice(device));
    if (options.requiresGrad) {
      if (!FLOAT_DTYPES.includes(out.dtype)) throw new Error(`${op}: requiresGrad needs a floating dtype, got ${out.dtype}`);
      out.requiresGrad_(true);
    }
    return out;
  } catch (err) {
    out.dispose();
    const msg = (err as Error).message;
    if (msg.startsWith(`${op}:`)) throw err;
    throw new Error(`${op}: ${msg}`, { cause: err });
  }
}

/**
 * A tensor holding a copy of a typed array, viewed with the given shape (default: 1-D).
 * The dtype follows the array (Uint8Array may be read as 'bool' with options.dtype).
 */
export function fromTypedArray(data: TypedArray, shape?: readonly number[], options: TensorOptions = {}): Tensor {
  const op = 'fromTypedArray';
  if (!ArrayBuffer.isView(data) || data instanceof DataView) throw new Error(`${op}: data must be a typed array, got ${describe(data)}`);
  const natural = dtypeOfTypedArray(data, op);
  checkTensorOptions(op, options);
  const dtype = options.dtype ?? natural;
  const dims = shape === undefined ? [data.length] : checkShape(op, shape);
  const numel = dims.reduce((a, b) => a * b, 1);
  if (numel !== data.length) {
    throw new Error(`${op}: shape [${dims.join(', ')}] holds ${numel} elements but the array has ${data.length}`);
  }
  const sameBytes = dtype === natural || (natural === 'uint8' && dtype === 'bool');
  const t = new Tensor(N.fromBuffer(data, dims, sameBytes ? dtype : natural));
  return finish(t, options, op, dtype);
}

const MAX_NESTING = 64;

function inferShape(data: NestedArray, where: string): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    // A cyclic array ([a] with a[0] === a) would loop here until V8 aborts the process.
    if (shape.length === MAX_NESTING) throw new Error(`${where}: the array is nested more than ${MAX_NESTING} levels deep (or contains itself)`);
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  const check = (v: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new Error(`${where}: ragged nested array: ${path} is an array where a number was expected`);
      if (typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`${where}: ${path} is ${describe(v)}, expected a number or boolean`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new Error(`${where}: ragged nested array: ${path} has ${Array.isArray(v) ? v.length : 'no'} items, expected ${shape[dim]}`);
    }
    // An index loop, not forEach: a hole ([1, , 3]) must be reported, not skipped.
    for (let i = 0; i < v.length; i++) check(v[i], dim + 1, `${path}[${i}]`);
  };
  check(data, 0, 'data');
  return shape;
}

// Integer dtypes: [min, max, typed array] for tensor()'s range check.
const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int64: [-(2 ** 63), 2 ** 63 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int16: [-(2 ** 15), 2 ** 15 - 1],
  int8: [-128, 127],
  uint8: [0, 255],
};

/**
 * A tensor from a number, a nested array or a typed array, like torch.tensor.
 * Numbers default to float32; booleans to bool. Integer dtypes take only integers in their range.
 * @example const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 */
export function tensor(data: NestedArray | TypedArray, options: TensorOptions = {}): Tensor {
  const op = 'tensor';
  if (ArrayBuffer.isView(data)) {
    checkTensorOptions(op, options);
    return fromTypedArray(data as TypedArray, undefined, options);
  }
  checkTensorOptions(op, options);
  const shape = inferShape(data as NestedArray, op);
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data]) as (number | boolean)[];
  const isBool = flat.length > 0 && flat.every((v) => typeof v === 'boolean');
  const dtype = options.dtype ?? (isBool ? 'bool' : 'float32');
  const range = INT_RANGE[dtype];
  if (range) {
    flat.forEach((v, i) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
        throw new Error(`${op}: element ${i} (${v}) is not an integer in [${range[0]}, ${range[1]}], as dtype ${dtype} needs`);
      }
    });
  }
  let typed: TypedArray;
  switch (dtype) {
    case 'int64': typed = BigInt64Array.from(flat, (v) => BigInt(Number(v))); break;
    case 'int32': typed = Int32Array.from(flat, Number); break;
    case 'int16': typed = Int16Array.from(flat, Number); break;
    case 'int8': typed = Int8Array.from(flat, Number); break;
    case 'uint8': typed = Uint8Array.from(flat, Number); break;
    case 'bool': typed = Uint8Array.from(flat, (v) => (Number(v) !== 0 ? 1 : 0)); break; // NaN is true, as in Python
    case 'float64': typed = Float64Array.from(flat, Number); break;
    default: typed = Float32Array.from(flat, Number); // float32, and float16/bfloat16 by conversion
  }
  const natural = dtypeOfTypedArray(typed, op);
  const t = new Tensor(N.fromBuffer(typed, shape, dtype === 'bool' ? 'bool' : natural));
  return finish(t, options, op, dtype);
}

/** Alias of tensor() for JavaScript arrays. */
export const fromArray = tensor;
