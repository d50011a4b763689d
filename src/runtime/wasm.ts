// The runtime's kernels in WebAssembly (SIMD128), compiled from native/kernels/runtime_kernels.c by
// tools/build-wasm.mjs into wasm_kernels.generated.ts (the bytes as base64, so no loader or fetch is needed,
// in Node or a browser). Memory above __heap_base holds, bottom up: the weights, copied in once per typed
// array and found again by identity (a model passes the same arrays on every call, and must not change
// them afterwards), then one scratch region per call for the inputs and outputs, reused by the next call.
import type { ConvShape, Kernels, LifParams, PoolShape } from './kernels.js';
import { packedWords } from './kernels.js';
import { checkAddReal, checkAffine, checkConvBinary, checkConvBits, checkConvFloat, checkGlobalPool, checkLif, checkPool, checkShape, checkStep } from './kernel_args.js';
import { ceilOutSide } from './ops.js';
import { WASM_KERNELS_BASE64 } from './wasm_kernels.generated.js';

// The slice of the WebAssembly API used here: tsconfig's lib has no DOM and @types/node does not declare
// it, so it is declared (no code is emitted; the engine's global WebAssembly is what runs).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

interface KernelExports {
  memory: WasmMemory;
  __heap_base: { value: number };
  rk_conv_float(y: number, x: number, weight: number, bias: number, n: number, h: number, w: number, cin: number, cout: number, k: number, stride: number, padding: number): void;
  rk_conv_bits_lut_floats(planes: number, nplanes: number, n: number, h: number, w: number, cin: number, cout: number, k: number, stride: number): bigint;
  rk_conv_bits(y: number, planes: number, nplanes: number, weight: number, bias: number, lut: number, n: number, h: number, w: number, cin: number, cout: number, k: number, stride: number, padding: number): void;
  rk_conv_binary_scratch_bytes(cin: number, cout: number, k: number): bigint;
  rk_conv_binary(y: number, x: number, weightBits: number, scale: number, bias: number, scratch: number, n: number, h: number, w: number, cin: number, cout: number, k: number, stride: number, padding: number): void;
  rk_step(bits: number, x: number, pixels: number, channels: number, threshold: number, gain: number, perExample: number, margins: number): void;
  rk_lif(bits: number, v: number, x: number, n: number, pixels: number, c: number, steps: number, tau: number, vth: number, vreset: number, soft: number, repeat: number, margins: number): void;
  rk_add_real(y: number, a: number, b: number, len: number): void;
  rk_affine(y: number, x: number, pixels: number, channels: number, scale: number, shift: number, relu: number): void;
  rk_avg_pool(y: number, x: number, n: number, h: number, w: number, c: number, k: number, stride: number, padding: number): void;
  rk_max_pool(y: number, x: number, n: number, h: number, w: number, c: number, k: number, stride: number, padding: number): void;
  rk_global_avg_pool_real(y: number, x: number, rows: number, pixels: number, c: number, steps: number): void;
  rk_global_avg_pool_bits(y: number, planes: number, nplanes: number, rows: number, pixels: number, c: number, steps: number): void;
}

type Constant = Float32Array | Int32Array;

const PAGE = 65536;
/** Every buffer starts on a cache line (also 8-byte alignment for the margins' float64). */
const align = (offset: number): number => (offset + 63) & ~63;

let bytesCache: Uint8Array | undefined;
function moduleBytes(): Uint8Array {
  if (!bytesCache) {
    const text = atob(WASM_KERNELS_BASE64);
    bytesCache = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytesCache[i] = text.charCodeAt(i);
  }
  return bytesCache;
}

/** Whether this JavaScript engine runs the WebAssembly kernels (WebAssembly with 128-bit SIMD). */
export function wasmAvailable(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(moduleBytes());
}

/** A fresh instance of the WebAssembly kernels (its own memory). Throws when WebAssembly SIMD is missing. */
export function createWasmKernels(): Kernels {
  if (!wasmAvailable()) {
    throw new Error('htaf runtime: this JavaScript engine has no WebAssembly with 128-bit SIMD (Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89, Safari ≥ 16.4); use the plain-JS kernels (jsKernels)');
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), {});
  return new WasmKernels(instance.exports as unknown as KernelExports);
}

class WasmKernels implements Kernels {
  readonly engine = 'wasm' as const;
  private readonly memory: WasmMemory;
  /** Offsets of the weights already in memory. */
  private readonly constants = new WeakMap<Constant, number>();
  /** End of the weights: the scratch region starts here. */
  private top: number;

  constructor(private readonly ex: KernelExports) {
    this.memory = ex.memory;
    this.top = align(ex.__heap_base.value);
  }

  private reserve(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch (err) {
      throw new Error(`htaf runtime wasm: cannot grow memory to ${(end / 2 ** 20).toFixed(1)} MiB (${(err as Error).message})`);
    }
  }

  /** The offset of a weight array in memory, copying it in on first sight. */
  private constant(a: Constant): number {
    let offset = this.constants.get(a);
    if (offset === undefined) {
      offset = this.top;
      this.reserve(offset + a.byteLength);
      new Uint8Array(this.memory.buffer, offset, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      this.top = align(offset + a.byteLength);
      this.constants.set(a, offset);
    }
    return offset;
  }

  /** Offsets for this call's buffers (bytes each), above the weights. Call after every constant(): it may grow memory. */
  private scratch(...sizes: number[]): number[] {
    let end = this.top;
    const offsets = sizes.map((bytes) => {
      const at = end;
      end = align(end + bytes);
      return at;
    });
    this.reserve(end);
    return offsets;
  }

  private put(offset: number, a: Float32Array | Uint32Array | Float64Array): void {
    const Ctor = a.constructor as Float32ArrayConstructor | Uint32ArrayConstructor | Float64ArrayConstructor;
    new Ctor(this.memory.buffer, offset, a.length).set(a as never);
  }

  /** The output, copied out of memory into `out` where it fits, else into a new array. */
  private result(offset: number, length: number, out?: Float32Array): Float32Array {
    const view = new Float32Array(this.memory.buffer, offset, length);
    if (out && out.length === length) {
      out.set(view);
      return out;
    }
    return view.slice();
  }

  convFloat(x: Float32Array, weight: Float32Array, bias: Float32Array | undefined, s: ConvShape, out?: Float32Array): Float32Array {
    checkConvFloat(x, weight, bias, s);
    const { oh, ow } = checkShape('convFloat', s);
    const w = this.constant(weight);
    const b = bias ? this.constant(bias) : 0;
    const outLength = s.n * oh * ow * s.cout;
    const [xo, yo] = this.scratch(x.byteLength, outLength * 4);
    this.put(xo, x);
    this.ex.rk_conv_float(yo, xo, w, b, s.n, s.h, s.w, s.cin, s.cout, s.kernel, s.stride, s.padding);
    return this.result(yo, outLength, out);
  }

  convBits(planes: readonly Uint32Array[], weight: Float32Array, bias: Float32Array | undefined, s: ConvShape, out?: Float32Array): Float32Array {
    checkConvBits(planes, weight, bias, s);
    const { oh, ow } = checkShape('convBits', s);
    const w = this.constant(weight);
    const b = bias ? this.constant(bias) : 0;
    const outLength = s.n * oh * ow * s.cout;
    const planeBytes = packedWords(s.n * s.h * s.w, s.cin) * 4;
    const [table, yo, ...po] = this.scratch(planes.length * 4, outLength * 4, ...planes.map(() => planeBytes));
    planes.forEach((p, i) => this.put(po[i], p));
    this.put(table, Uint32Array.from(po));
    // The kernel's lookup table, when it chooses one (by the ones it counts in the input), above the planes.
    const lutFloats = Number(this.ex.rk_conv_bits_lut_floats(table, planes.length, s.n, s.h, s.w, s.cin, s.cout, s.kernel, s.stride));
    let lut = 0;
    if (lutFloats > 0) {
      lut = align(po.length ? po[po.length - 1] + planeBytes : yo + outLength * 4);
      this.reserve(lut + lutFloats * 4);
    }
    this.ex.rk_conv_bits(yo, table, planes.length, w, b, lut, s.n, s.h, s.w, s.cin, s.cout, s.kernel, s.stride, s.padding);
    return this.result(yo, outLength, out);
  }

  convBinary(x: Uint32Array, weightBits: Int32Array, scale: Float32Array, bias: Float32Array, s: ConvShape, out?: Float32Array): Float32Array {
    checkConvBinary(x, weightBits, scale, bias, s);
    const { oh, ow } = checkShape('convBinary', s);
    const wb = this.constant(weightBits);
    const sc = this.constant(scale);
    const b = this.constant(bias);
    const outLength = s.n * oh * ow * s.cout;
    const [xo, yo, so] = this.scratch(x.byteLength, outLength * 4, Number(this.ex.rk_conv_binary_scratch_bytes(s.cin, s.cout, s.kernel)));
    this.put(xo, x);
    this.ex.rk_conv_binary(yo, xo, wb, sc, b, so, s.n, s.h, s.w, s.cin, s.cout, s.kernel, s.stride, s.padding);
    return this.result(yo, outLength, out);
  }

  step(x: Float32Array, pixels: number, channels: number, threshold: Float32Array, gain: Float32Array, perExample: number, margins?: Float64Array): Uint32Array {
    checkStep(x, pixels, channels, threshold, gain, perExample, margins);
    const t = this.constant(threshold);
    const g = this.constant(gain);
    const words = packedWords(pixels, channels);
    const examples = Math.ceil(pixels / perExample);
    const [xo, bo, mo] = this.scratch(x.byteLength, words * 4, margins ? examples * 8 : 0);
    this.put(xo, x);
    if (margins) this.put(mo, margins.subarray(0, examples));
    this.ex.rk_step(bo, xo, pixels, channels, t, g, perExample, margins ? mo : 0);
    if (margins) margins.set(new Float64Array(this.memory.buffer, mo, examples));
    return new Uint32Array(this.memory.buffer, bo, words).slice();
  }

  lif(x: Float32Array, n: number, pixels: number, c: number, p: LifParams, margins?: Float64Array): Uint32Array {
    checkLif(x, n, pixels, c, p, margins);
    const outLength = packedWords(p.steps * n * pixels, c);
    const [xo, vo, bo, mo] = this.scratch(x.byteLength, n * pixels * c * 4, outLength * 4, margins ? n * 8 : 0);
    this.put(xo, x);
    if (margins) this.put(mo, margins.subarray(0, n));
    const soft = p.vReset === null;
    this.ex.rk_lif(bo, vo, xo, n, pixels, c, p.steps, p.tau, p.vThreshold, soft ? 0 : p.vReset!, soft ? 1 : 0, p.repeat ? 1 : 0, margins ? mo : 0);
    if (margins) margins.set(new Float64Array(this.memory.buffer, mo, n));
    return new Uint32Array(this.memory.buffer, bo, outLength).slice();
  }

  addReal(a: Float32Array, b: Float32Array, out?: Float32Array): Float32Array {
    checkAddReal(a, b);
    const [ao, bo, yo] = this.scratch(a.byteLength, b.byteLength, a.byteLength);
    this.put(ao, a);
    this.put(bo, b);
    this.ex.rk_add_real(yo, ao, bo, a.length);
    return this.result(yo, a.length, out);
  }

  affine(x: Float32Array, channels: number, scale: Float32Array, shift: Float32Array, relu: boolean): Float32Array {
    checkAffine(x, channels, scale, shift);
    const sc = this.constant(scale);
    const sh = this.constant(shift);
    const [xo, yo] = this.scratch(x.byteLength, x.byteLength);
    this.put(xo, x);
    this.ex.rk_affine(yo, xo, x.length / channels, channels, sc, sh, relu ? 1 : 0);
    return new Float32Array(this.memory.buffer, yo, x.length).slice();
  }

  avgPool(x: Float32Array, s: PoolShape): Float32Array {
    return this.#pool('avgPool', x, s);
  }

  maxPool(x: Float32Array, s: PoolShape): Float32Array {
    return this.#pool('maxPool', x, s);
  }

  #pool(op: 'avgPool' | 'maxPool', x: Float32Array, s: PoolShape): Float32Array {
    const { oh, ow } = checkPool(op, x, s, ceilOutSide);
    const outLength = s.n * oh * ow * s.c;
    const [xo, yo] = this.scratch(x.byteLength, outLength * 4);
    this.put(xo, x);
    (op === 'avgPool' ? this.ex.rk_avg_pool : this.ex.rk_max_pool)(yo, xo, s.n, s.h, s.w, s.c, s.kernel, s.stride, s.padding);
    return new Float32Array(this.memory.buffer, yo, outLength).slice();
  }

  globalAvgPoolReal(x: Float32Array, rows: number, pixels: number, c: number, steps: number): Float32Array {
    checkGlobalPool('globalAvgPoolReal', [x.length], rows, pixels, c, steps, (px) => px * c);
    const outLength = (rows / steps) * c;
    const [xo, yo] = this.scratch(x.byteLength, outLength * 4);
    this.put(xo, x);
    this.ex.rk_global_avg_pool_real(yo, xo, rows, pixels, c, steps);
    return new Float32Array(this.memory.buffer, yo, outLength).slice();
  }

  globalAvgPoolBits(planes: readonly Uint32Array[], rows: number, pixels: number, c: number, steps: number): Float32Array {
    checkGlobalPool('globalAvgPoolBits', planes.map((p) => p.length), rows, pixels, c, steps, (px) => packedWords(px, c));
    const outLength = (rows / steps) * c;
    const [table, yo, ...po] = this.scratch(planes.length * 4, outLength * 4, ...planes.map((p) => p.byteLength));
    planes.forEach((p, i) => this.put(po[i], p));
    this.put(table, Uint32Array.from(po));
    this.ex.rk_global_avg_pool_bits(yo, table, planes.length, rows, pixels, c, steps);
    return new Float32Array(this.memory.buffer, yo, outLength).slice();
  }
}
