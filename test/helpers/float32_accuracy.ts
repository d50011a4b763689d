// The float32 activation kernels measured against the float64 ones (which are within 4e-14 of a
// long-double reference: native/bench), forward and derivative, for |x| up to 1e4 and parameters up
// to 1e4: the largest relative error where the float64 value is a normal float32, the largest result
// where it is below that range, and the count of non-finite results. Run as a script, it prints the
// figures as JSON, so a test can measure each SIMD path in a process of its own (HTAF_SIMD is read once).
import { fileURLToPath } from 'node:url';
import { heavisideSte, htaf, scaledSigmoid, tensor, tidy, type Tensor } from '../../src/index.js';

export const FLOAT32_MIN_NORMAL = 2 ** -126;

export interface KernelAccuracy {
  /** Largest |got - ref| / |ref| where |ref| >= 2^-126. */
  maxRel: number;
  /** Largest |got| where |ref| < 2^-126 (an underflowing result must stay below the range too). */
  maxBelowNormal: number;
  nonFinite: number;
}

/** ±x for x on a log grid from 1e-12 to 1e4, a linear grid near 0, and 0, -0. */
export function accuracyInputs(): number[] {
  const xs = [0, -0];
  for (let i = 0; i <= 1600; i++) {
    const v = 10 ** (-12 + (16 * i) / 1600);
    xs.push(v, -v);
  }
  for (let i = -1000; i <= 1000; i++) xs.push(i * 3e-3);
  return xs;
}

type Kernel = (x: Tensor) => Tensor;

/** The forward and the derivative (grad 1) of a kernel, on float32 inputs and on the same values in float64. */
function measureKernel(fn: Kernel, xs: number[]): { forward: KernelAccuracy; derivative: KernelAccuracy } {
  return tidy(() => {
    const x32 = tensor(xs, { dtype: 'float32' }).requiresGrad_(true);
    const x64 = x32.detach().toDtype('float64').requiresGrad_(true);
    const y32 = fn(x32);
    const y64 = fn(x64);
    y32.backward(y32.onesLike());
    y64.backward(y64.onesLike());
    return {
      forward: compare(y32.detach().toFlatArray(), y64.detach().toFlatArray()),
      derivative: compare(x32.grad!.toFlatArray(), x64.grad!.toFlatArray()),
    };
  });
}

function compare(got: number[], ref: number[]): KernelAccuracy {
  const acc: KernelAccuracy = { maxRel: 0, maxBelowNormal: 0, nonFinite: 0 };
  for (let i = 0; i < ref.length; i++) {
    if (!Number.isFinite(got[i])) acc.nonFinite++;
    else if (Math.abs(ref[i]) >= FLOAT32_MIN_NORMAL) acc.maxRel = Math.max(acc.maxRel, Math.abs(got[i] - ref[i]) / Math.abs(ref[i]));
    else acc.maxBelowNormal = Math.max(acc.maxBelowNormal, Math.abs(got[i]));
  }
  return acc;
}

function merge(a: KernelAccuracy, b: KernelAccuracy): KernelAccuracy {
  return { maxRel: Math.max(a.maxRel, b.maxRel), maxBelowNormal: Math.max(a.maxBelowNormal, b.maxBelowNormal), nonFinite: a.nonFinite + b.nonFinite };
}

export const HTAF_PARAMS: readonly [number, number][] = [[2, 11], [1, 1], [8, 2.75], [0.5, 50], [0.01, 1e4], [1e4, 1e4], [1e4, 0.01], [1e-3, 5], [0.005, 5000], [1e-4, 1e-4]];
export const SLOPE_PARAMS: readonly number[] = [1e-4, 1e-3, 0.1, 1, 4, 22, 100, 1e3, 1e4];

/** Every kernel's forward and derivative accuracy, over all parameters (merged per kernel). */
export function measureFloat32Kernels(): Record<string, KernelAccuracy> {
  const xs = accuracyInputs();
  const out: Record<string, KernelAccuracy> = {};
  const add = (name: string, fn: Kernel, derivativeOnly = false): void => {
    const m = measureKernel(fn, xs);
    if (!derivativeOnly) out[`${name} forward`] = out[`${name} forward`] ? merge(out[`${name} forward`], m.forward) : m.forward;
    out[`${name} derivative`] = out[`${name} derivative`] ? merge(out[`${name} derivative`], m.derivative) : m.derivative;
  };
  for (const [a, b] of HTAF_PARAMS) add('htaf', (x) => htaf(x, a, b));
  for (const k of SLOPE_PARAMS) {
    add('ss', (x) => scaledSigmoid(x, k));
    add('ste sigmoid', (x) => heavisideSte(x, 'sigmoid', k), true);
    add('ste tanh', (x) => heavisideSte(x, 'tanh', k), true);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(measureFloat32Kernels())}\n`);
}
