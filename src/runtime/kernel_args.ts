// Length and shape checks for the kernels that trust their caller (the WebAssembly kernels read whatever
// memory an offset names, so a short array would give garbage, not an error). Each failure is an Error
// naming the kernel, the argument and the shape.
import { outSide, packedWords, wordsFor, type ConvShape, type LifParams, type PoolShape } from './kernels.js';

const describe = (s: ConvShape): string =>
  `n=${s.n} h=${s.h} w=${s.w} cin=${s.cin} cout=${s.cout} kernel=${s.kernel} stride=${s.stride} padding=${s.padding}`;

function fail(op: string, what: string): never {
  throw new Error(`htaf runtime ${op}: ${what}`);
}

function integer(op: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min || v > 0x7fffffff) fail(op, `${name} must be an integer ≥ ${min}, got ${v}`);
}

function length(op: string, name: string, a: ArrayLike<unknown> | undefined, want: number, shape: string, atLeast = false): void {
  if (a === undefined) fail(op, `argument '${name}' is missing (${shape})`);
  if (atLeast ? a.length < want : a.length !== want) {
    fail(op, `argument '${name}' holds ${a.length} values but ${atLeast ? 'at least ' : ''}${want} are needed (${shape})`);
  }
}

/** Checks the shape; returns the output's side lengths. */
export function checkShape(op: string, s: ConvShape): { oh: number; ow: number } {
  for (const key of ['n', 'h', 'w', 'cin', 'cout', 'kernel', 'stride'] as const) integer(op, `shape.${key}`, s[key], 1);
  integer(op, 'shape.padding', s.padding, 0);
  if (s.h + 2 * s.padding < s.kernel || s.w + 2 * s.padding < s.kernel) fail(op, `the kernel is larger than the padded input (${describe(s)})`);
  const oh = outSide(s.h, s.kernel, s.stride, s.padding);
  const ow = outSide(s.w, s.kernel, s.stride, s.padding);
  if (s.n * Math.max(s.h * s.w * Math.max(s.cin, s.cout), oh * ow * s.cout) > 0x7fffffff) fail(op, `the maps of this shape exceed 2^31 − 1 values (${describe(s)})`);
  return { oh, ow };
}

export function checkConvFloat(x: Float32Array, weight: Float32Array, bias: Float32Array | undefined, s: ConvShape): void {
  const op = 'convFloat';
  checkShape(op, s);
  const t = describe(s);
  length(op, 'x', x, s.n * s.h * s.w * s.cin, t);
  length(op, 'weight', weight, s.kernel * s.kernel * s.cin * s.cout, t);
  if (bias !== undefined) length(op, 'bias', bias, s.cout, t);
}

export function checkConvBits(planes: readonly Uint32Array[], weight: Float32Array, bias: Float32Array | undefined, s: ConvShape): void {
  const op = 'convBits';
  checkShape(op, s);
  const t = describe(s);
  planes.forEach((p, i) => length(op, `planes[${i}]`, p, packedWords(s.n * s.h * s.w, s.cin), t));
  length(op, 'weight', weight, s.kernel * s.kernel * s.cin * s.cout, t);
  if (bias !== undefined) length(op, 'bias', bias, s.cout, t);
}

export function checkConvBinary(x: Uint32Array, weightBits: Int32Array, scale: Float32Array, bias: Float32Array, s: ConvShape): void {
  const op = 'convBinary';
  checkShape(op, s);
  const t = describe(s);
  length(op, 'x', x, packedWords(s.n * s.h * s.w, s.cin), t);
  length(op, 'weightBits', weightBits, s.cout * s.kernel * s.kernel * wordsFor(s.cin), t);
  length(op, 'scale', scale, s.cout, t);
  length(op, 'bias', bias, s.cout, t);
  // Past 2^24 a float32 sum of ±1 products is no longer exact.
  if (s.kernel * s.kernel * s.cin > 1 << 24) fail(op, `k·k·cin exceeds 2^24 (${t})`);
}

export function checkStep(x: Float32Array, pixels: number, channels: number, threshold: Float32Array, gain: Float32Array, perExample: number, margins?: Float64Array): void {
  const op = 'step';
  integer(op, 'pixels', pixels, 0);
  integer(op, 'channels', channels, 1);
  integer(op, 'perExample', perExample, 1);
  const t = `pixels=${pixels} channels=${channels} perExample=${perExample}`;
  if (pixels * channels > 0x7fffffff) fail(op, `x of this shape exceeds 2^31 − 1 values (${t})`);
  length(op, 'x', x, pixels * channels, t);
  length(op, 'threshold', threshold, channels, t);
  length(op, 'gain', gain, channels, t);
  if (margins !== undefined) length(op, 'margins', margins, Math.ceil(pixels / perExample), t, true);
}

/** Checks a LIF call (p as graph.ts's lif node). */
export function checkLif(x: Float32Array, n: number, pixels: number, c: number, p: LifParams, margins?: Float64Array): void {
  const op = 'lif';
  integer(op, 'n', n, 1);
  integer(op, 'pixels', pixels, 1);
  integer(op, 'c', c, 1);
  integer(op, 'steps', p?.steps, 1);
  const t = `n=${n} pixels=${pixels} c=${c} steps=${p.steps} repeat=${p.repeat}`;
  if (!(p.tau > 1) || !Number.isFinite(p.vThreshold) || !(p.vReset === null || Number.isFinite(p.vReset))) fail(op, `needs tau > 1, a finite vThreshold and a finite or null vReset (${t})`);
  if (p.steps * n * pixels * Math.max(c, 32) > 0x7fffffff) fail(op, `the maps of this shape exceed 2^31 − 1 values (${t})`);
  length(op, 'x', x, (p.repeat ? 1 : p.steps) * n * pixels * c, t);
  if (margins !== undefined) length(op, 'margins', margins, n, t, true);
}

export function checkAddReal(a: Float32Array, b: Float32Array): void {
  length('addReal', 'b', b, a.length, `a holds ${a.length} values`);
}

export function checkAffine(x: Float32Array, channels: number, scale: Float32Array, shift: Float32Array): void {
  const op = 'affine';
  integer(op, 'channels', channels, 1);
  const t = `x=${x.length} values channels=${channels}`;
  if (x.length % channels !== 0) fail(op, `x does not hold whole pixels of ${channels} channels (${t})`);
  length(op, 'scale', scale, channels, t);
  length(op, 'shift', shift, channels, t);
}

/** Checks a pooling; returns the output's side lengths (ceil mode for the average pool). */
export function checkPool(op: 'avgPool' | 'maxPool', x: Float32Array, s: PoolShape, ceilOutSide: (side: number, k: number, stride: number, padding: number) => number): { oh: number; ow: number } {
  for (const key of ['n', 'h', 'w', 'c', 'kernel', 'stride'] as const) integer(op, `shape.${key}`, s[key], 1);
  integer(op, 'shape.padding', s.padding, 0);
  const t = `n=${s.n} h=${s.h} w=${s.w} c=${s.c} kernel=${s.kernel} stride=${s.stride} padding=${s.padding}`;
  if (s.h + 2 * s.padding < s.kernel || s.w + 2 * s.padding < s.kernel) fail(op, `the window is larger than the padded input (${t})`);
  if (s.n * s.h * s.w * s.c > 0x7fffffff) fail(op, `the maps of this shape exceed 2^31 − 1 values (${t})`);
  length(op, 'x', x, s.n * s.h * s.w * s.c, t);
  const side = op === 'avgPool' ? ceilOutSide : outSide;
  return { oh: side(s.h, s.kernel, s.stride, s.padding), ow: side(s.w, s.kernel, s.stride, s.padding) };
}

/** lengths: of x (reals), or of each bit plane; `words`: the length each needs. */
export function checkGlobalPool(op: 'globalAvgPoolReal' | 'globalAvgPoolBits', lengths: number[], rows: number, pixels: number, c: number, steps: number, words: (pixels: number) => number): void {
  integer(op, 'rows', rows, 1);
  integer(op, 'pixels', pixels, 1);
  integer(op, 'c', c, 1);
  integer(op, 'steps', steps, 1);
  const t = `rows=${rows} pixels=${pixels} c=${c} steps=${steps}`;
  if (rows % steps !== 0) fail(op, `rows are not a whole number of steps (${t})`);
  if (rows * pixels * Math.max(c, 32) > 0x7fffffff) fail(op, `the maps of this shape exceed 2^31 − 1 values (${t})`);
  lengths.forEach((got, i) => {
    if (got !== words(rows * pixels)) fail(op, `argument '${op === 'globalAvgPoolBits' ? `planes[${i}]` : 'x'}' holds ${got} values but ${words(rows * pixels)} are needed (${t})`);
  });
}
