// Tensors from JavaScript data. The op table's creation functions (zeros, randn, ...) live in
// functions.generated.ts; these are the ones that take data.
import { N } from '../core/native.js';
import type { DType, Device } from '../core/types.js';
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

function dtypeOfTypedArray(data: TypedArray): DType {
  for (const [ctor, dtype] of DTYPE_OF_ARRAY) if (data instanceof ctor) return dtype;
  throw new Error(`fromTypedArray: unsupported array type ${(data as object).constructor?.name}`);
}

function finish(t: Tensor, options: TensorOptions, op: string): Tensor {
  const { device = 'cpu', requiresGrad = false } = options;
  let out = t;
  if (device !== 'cpu') {
    out = t.toDevice(device);
    t.dispose();
  }
  if (requiresGrad) {
    if (!out.dtype.startsWith('float')) throw new Error(`${op}: requiresGrad needs a floating dtype, got ${out.dtype}`);
    out.requiresGrad_(true);
  }
  return out;
}

/**
 * A tensor holding a copy of a typed array, viewed with the given shape (default: 1-D).
 * The dtype follows the array (Uint8Array may be read as 'bool' with options.dtype).
 */
export function fromTypedArray(data: TypedArray, shape?: readonly number[], options: TensorOptions = {}): Tensor {
  if (!ArrayBuffer.isView(data)) throw new Error('fromTypedArray: data must be a typed array');
  const natural = dtypeOfTypedArray(data);
  const dtype = options.dtype ?? natural;
  const dims = shape ?? [data.length];
  const sameBytes = dtype === natural || (natural === 'uint8' && dtype === 'bool');
  const t = new Tensor(N.fromBuffer(data, dims, sameBytes ? dtype : natural));
  if (sameBytes) return finish(t, options, 'fromTypedArray');
  const converted = t.toDtype(dtype);
  t.dispose();
  return finish(converted, options, 'fromTypedArray');
}

function inferShape(data: NestedArray, where: string): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  const check = (v: NestedArray, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new Error(`${where}: ragged nested array: ${path} is an array where a number was expected`);
      if (typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`${where}: ${path} is ${typeof v}, expected a number or boolean`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new Error(`${where}: ragged nested array: ${path} has ${Array.isArray(v) ? v.length : 'no'} items, expected ${shape[dim]}`);
    }
    v.forEach((x, i) => check(x, dim + 1, `${path}[${i}]`));
  };
  check(data, 0, 'data');
  return shape;
}

/**
 * A tensor from a number, a nested array or a typed array, like torch.tensor.
 * Numbers default to float32; booleans to bool.
 * @example const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 */
export function tensor(data: NestedArray | TypedArray, options: TensorOptions = {}): Tensor {
  if (ArrayBuffer.isView(data)) return fromTypedArray(data as TypedArray, undefined, options);
  const shape = inferShape(data as NestedArray, 'tensor');
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : [data]) as (number | boolean)[];
  const isBool = flat.length > 0 && typeof flat[0] === 'boolean';
  const dtype = options.dtype ?? (isBool ? 'bool' : 'float32');
  let typed: TypedArray;
  if (dtype === 'int64') {
    typed = BigInt64Array.from(flat, (v, i) => {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new Error(`tensor: element ${i} (${v}) is not an integer, as dtype int64 needs`);
      return BigInt(n);
    });
  } else if (dtype === 'bool' || dtype === 'uint8') {
    typed = Uint8Array.from(flat, Number);
  } else {
    typed = Float64Array.from(flat, Number);
  }
  const natural = dtypeOfTypedArray(typed);
  const t = new Tensor(N.fromBuffer(typed, shape, dtype === 'bool' ? 'bool' : natural));
  if (t.dtype === dtype) return finish(t, options, 'tensor');
  const converted = t.toDtype(dtype);
  t.dispose();
  return finish(converted, options, 'tensor');
}

/** Alias of tensor() for JavaScript arrays. */
export const fromArray = tensor;
