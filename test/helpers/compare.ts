// Shared test helpers: compare tensors (or arrays) with PyTorch-style tolerances and explain failures
// (where, by how much, against what tolerance), so a failing test says what broke.
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';

/** The elements of a tensor as float64 (int64 via Number, bool as 0/1; float16/bfloat16 through float32). */
export function toFloat64(t: Tensor): Float64Array {
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') {
    const f = t.toDtype('float32');
    try {
      return Float64Array.from(f.toTypedArray() as Float32Array);
    } finally {
      f.dispose();
    }
  }
  const data = t.toTypedArray();
  if (data instanceof BigInt64Array) return Float64Array.from(data, (v) => Number(v));
  return Float64Array.from(data as ArrayLike<number>);
}

/** The largest |value| (NaN ignored), 0 for empty input. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (v > m) m = v;
  }
  return m;
}

export interface CloseOptions {
  /** Absolute tolerance (default 0). */
  atol?: number;
  /** Relative tolerance, times |expected| (default 0). */
  rtol?: number;
  /** Shown in failure messages, e.g. 'conv2d out'. */
  what?: string;
}

export interface DiffReport {
  ok: boolean;
  maxAbsDiff: number;
  /** Index (flat, row-major) of the element that exceeds its tolerance by the most, or -1. */
  worst: number;
  failures: number;
}

/** Elementwise |a - e| <= atol + rtol * |e|; NaN matches NaN and equal infinities match. */
export function diffArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 0, rtol = 0): DiffReport {
  if (actual.length !== expected.length) throw new Error(`diffArrays: lengths differ (${actual.length} vs ${expected.length})`);
  let maxAbsDiff = 0;
  let worst = -1;
  let worstExcess = 0;
  let failures = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    if (a === e) continue; // also equal infinities
    const d = Math.abs(a - e);
    if (!(d <= maxAbsDiff)) maxAbsDiff = d; // NaN-safe: a NaN difference becomes the max
    const tol = atol + rtol * Math.abs(e);
    if (!(d <= tol)) {
      failures++;
      const excess = Number.isNaN(d) ? Infinity : d - tol;
      if (worst < 0 || excess > worstExcess) {
        worst = i;
        worstExcess = excess;
      }
    }
  }
  return { ok: failures === 0, maxAbsDiff, worst, failures };
}

function indexOf(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(shape[d] === 0 ? 0 : rest % shape[d]);
    rest = shape[d] === 0 ? 0 : Math.floor(rest / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/** Asserts same shape and elementwise |actual - expected| <= atol + rtol * |expected|. */
export function assertClose(actual: Tensor, expected: Tensor, options: CloseOptions = {}): DiffReport {
  const { atol = 0, rtol = 0, what = 'tensor' } = options;
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape [${actual.shape.join(', ')}] differs from expected [${expected.shape.join(', ')}]`);
  const a = toFloat64(actual);
  const e = toFloat64(expected);
  const r = diffArrays(a, e, atol, rtol);
  if (!r.ok) {
    const i = r.worst;
    assert.fail(`${what}: ${r.failures} of ${a.length} elements differ beyond atol=${atol} rtol=${rtol}; ` +
      `max |diff| ${r.maxAbsDiff}; worst at ${indexOf(i, expected.shape)}: got ${a[i]}, expected ${e[i]} ` +
      `(|diff| ${Math.abs(a[i] - e[i])}, tolerance ${atol + rtol * Math.abs(e[i])})`);
  }
  return r;
}

/** Asserts same dtype, same shape and identical elements (for integer and bool results). */
export function assertTensorEqual(actual: Tensor, expected: Tensor, what = 'tensor'): void {
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype ${actual.dtype} differs from expected ${expected.dtype}`);
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape [${actual.shape.join(', ')}] differs from expected [${expected.shape.join(', ')}]`);
  const a = actual.toTypedArray();
  const e = expected.toTypedArray();
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i] && !(Number.isNaN(a[i]) && Number.isNaN(e[i]))) {
      assert.fail(`${what}: element ${indexOf(i, expected.shape)} is ${a[i]}, expected ${e[i]}` +
        ` (${[...a].filter((x, j) => x !== e[j]).length} of ${a.length} elements differ)`);
    }
  }
}
