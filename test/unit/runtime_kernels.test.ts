// The runtime's kernel engines agree (src/runtime/kernels.ts): the WebAssembly kernels and every native
// build this CPU runs (AVX-512, AVX2, any CPU) against the plain-JS reference on random inputs over a grid of
// Cin 3..100, kernels 1/3/7, strides 1/2, paddings 0/1/3 and batches 1/3; float sums within float32
// rounding (normwise 1e-5), binary convs and steps bit for bit. The binary conv also equals the float conv
// of its ±1 values with zero padding (Bi-Real's equivalence), the bits conv the float conv of the summed
// planes; the step handles ±∞ thresholds, negative and zero gains, NaN, and keeps the smallest margins.
// The light ops (LIF, add, affine, pools, global pools) equal ops.ts bit for bit, margins included.
// Bad lengths are errors that name the kernel and the shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsKernels, outSide, wordsFor, type ConvShape, type Kernels } from '../../src/runtime/kernels.js';
import { createWasmKernels, wasmAvailable } from '../../src/runtime/wasm.js';
import { addReal, affine, avgPool, globalAvgPoolBits, globalAvgPoolReal, lif, maxPool, type LifParams, type PoolShape } from '../../src/runtime/ops.js';
import { mulberry32 } from '../../src/data/random.js';
import { nativeKernelIsas, nativeKernels, setNativeKernelIsa } from '../../src/export/native_kernels.js';

/** A seeded generator, so a failure reproduces. */
const rng = mulberry32;

const floats = (r: () => number, n: number, zeros = 0): Float32Array => Float32Array.from({ length: n }, () => (r() < zeros ? 0 : r() * 2 - 1));

/** The activation layout, stated here on its own: a pixel takes 1 byte up to 8 channels, 2 up to 16, else whole words. */
const pixelBytes = (channels: number): number => (channels <= 8 ? 1 : channels <= 16 ? 2 : 4 * Math.ceil(channels / 32));

/** Channel c of pixel p in packed activation bits: bit c & 7 of byte p·pixelBytes + (c >> 3). */
function bitAt(a: Uint32Array, p: number, c: number, channels: number): number {
  return (new Uint8Array(a.buffer, a.byteOffset, a.byteLength)[p * pixelBytes(channels) + (c >>> 3)] >>> (c & 7)) & 1;
}

/** Random activation bits for `channels` channels per pixel (one bit each, as above), the unused bits 0. */
function bits(r: () => number, pixels: number, channels: number, density: number): Uint32Array {
  const out = new Uint32Array(Math.ceil((pixels * pixelBytes(channels)) / 4));
  const bytes = new Uint8Array(out.buffer);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) if (r() < density) bytes[p * pixelBytes(channels) + (c >>> 3)] |= 1 << (c & 7);
  return out;
}

/** Random weight bits [taps, words(channels)]: whole 32-bit words per tap, the unused high bits 0. */
function weightBits(r: () => number, taps: number, channels: number, density: number): Int32Array {
  const words = wordsFor(channels);
  const out = new Int32Array(taps * words);
  for (let p = 0; p < taps; p++) for (let c = 0; c < channels; c++) if (r() < density) out[p * words + (c >>> 5)] |= 1 << (c & 31);
  return out;
}

interface Engine { name: string; kernels: Kernels; use(): void }

const best = nativeKernelIsas().current;
const engines: Engine[] = [{ name: 'wasm', kernels: createWasmKernels(), use: () => {} }];
for (const isa of nativeKernelIsas().available) {
  engines.push({ name: `native/${isa}`, kernels: nativeKernels(), use: () => assert.ok(setNativeKernelIsa(isa)) });
}

const SHAPES: ConvShape[] = [];
{
  const couts = [1, 8, 16, 37, 64, 70];
  let i = 0;
  for (const cin of [3, 16, 33, 64, 100]) for (const kernel of [1, 3, 7]) for (const stride of [1, 2]) for (const padding of [0, 1, 3]) for (const n of [1, 3]) {
    const side = 9 + (i % 3);
    SHAPES.push({ n, h: side, w: side + 1, cin, cout: couts[i++ % couts.length], kernel, stride, padding });
  }
}
const outLength = (s: ConvShape): number => s.n * outSide(s.h, s.kernel, s.stride, s.padding) * outSide(s.w, s.kernel, s.stride, s.padding) * s.cout;
const label = (s: ConvShape): string => `n=${s.n} ${s.h}×${s.w}×${s.cin}→${s.cout} k=${s.kernel} s=${s.stride} p=${s.padding}`;

/** Normwise: max |got − want| ≤ tol · max |want| (float32 sums in another order than the float64 reference). */
function assertClose(got: Float32Array, want: Float32Array, what: string, tol = 1e-5): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  assert.ok(err <= tol * Math.max(scale, 1e-30), `${what}: max error ${err} against max |value| ${scale}`);
}

function assertSame<T extends ArrayLike<number>>(got: T, want: T, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

test('Node runs the WebAssembly (SIMD) kernels', () => {
  assert.ok(wasmAvailable());
  assert.equal(createWasmKernels().engine, 'wasm');
  assert.equal(nativeKernels().engine, 'native');
  assert.ok(nativeKernelIsas().available.includes('base'));
});

test('convFloat: every engine equals the JS reference within float32 rounding', () => {
  const r = rng(1);
  SHAPES.forEach((s, i) => {
    const x = floats(r, s.n * s.h * s.w * s.cin, 0.5);
    const weight = floats(r, s.kernel * s.kernel * s.cin * s.cout);
    const bias = i % 2 ? floats(r, s.cout) : undefined;
    const want = jsKernels.convFloat(x, weight, bias, s);
    for (const e of engines) {
      e.use();
      assertClose(e.kernels.convFloat(x, weight, bias, s), want, `${e.name} convFloat ${label(s)}`);
    }
  });
});

test('convBits: every engine equals the JS reference, and the JS reference the float conv of the summed planes', () => {
  const r = rng(2);
  SHAPES.forEach((s, i) => {
    const pixels = s.n * s.h * s.w;
    const planes = Array.from({ length: 1 + (i % 3) }, () => bits(r, pixels, s.cin, 0.3));
    const weight = floats(r, s.kernel * s.kernel * s.cin * s.cout);
    const bias = i % 2 ? undefined : floats(r, s.cout);
    const want = jsKernels.convBits(planes, weight, bias, s);
    const counts = new Float32Array(pixels * s.cin);
    for (const p of planes) for (let q = 0; q < pixels; q++) for (let c = 0; c < s.cin; c++) counts[q * s.cin + c] += bitAt(p, q, c, s.cin);
    assertClose(want, jsKernels.convFloat(counts, weight, bias, s), `js convBits vs convFloat ${label(s)}`);
    for (const e of engines) {
      e.use();
      assertClose(e.kernels.convBits(planes, weight, bias, s), want, `${e.name} convBits ${label(s)}`);
    }
  });
});

test('convBits on larger dense maps (where the C kernels build a lookup table per tap and 8 channels) and sparse ones (set bits), planes summed', () => {
  const r = rng(8);
  const shapes: ConvShape[] = [
    { n: 6, h: 14, w: 15, cin: 16, cout: 16, kernel: 3, stride: 1, padding: 1 },
    { n: 4, h: 12, w: 12, cin: 33, cout: 37, kernel: 3, stride: 2, padding: 1 },
    { n: 4, h: 9, w: 9, cin: 64, cout: 70, kernel: 1, stride: 1, padding: 0 },
    { n: 64, h: 1, w: 1, cin: 100, cout: 10, kernel: 1, stride: 1, padding: 0 },
  ];
  for (const [i, s] of shapes.entries()) for (const density of [0.5, 0.9, 0.04]) {
    const planes = Array.from({ length: 1 + (i % 2) }, () => bits(r, s.n * s.h * s.w, s.cin, density));
    const weight = floats(r, s.kernel * s.kernel * s.cin * s.cout);
    const bias = floats(r, s.cout);
    const want = jsKernels.convBits(planes, weight, bias, s);
    for (const e of engines) {
      e.use();
      assertClose(e.kernels.convBits(planes, weight, bias, s), want, `${e.name} convBits density ${density} ${label(s)}`);
    }
  }
});

/** The float conv of ±1 maps with zero padding, summed exactly (integers), then scale and bias in float32. */
function binaryByFloatConv(x: Uint32Array, weightBits: Int32Array, scale: Float32Array, bias: Float32Array, s: ConvShape): Float32Array {
  const words = wordsFor(s.cin);
  // Every bit unpacked to ±1 once (a view per bit read made this reference the slowest test of the suite).
  const pixels = s.n * s.h * s.w;
  const xs = new Int8Array(pixels * s.cin);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < s.cin; c++) xs[p * s.cin + c] = bitAt(x, p, c, s.cin) ? 1 : -1;
  const taps = s.cout * s.kernel * s.kernel;
  const ws = new Int8Array(taps * s.cin);
  for (let t = 0; t < taps; t++) for (let c = 0; c < s.cin; c++) ws[t * s.cin + c] = ((weightBits[t * words + (c >>> 5)] >>> (c & 31)) & 1) ? 1 : -1;
  const oh = outSide(s.h, s.kernel, s.stride, s.padding);
  const ow = outSide(s.w, s.kernel, s.stride, s.padding);
  const y = new Float32Array(outLength(s));
  for (let b = 0; b < s.n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let o = 0; o < s.cout; o++) {
    let sum = 0;
    for (let ky = 0; ky < s.kernel; ky++) for (let kx = 0; kx < s.kernel; kx++) {
      const iy = oy * s.stride - s.padding + ky;
      const ix = ox * s.stride - s.padding + kx;
      if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue; // zero padding: the tap adds 0
      const xo = ((b * s.h + iy) * s.w + ix) * s.cin;
      const wo = ((o * s.kernel + ky) * s.kernel + kx) * s.cin;
      for (let c = 0; c < s.cin; c++) sum += xs[xo + c] * ws[wo + c];
    }
    y[((b * oh + oy) * ow + ox) * s.cout + o] = Math.fround(Math.fround(scale[o] * sum) + bias[o]);
  }
  return y;
}

test('convBinary: every engine, JS included, equals the float conv of ±1 values with zero padding, bit for bit', () => {
  const r = rng(3);
  for (const s of SHAPES) {
    const x = bits(r, s.n * s.h * s.w, s.cin, 0.5);
    const wb = weightBits(r, s.cout * s.kernel * s.kernel, s.cin, 0.5);
    const scale = floats(r, s.cout);
    const bias = floats(r, s.cout);
    const want = binaryByFloatConv(x, wb, scale, bias, s);
    assertSame(jsKernels.convBinary(x, wb, scale, bias, s), want, `js convBinary ${label(s)}`);
    for (const e of engines) {
      e.use();
      assertSame(e.kernels.convBinary(x, wb, scale, bias, s), want, `${e.name} convBinary ${label(s)}`);
    }
  }
});

test('step: ±∞ thresholds, negative and zero gains, NaN → 0 and margins, bit for bit with the JS reference', () => {
  const r = rng(4);
  for (const channels of [1, 5, 31, 32, 33, 64, 100]) {
    const perExample = 7;
    const pixels = 3 * perExample;
    const threshold = floats(r, channels);
    const gain = floats(r, channels);
    for (let c = 0; c < channels; c++) {
      if (c % 7 === 1) threshold[c] = Infinity;
      if (c % 7 === 2) threshold[c] = -Infinity;
      if (c % 11 === 3) gain[c] = 0;
      if (c % 13 === 4) { gain[c] = 0; threshold[c] = Infinity; }
    }
    const x = floats(r, pixels * channels);
    for (let i = 0; i < x.length; i += 5) x[i] = NaN;
    for (let i = 3; i < x.length; i += 9) x[i] = threshold[i % channels]; // z = 0 (or NaN on ±∞): the boundary
    for (const margins of [undefined, new Float64Array([Infinity, 1e-3, Infinity])]) {
      const wantMargins = margins?.slice();
      const want = jsKernels.step(x, pixels, channels, threshold, gain, perExample, wantMargins);
      // The semantics themselves, not only agreement: NaN gives 0, ∓∞ thresholds give constants.
      for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) {
        const bit = bitAt(want, p, c, channels);
        const v = x[p * channels + c];
        if (Number.isNaN(v)) assert.equal(bit, 0);
        else if (!Number.isFinite(v)) continue; // x = threshold = ±∞ makes x − threshold NaN: 0, as NaN
        else if (gain[c] > 0 && threshold[c] === -Infinity) assert.equal(bit, 1);
        else if (gain[c] > 0 && threshold[c] === Infinity) assert.equal(bit, 0);
        else if (gain[c] < 0 && Number.isFinite(threshold[c])) assert.equal(bit, v <= threshold[c] ? 1 : 0);
      }
      for (const e of engines) {
        e.use();
        const got = margins?.slice();
        assertSame(e.kernels.step(x, pixels, channels, threshold, gain, perExample, got), want, `${e.name} step channels=${channels}`);
        if (got && wantMargins) assertSame(got, wantMargins, `${e.name} step margins channels=${channels}`);
      }
    }
  }
});

/** The engine's optional light op, required here: wasm and native both carry them. */
function op<K extends keyof Kernels>(e: Engine, name: K): NonNullable<Kernels[K]> {
  const f = e.kernels[name];
  assert.equal(typeof f, 'function', `${e.name} has ${String(name)}`);
  return (f as (...a: unknown[]) => unknown).bind(e.kernels) as NonNullable<Kernels[K]>;
}

test('lif: every engine gives the JS reference\'s spikes and margins bit for bit (hard and soft reset, repeated input, float32 and float64 constants)', () => {
  const r = rng(6);
  const params: LifParams[] = [
    { steps: 4, tau: 2, vThreshold: 1, vReset: 0, repeat: true },
    { steps: 4, tau: 2, vThreshold: 1, vReset: 0, repeat: false },
    { steps: 3, tau: 2, vThreshold: 1, vReset: null, repeat: false },
    { steps: 5, tau: 1.7, vThreshold: 0.3, vReset: -0.1, repeat: true }, // not float32 values: the float64 path
    { steps: 2, tau: 3, vThreshold: 0.3, vReset: null, repeat: false },
  ];
  for (const c of [1, 3, 16, 32, 33, 70]) {
    for (const [j, p] of params.entries()) {
      const n = 1 + (j % 3);
      const pixels = 5 + (c % 4);
      const x = floats(r, (p.repeat ? 1 : p.steps) * n * pixels * c).map((v) => 2.5 * v);
      for (let i = 7; i < x.length; i += 41) x[i] = NaN;
      for (let i = 11; i < x.length; i += 37) x[i] = 2 * p.vThreshold; // h lands on v_th: the boundary (hard reset from 0, τ = 2)
      for (const margins of [undefined, Float64Array.from({ length: n }, (_, e) => (e === 1 ? 1e-4 : Infinity))]) {
        const wantMargins = margins?.slice();
        const want = lif(x, n, pixels, c, p, wantMargins);
        for (const e of engines) {
          e.use();
          const got = margins?.slice();
          const what = `${e.name} lif c=${c} ${JSON.stringify(p)}`;
          assertSame(op(e, 'lif')(x, n, pixels, c, p, got), want, what);
          if (got && wantMargins) assertSame(got, wantMargins, `${what} margins`);
        }
      }
    }
  }
});

test('light ops: add, affine, pools and global pools of every engine equal the JS reference bit for bit', () => {
  const r = rng(7);
  for (const c of [1, 3, 16, 17, 64]) {
    const a = floats(r, 4 * 9 * c);
    const b = floats(r, 4 * 9 * c);
    a[3] = NaN;
    const scale = floats(r, c);
    const shift = floats(r, c);
    for (const e of engines) {
      e.use();
      assertSame(op(e, 'addReal')(a, b), addReal(a, b), `${e.name} addReal c=${c}`);
      for (const relu of [false, true]) assertSame(op(e, 'affine')(a, c, scale, shift, relu), affine(a, c, scale, shift, relu), `${e.name} affine c=${c} relu=${relu}`);
    }
  }
  const pools: PoolShape[] = [];
  for (const [h, w] of [[7, 7], [8, 9], [1, 1], [28, 28]]) for (const [kernel, stride, padding] of [[2, 2, 0], [3, 2, 1], [3, 1, 1], [1, 2, 0], [3, 3, 0]]) {
    if (h + 2 * padding >= kernel) pools.push({ n: 2, h, w, c: [3, 16, 20][pools.length % 3], kernel, stride, padding });
  }
  for (const s of pools) {
    const x = floats(r, s.n * s.h * s.w * s.c);
    x[5] = NaN;
    for (const e of engines) {
      e.use();
      const what = `n=${s.n} ${s.h}×${s.w}×${s.c} k=${s.kernel} s=${s.stride} p=${s.padding}`;
      assertSame(op(e, 'avgPool')(x, s), avgPool(x, s), `${e.name} avgPool ${what}`);
      assertSame(op(e, 'maxPool')(x, s), maxPool(x, s), `${e.name} maxPool ${what}`);
    }
  }
  for (const c of [1, 16, 33, 64]) for (const steps of [1, 4]) {
    const rows = 3 * steps;
    const pixels = 10;
    const x = floats(r, rows * pixels * c);
    const planes = Array.from({ length: steps === 1 ? 1 : 3 }, () => bits(r, rows * pixels, c, 0.2));
    for (const e of engines) {
      e.use();
      assertSame(op(e, 'globalAvgPoolReal')(x, rows, pixels, c, steps), globalAvgPoolReal(x, rows, pixels, c, steps), `${e.name} globalAvgPoolReal c=${c} steps=${steps}`);
      assertSame(op(e, 'globalAvgPoolBits')(planes, rows, pixels, c, steps), globalAvgPoolBits(planes, rows, pixels, c, steps), `${e.name} globalAvgPoolBits c=${c} steps=${steps}`);
    }
  }
});

test('packed bits take one bit per activation: 1 byte a pixel up to 8 channels, 2 up to 16, else whole words; the padding is 0', () => {
  const r = rng(9);
  for (const [channels, bytes] of [[1, 1], [5, 1], [8, 1], [9, 2], [16, 2], [17, 4], [32, 4], [33, 8], [64, 8], [100, 16]]) {
    const pixels = 7; // odd: the last word is part padding for 1- and 2-byte pixels
    const x = floats(r, pixels * channels);
    const threshold = new Float32Array(channels); // bit = x ≥ 0
    const gain = new Float32Array(channels).fill(1);
    for (const e of [{ name: 'js', kernels: jsKernels, use: () => {} }, ...engines]) {
      e.use();
      // A large call first leaves ones in the wasm scratch memory the small one reuses.
      e.kernels.step(new Float32Array(4096 * channels).fill(1), 4096, channels, threshold, gain, 1);
      const got = e.kernels.step(x, pixels, channels, threshold, gain, 1);
      assert.equal(got.length, Math.ceil((pixels * bytes) / 4), `${e.name} step: ${channels} channels take ${bytes} byte(s) a pixel`);
      const view = new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
      for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) {
        assert.equal((view[p * bytes + (c >>> 3)] >>> (c & 7)) & 1, x[p * channels + c] >= 0 ? 1 : 0, `${e.name} step: pixel ${p} channel ${c} of ${channels}`);
      }
      for (let i = pixels * bytes; i < view.length; i++) assert.equal(view[i], 0, `${e.name} step: padding byte ${i} of ${channels} channels`);
    }
  }
});

test('out: wasm and native fill a given output array of the right length and return it; else (wrong length, overlapping an input) a new one', () => {
  const r = rng(10);
  const s: ConvShape = { n: 2, h: 6, w: 6, cin: 16, cout: 8, kernel: 3, stride: 1, padding: 1 };
  const x = floats(r, 2 * 36 * 16);
  const weight = floats(r, 9 * 16 * 8);
  const plane = bits(r, 72, 16, 0.5);
  const wb = weightBits(r, 8 * 9, 16, 0.5);
  const scale = floats(r, 8);
  const bias = floats(r, 8);
  const len = outLength(s);
  for (const e of engines) {
    e.use();
    const k = e.kernels;
    const cases: [string, (out?: Float32Array) => Float32Array][] = [
      ['convFloat', (out) => k.convFloat(x, weight, bias, s, out)],
      ['convBits', (out) => k.convBits([plane], weight, bias, s, out)],
      ['convBinary', (out) => k.convBinary(plane, wb, scale, bias, s, out)],
      ['addReal', (out) => op(e, 'addReal')(x.subarray(0, len), x.subarray(len, 2 * len), out)],
    ];
    for (const [name, call] of cases) {
      const want = call();
      const out = new Float32Array(len).fill(NaN);
      assert.equal(call(out), out, `${e.name} ${name} fills out`);
      assertSame(out, want, `${e.name} ${name} into out`);
      const short = new Float32Array(len - 1);
      const got = call(short);
      assert.notEqual(got, short, `${e.name} ${name}: a wrong length is not used`);
      assertSame(got, want, `${e.name} ${name} past a wrong-length out`);
    }
    // An out over the conv's own input would be overwritten while read: the kernel must not use it.
    const big = new Float32Array(Math.max(x.length, len));
    big.set(x);
    const xin = big.subarray(0, x.length);
    const got = k.convFloat(xin, weight, bias, s, big.subarray(0, len));
    assertSame(got, k.convFloat(x, weight, bias, s), `${e.name} convFloat with out over its input`);
  }
});

test('wasm: memory grows for a large call and stays right for small ones after; weights are found again by identity', () => {
  const k = createWasmKernels();
  const r = rng(5);
  const small: ConvShape = { n: 1, h: 5, w: 5, cin: 4, cout: 3, kernel: 3, stride: 1, padding: 1 };
  const big: ConvShape = { n: 4, h: 128, w: 128, cin: 64, cout: 8, kernel: 1, stride: 1, padding: 0 };
  const ws = floats(r, 9 * 4 * 3);
  const wb = floats(r, 64 * 8);
  const xs = floats(r, 5 * 5 * 4);
  const xb = floats(r, 4 * 128 * 128 * 64);
  const first = k.convFloat(xs, ws, undefined, small);
  assertClose(k.convFloat(xb, wb, undefined, big), jsKernels.convFloat(xb, wb, undefined, big), 'big convFloat');
  assertSame(k.convFloat(xs, ws, undefined, small), first, 'small convFloat after growth');
  const ws2 = ws.map((v) => -v); // a new array: a new cache entry, not the first one's weights
  assertClose(k.convFloat(xs, ws2, undefined, small), jsKernels.convFloat(xs, ws2, undefined, small), 'new weights');
  const view = new Float32Array(new Float32Array(ws.length + 5).buffer, 8, ws.length);
  view.set(ws);
  assertSame(k.convFloat(xs, view, undefined, small), first, 'weights as a view at an offset');
});

test('bad lengths and shapes are errors naming the kernel and the shape (wasm and native)', () => {
  const s: ConvShape = { n: 1, h: 4, w: 4, cin: 3, cout: 2, kernel: 3, stride: 1, padding: 0 };
  const x = new Float32Array(48);
  const w = new Float32Array(54);
  for (const e of engines) {
    e.use();
    const k = e.kernels;
    assert.throws(() => k.convFloat(new Float32Array(47), w, undefined, s), /convFloat.*'x' holds 47 values but 48.*cin=3/i, e.name);
    assert.throws(() => k.convFloat(x, new Float32Array(53), undefined, s), /convFloat.*'weight'/i, e.name);
    assert.throws(() => k.convFloat(x, w, new Float32Array(3), s), /convFloat.*'bias'/i, e.name);
    assert.throws(() => k.convFloat(x, w, undefined, { ...s, kernel: 7 }), /convFloat.*kernel is larger/i, e.name);
    assert.throws(() => k.convFloat(x, w, undefined, { ...s, stride: 0 }), /convFloat.*stride/i, e.name);
    assert.throws(() => k.convBits([new Uint32Array(4), new Uint32Array(3)], w, undefined, s), /convBits.*planes\[1\]/i, e.name);
    assert.throws(() => k.convBinary(new Uint32Array(4), new Int32Array(17), new Float32Array(2), new Float32Array(2), s), /convBinary.*'weightBits'/i, e.name);
    assert.throws(() => k.convBinary(new Uint32Array(4), new Int32Array(18), new Float32Array(1), new Float32Array(2), s), /convBinary.*'scale'/i, e.name);
    assert.throws(() => k.step(new Float32Array(10), 5, 2, new Float32Array(2), new Float32Array(2), 2, new Float64Array(2)), /step.*'margins'.*at least 3/i, e.name);
    assert.throws(() => k.step(new Float32Array(10), 5, 2, new Float32Array(1), new Float32Array(2), 1), /step.*'threshold'/i, e.name);
    const lifP: LifParams = { steps: 4, tau: 2, vThreshold: 1, vReset: 0, repeat: false };
    assert.throws(() => op(e, 'lif')(new Float32Array(47), 2, 3, 2, lifP), /lif.*'x' holds 47 values but 48.*steps=4/i, e.name);
    assert.throws(() => op(e, 'lif')(new Float32Array(12), 2, 3, 2, { ...lifP, repeat: true }, new Float64Array(1)), /lif.*'margins'.*at least 2/i, e.name);
    assert.throws(() => op(e, 'lif')(new Float32Array(12), 2, 3, 2, { ...lifP, repeat: true, tau: 0.5 }), /lif.*tau > 1/i, e.name);
    assert.throws(() => op(e, 'addReal')(new Float32Array(4), new Float32Array(5)), /addReal.*'b' holds 5 values but 4/i, e.name);
    assert.throws(() => op(e, 'affine')(new Float32Array(6), 3, new Float32Array(2), new Float32Array(3), false), /affine.*'scale'/i, e.name);
    const ps: PoolShape = { n: 1, h: 4, w: 4, c: 3, kernel: 2, stride: 2, padding: 0 };
    assert.throws(() => op(e, 'avgPool')(new Float32Array(47), ps), /avgPool.*'x' holds 47 values but 48.*c=3/i, e.name);
    assert.throws(() => op(e, 'maxPool')(x, { ...ps, kernel: 7 }), /maxPool.*larger than the padded input/i, e.name);
    assert.throws(() => op(e, 'globalAvgPoolReal')(new Float32Array(47), 4, 4, 3, 1), /globalAvgPoolReal.*'x' holds 47.*rows=4/i, e.name);
    assert.throws(() => op(e, 'globalAvgPoolBits')([new Uint32Array(4), new Uint32Array(3)], 4, 4, 3, 2), /globalAvgPoolBits.*planes\[1\]/i, e.name);
  }
  assert.throws(() => (nativeKernels().convFloat as (...a: unknown[]) => unknown)(new Float64Array(48), w, undefined, s), /rtConvFloat: argument 'x' must be a Float32Array/);
  setNativeKernelIsa(best);
});
