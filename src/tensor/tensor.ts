// Tensor: one JS object owning one native tensor (docs/design.md rule 3). The bound ops come from the generated
// TensorOps base; this file adds what the op table cannot say: facts, data in and out, autograd, memory.
import { N } from '../core/native.js';
import { currentScope, type Scoped } from '../core/scope.js';
import { DTYPES, type DType, type Device, type NativeHandle } from '../core/types.js';
import { checkOptions, describeArgs, ho } from './tensor_base.js';
import { TensorOps } from './tensor_ops.generated.js';

export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;

/** A nested array of numbers (or booleans), as toArray() returns and tensor() accepts. */
export type NestedArray = number | boolean | NestedArray[];

const TYPED_ARRAY_OF: Partial<Record<DType, (buf: ArrayBuffer) => TypedArray>> = {
  float32: (b) => new Float32Array(b),
  float64: (b) => new Float64Array(b),
  int64: (b) => new BigInt64Array(b),
  int32: (b) => new Int32Array(b),
  int16: (b) => new Int16Array(b),
  int8: (b) => new Int8Array(b),
  uint8: (b) => new Uint8Array(b),
  bool: (b) => new Uint8Array(b),
};

export class Tensor extends TensorOps<Tensor> implements Scoped {
  #disposed = false;
  #kept = false;
  #shape: readonly number[] | undefined;
  #dtype: DType | undefined;

  constructor(native: NativeHandle) {
    if (typeof native !== 'object' || native === null) {
      throw new Error(`Tensor: expected a native handle (Tensors come from ops and tensor()), got ${native === null ? 'null' : typeof native}`);
    }
    super(native);
    currentScope()?.adopt(this);
  }

  /** Wraps a handle the addon returned; the new Tensor belongs to the current scope. */
  static fromNative(native: NativeHandle): Tensor {
    return new Tensor(native);
  }

  protected wrap(native: NativeHandle): Tensor {
    return new Tensor(native);
  }

  // ---- facts -------------------------------------------------------------------------------------

  get shape(): readonly number[] {
    return (this.#shape ??= Object.freeze(N.sizes(this.native)));
  }

  get dtype(): DType {
    return (this.#dtype ??= N.dtypeOf(this.native) as DType);
  }

  get device(): string {
    return N.deviceOf(this.native);
  }

  /** Size of one dimension (negative counts from the end). */
  size(dim: number): number {
    this.#assertLive('size');
    const d = dim < 0 ? dim + this.shape.length : dim;
    if (!Number.isInteger(d) || d < 0 || d >= this.shape.length) {
      throw new Error(`size(${describeArgs({ self: this, dim })}): dim ${dim} is out of range for a tensor with ${this.shape.length} dimensions`);
    }
    return this.shape[d];
  }

  // ---- memory ------------------------------------------------------------------------------------

  get isDisposed(): boolean {
    return this.#disposed;
  }

  get isKept(): boolean {
    return this.#kept;
  }

  /** Frees the native tensor now. Idempotent. Other tensors sharing its storage (views) stay valid. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    N.dispose(this.native);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Takes this tensor out of scope management: no scope will dispose it; dispose() it yourself. */
  keep(): this {
    this.#kept = true;
    return this;
  }

  // ---- data out ----------------------------------------------------------------------------------

  /** A copy of the elements in row-major order (int64 as BigInt64Array, bool as Uint8Array). */
  toTypedArray(): TypedArray {
    this.#assertLive('toTypedArray');
    const make = TYPED_ARRAY_OF[this.dtype];
    if (!make) {
      throw new Error(`toTypedArray(${describeArgs({ self: this })}): dtype ${this.dtype} has no JavaScript typed array; convert with toDtype('float32') first`);
    }
    return make(N.toBuffer(this.native));
  }

  /** The elements as nested arrays of numbers (booleans for bool tensors), like PyTorch's tolist(). */
  toArray(): NestedArray {
    this.#assertLive('toArray');
    const data = this.toTypedArray();
    const isBool = this.dtype === 'bool';
    const flat: (number | boolean)[] = Array.from(data as ArrayLike<number | bigint>, (v) => (isBool ? v !== 0 : Number(v)));
    const shape = this.shape;
    if (shape.length === 0) return flat[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = shape[dim];
      const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(dim === shape.length - 1 ? flat[offset + i] : build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** The elements as a flat array of numbers. */
  toFlatArray(): number[] {
    this.#assertLive('toFlatArray');
    return Array.from(this.toTypedArray() as ArrayLike<number | bigint>, Number);
  }

  // ---- conversion --------------------------------------------------------------------------------

  /** Converts to a dtype or moves to a device; returns this tensor's data unchanged when nothing changes. */
  to(target: DType | Device): Tensor {
    if (typeof target === 'string' && /^(cpu|cuda(:\d+)?)$/.test(target)) return this.toDevice(target as Device);
    if (!(DTYPES as readonly unknown[]).includes(target)) {
      throw new Error(`to(${describeArgs({ self: this, target })}): the target must be a dtype (${DTYPES.join(', ')}) ` +
        "or a device ('cpu', 'cuda', 'cuda:N')");
    }
    return this.toDtype(target as DType);
  }

  float(): Tensor {
    return this.toDtype('float32');
  }

  long(): Tensor {
    return this.toDtype('int64');
  }

  // ---- autograd ----------------------------------------------------------------------------------

  get requiresGrad(): boolean {
    return N.requiresGrad(this.native);
  }

  set requiresGrad(value: boolean) {
    N.setRequiresGrad(this.native, value);
  }

  /** Sets requiresGrad in place and returns this tensor. */
  requiresGrad_(value = true): this {
    N.setRequiresGrad(this.native, value);
    return this;
  }

  get isLeaf(): boolean {
    return N.isLeaf(this.native);
  }

  /** Name of the autograd node that produced this tensor ('' for leaves). */
  get gradFn(): string {
    return N.gradFnName(this.native);
  }

  /** The accumulated gradient, as a new handle on it (owned by the current scope), or null. */
  get grad(): Tensor | null {
    const g = N.gradOf(this.native);
    return g === null ? null : new Tensor(g);
  }

  set grad(value: Tensor | null) {
    // Anything but a Tensor, null or undefined reaches the addon, which rejects it naming setGrad.
    N.setGrad(this.native, ho(value));
  }

  /** Forgets the accumulated gradient (set to none, as PyTorch's zero_grad does by default). */
  zeroGrad(): void {
    N.setGrad(this.native, null);
  }

  /** Keeps the gradient of a non-leaf tensor after backward. */
  retainGrad(): this {
    N.retainGrad(this.native);
    return this;
  }

  /** Back-propagates from this tensor; a gradient is needed unless it has one element. */
  backward(gradient?: Tensor | null, options: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    checkOptions('backward', options, ['retainGraph', 'createGraph'], { self: this, gradient });
    const createGraph = options.createGraph ?? false;
    // A non-Tensor gradient (a number, a string) reaches the addon, which rejects it naming backward.
    N.backward(this.native, ho(gradient), options.retainGraph ?? createGraph, createGraph);
  }

  #assertLive(op: string): void {
    if (this.#disposed) throw new Error(`${op}(self=<disposed tensor>): the tensor is disposed`);
  }

  // ---- printing ----------------------------------------------------------------------------------

  toString(): string {
    if (this.#disposed) return 'Tensor(<disposed>)';
    const head = `Tensor(${this.dtype}[${this.shape.join(', ')}]${this.device === 'cpu' ? '' : ' @' + this.device}`;
    const n = this.shape.reduce((a, b) => a * b, 1);
    if (n > 64 || !TYPED_ARRAY_OF[this.dtype]) return head + ')';
    return `${head}, ${JSON.stringify(this.toArray())})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
