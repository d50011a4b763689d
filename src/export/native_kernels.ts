// The runtime's kernels on the native addon (native/src/runtime_kernels_napi.cc): the same C source as the
// WebAssembly kernels, built for AVX-512 VPOPCNTDQ, AVX2 and any CPU, the best one picked at load. It lives
// here, not in src/runtime/, because the runtime imports nothing of htaf and no addon; pass the result
// where the runtime takes a Kernels. The addon reads the typed arrays in place and checks every length.
import { N } from '../core/native.js';
import type { ConvShape, Kernels, PoolShape } from '../runtime/kernels.js';

/** The addon's runtime-kernel entries. */
interface RuntimeKernelsApi {
  rtConvFloat(x: Float32Array, weight: Float32Array, bias: Float32Array | undefined, s: ConvShape, out?: Float32Array): Float32Array;
  rtConvBits(planes: readonly Uint32Array[], weight: Float32Array, bias: Float32Array | undefined, s: ConvShape, out?: Float32Array): Float32Array;
  rtConvBinary(x: Uint32Array, weightBits: Int32Array, scale: Float32Array, bias: Float32Array, s: ConvShape, out?: Float32Array): Float32Array;
  rtStep(x: Float32Array, pixels: number, channels: number, threshold: Float32Array, gain: Float32Array, perExample: number, margins?: Float64Array): Uint32Array;
  rtLif(x: Float32Array, n: number, pixels: number, c: number, steps: number, tau: number, vThreshold: number, vReset: number | null, repeat: boolean, margins?: Float64Array): Uint32Array;
  rtAddReal(a: Float32Array, b: Float32Array, out?: Float32Array): Float32Array;
  rtAffine(x: Float32Array, channels: number, scale: Float32Array, shift: Float32Array, relu: boolean): Float32Array;
  rtAvgPool(x: Float32Array, s: PoolShape): Float32Array;
  rtMaxPool(x: Float32Array, s: PoolShape): Float32Array;
  rtGlobalAvgPoolReal(x: Float32Array, rows: number, pixels: number, c: number, steps: number): Float32Array;
  rtGlobalAvgPoolBits(planes: readonly Uint32Array[], rows: number, pixels: number, c: number, steps: number): Float32Array;
  rtIsa(): string;
  rtIsas(): string[];
  rtSetIsa(name: string): boolean;
}

function api(): RuntimeKernelsApi {
  const a = N as unknown as Partial<RuntimeKernelsApi>;
  if (typeof a.rtConvFloat !== 'function' || typeof a.rtSetIsa !== 'function') {
    throw new Error('htaf: the native addon has no runtime kernels (rtConvFloat …); it predates them: rebuild it with `make build`');
  }
  return a as RuntimeKernelsApi;
}

/** Whether the loaded addon carries the runtime kernels. */
export function nativeKernelsAvailable(): boolean {
  return typeof (N as unknown as Partial<RuntimeKernelsApi>).rtConvFloat === 'function';
}

/** The native kernels (one shared instance of the addon's; no state beside the chosen instruction set). */
export function nativeKernels(): Kernels {
  const a = api();
  const k: Kernels = {
    engine: 'native',
    convFloat: (x, weight, bias, s, out) => a.rtConvFloat(x, weight, bias, s, out),
    convBits: (planes, weight, bias, s, out) => a.rtConvBits(planes, weight, bias, s, out),
    convBinary: (x, weightBits, scale, bias, s, out) => a.rtConvBinary(x, weightBits, scale, bias, s, out),
    step: (x, pixels, channels, threshold, gain, perExample, margins) => a.rtStep(x, pixels, channels, threshold, gain, perExample, margins),
  };
  // The light ops came later: an addon built before them still runs, with the executor's JS for them.
  if (typeof a.rtLif === 'function') {
    Object.assign(k, {
      lif: (x, n, pixels, c, p, margins) => a.rtLif(x, n, pixels, c, p.steps, p.tau, p.vThreshold, p.vReset, p.repeat, margins),
      addReal: (x, y, out) => a.rtAddReal(x, y, out),
      affine: (x, channels, scale, shift, relu) => a.rtAffine(x, channels, scale, shift, relu),
      avgPool: (x, s) => a.rtAvgPool(x, s),
      maxPool: (x, s) => a.rtMaxPool(x, s),
      globalAvgPoolReal: (x, rows, pixels, c, steps) => a.rtGlobalAvgPoolReal(x, rows, pixels, c, steps),
      globalAvgPoolBits: (planes, rows, pixels, c, steps) => a.rtGlobalAvgPoolBits(planes, rows, pixels, c, steps),
    } satisfies Partial<Kernels>);
  }
  return k;
}

/** The instruction-set builds this CPU runs, fastest first ('avx512', 'avx2', 'base'), and the one in use. */
export function nativeKernelIsas(): { available: string[]; current: string } {
  const a = api();
  return { available: a.rtIsas(), current: a.rtIsa() };
}

/** Switches every native kernel to one build (for tests and benchmarks); false if this CPU cannot run it. */
export function setNativeKernelIsa(name: string): boolean {
  return api().rtSetIsa(name);
}
