// The runtime's compute kernels: the interface every engine implements (js here; wasm and native run the
// same C source, native/kernels/) and the plain-JavaScript reference, which runs anywhere. Maps are
// channels last (NHWC); bits are packed one per activation: pixel p takes bytesPerPixel(C) bytes at byte
// p·bytesPerPixel (a u8 for C ≤ 8, a u16 for C ≤ 16, else ⌈C/32⌉ words), channel c bit c & 7 of its byte
// c >> 3 (little-endian: bit c of the u8/u16, bit c & 31 of word c >> 5), held in a Uint32Array of
// packedWords(pixels, C) words, the padding 0. A binary conv's weight bits keep whole words per tap.
// The layer after a step adds the weight rows of the set bits (no multiplication), so its work is
// proportional to the ones (the C engines, on dense bits, add a precomputed sum of rows per 8 channels); a binary × binary conv is XOR + popcount. The JS sums are float64, rounded to
// float32 once; other engines sum in float32 in their own order: predictions can differ only where a
// pre-activation lies within rounding of a threshold, which the runtime's margins trace.

/** The geometry of one convolution (a linear is a 1×1 conv on 1×1 maps). */
export interface ConvShape {
  /** Rows (images) in the batch, the input map's height, width and channels. */
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  kernel: number;
  stride: number;
  padding: number;
}

/** The output side of a convolution or pooling. */
export const outSide = (side: number, kernel: number, stride: number, padding: number): number => Math.floor((side + 2 * padding - kernel) / stride) + 1;

/** Words per tap for `channels` bits (a binary conv's weight bits). */
export const wordsFor = (channels: number): number => (channels + 31) >>> 5;

/** Bytes one pixel of `channels` packed bits takes: 1 up to 8 channels, 2 up to 16, else whole 32-bit words. */
export const bytesPerPixel = (channels: number): number => (channels <= 8 ? 1 : channels <= 16 ? 2 : 4 * wordsFor(channels));

/** The Uint32 words that hold `pixels` pixels of `channels` packed bits (the last one padded with 0). */
export const packedWords = (pixels: number, channels: number): number => Math.ceil((pixels * bytesPerPixel(channels)) / 4);

/** The bytes of a packed array (channel c of pixel p: bit c & 7 of byte p·bytesPerPixel + (c >> 3)). */
export const bytesOf = (bits: Uint32Array): Uint8Array => new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);

/** Word q (bits 32q … 32q + 31) of pixel p's channels; pixels of 1 or 2 bytes have one word, the high bits 0. */
function pixelWord(bytes: Uint8Array, p: number, bpp: number, q: number): number {
  const o = p * bpp + 4 * q;
  if (bpp === 1) return bytes[o];
  if (bpp === 2) return bytes[o] | (bytes[o + 1] << 8);
  return (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0;
}

/** The geometry of a pooling over a map [n, h, w, c]. */
export interface PoolShape {
  n: number;
  h: number;
  w: number;
  c: number;
  kernel: number;
  stride: number;
  padding: number;
}

/** A LIF layer's constants (graph.ts's lif node). */
export interface LifParams {
  steps: number;
  tau: number;
  vThreshold: number;
  /** null: soft reset (subtract v_th), the rest potential 0. */
  vReset: number | null;
  /** The input holds one step's rows, the same current at every step. */
  repeat: boolean;
}

/**
 * `out`, where a kernel takes it: a dead array of exactly the output's length that the kernel may fill and
 * return instead of allocating (the executor recycles the real maps no layer reads any more: a fresh
 * multi-megabyte array costs its page faults, as much as a whole small conv). A kernel may ignore it.
 */
export interface Kernels {
  readonly engine: 'js' | 'wasm' | 'native';
  /** y[n, oy, ox, o] = bias[o] + Σ_{ky, kx, c} x[n, oy·s − p + ky, ox·s − p + kx, c]·W[ky, kx, c, o]; x NHWC, W [k, k, Cin, Cout]. */
  convFloat(x: Float32Array, weight: Float32Array, bias: Float32Array | undefined, s: ConvShape, out?: Float32Array): Float32Array;
  /** The same on 0/1 inputs given as bit planes (n·h·w pixels of Cin packed bits each), summed over the planes: the rows of W at the set bits are added. */
  convBits(planes: readonly Uint32Array[], weight: Float32Array, bias: Float32Array | undefined, s: ConvShape, out?: Float32Array): Float32Array;
  /**
   * ±1 × ±1: y[n, oy, ox, o] = scale[o]·Σ_{taps inside the image} (Cin − 2·popcount(x ⊕ Wb[o, ky, kx])) + bias[o];
   * x n·h·w pixels of Cin packed bits, Wb [Cout, k, k, words(Cin)] (whole words per tap), unused high bits 0 in both.
   */
  convBinary(x: Uint32Array, weightBits: Int32Array, scale: Float32Array, bias: Float32Array, s: ConvShape, out?: Float32Array): Float32Array;
  /**
   * The exact step per channel of `pixels` rows of `channels` values: bit = 1 iff gain[c]·(x − threshold[c]) ≥ 0
   * (NaN gives 0). With margins (one per example, `perExample` pixels each), keeps the smallest |gain·(x − threshold)|.
   */
  step(x: Float32Array, pixels: number, channels: number, threshold: Float32Array, gain: Float32Array, perExample: number, margins?: Float64Array): Uint32Array;

  // The light ops, optional: an engine that has them runs them (the same output bits as ops.ts, the
  // reference, which the executor uses where an engine lacks one). Their meaning is ops.ts's function of
  // the same name.
  /** ops.ts lif: spikes of x ([n or steps·n, pixels, c]) → bits [steps·n, pixels, ·]; margins [n] kept as the smallest |h − v_th|. */
  lif?(x: Float32Array, n: number, pixels: number, c: number, p: LifParams, margins?: Float64Array): Uint32Array;
  addReal?(a: Float32Array, b: Float32Array, out?: Float32Array): Float32Array;
  /** x [pixels, channels]: scale[c]·x + shift[c] (rounded to float32, then the sum), max(·, 0) if relu. */
  affine?(x: Float32Array, channels: number, scale: Float32Array, shift: Float32Array, relu: boolean): Float32Array;
  avgPool?(x: Float32Array, s: PoolShape): Float32Array;
  maxPool?(x: Float32Array, s: PoolShape): Float32Array;
  globalAvgPoolReal?(x: Float32Array, rows: number, pixels: number, c: number, steps: number): Float32Array;
  globalAvgPoolBits?(planes: readonly Uint32Array[], rows: number, pixels: number, c: number, steps: number): Float32Array;
}

function convOut(s: ConvShape): { oh: number; ow: number } {
  return { oh: outSide(s.h, s.kernel, s.stride, s.padding), ow: outSide(s.w, s.kernel, s.stride, s.padding) };
}

/** Runs `tap(acc, pixelIndex, ky, kx)` for every input pixel under each output pixel, then writes acc + bias. */
function convLoop(s: ConvShape, tap: (acc: Float64Array, pixel: number, ky: number, kx: number) => void, bias: Float32Array | undefined): Float32Array {
  const { oh, ow } = convOut(s);
  const { n, h, w, cout, kernel: k, stride, padding } = s;
  const y = new Float32Array(n * oh * ow * cout);
  const acc = new Float64Array(cout);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        if (bias) for (let o = 0; o < cout; o++) acc[o] = bias[o];
        else acc.fill(0);
        for (let ky = 0; ky < k; ky++) {
          const iy = oy * stride - padding + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox * stride - padding + kx;
            if (ix < 0 || ix >= w) continue;
            tap(acc, (b * h + iy) * w + ix, ky, kx);
          }
        }
        y.set(acc, ((b * oh + oy) * ow + ox) * cout);
      }
    }
  }
  return y;
}

export const jsKernels: Kernels = {
  engine: 'js',

  convFloat(x, weight, bias, s) {
    const { cin, cout, kernel: k } = s;
    return convLoop(s, (acc, pixel, ky, kx) => {
      const xo = pixel * cin;
      const wo = (ky * k + kx) * cin * cout;
      for (let c = 0; c < cin; c++) {
        const v = x[xo + c];
        if (v === 0) continue; // after a ReLU most inputs are 0
        const row = wo + c * cout;
        for (let o = 0; o < cout; o++) acc[o] += v * weight[row + o];
      }
    }, bias);
  },

  convBits(planes, weight, bias, s) {
    const { cin, cout, kernel: k } = s;
    const words = wordsFor(cin);
    const bpp = bytesPerPixel(cin);
    const views = planes.map(bytesOf);
    return convLoop(s, (acc, pixel, ky, kx) => {
      const wo = (ky * k + kx) * cin * cout;
      for (const bytes of views) {
        for (let q = 0; q < words; q++) {
          let word = pixelWord(bytes, pixel, bpp, q);
          while (word !== 0) {
            const low = word & -word;
            const row = wo + ((q << 5) + 31 - Math.clz32(low)) * cout;
            for (let o = 0; o < cout; o++) acc[o] += weight[row + o];
            word ^= low;
          }
        }
      }
    }, bias);
  },

  convBinary(x, weightBits, scale, bias, s) {
    const { cin, cout, kernel: k } = s;
    const words = wordsFor(cin);
    const bpp = bytesPerPixel(cin);
    const bytes = bytesOf(x);
    const xw = new Uint32Array(words);
    const y = convLoop(s, (acc, pixel, ky, kx) => {
      for (let q = 0; q < words; q++) xw[q] = pixelWord(bytes, pixel, bpp, q);
      for (let o = 0; o < cout; o++) {
        const wo = ((o * k + ky) * k + kx) * words;
        let differ = 0;
        for (let q = 0; q < words; q++) differ += popcount32(xw[q] ^ weightBits[wo + q]);
        acc[o] += cin - 2 * differ;
      }
    }, undefined);
    for (let i = 0; i < y.length; i++) {
      const o = i % cout;
      y[i] = Math.fround(scale[o] * y[i]) + bias[o];
    }
    return y;
  },

  step(x, pixels, channels, threshold, gain, perExample, margins) {
    const bpp = bytesPerPixel(channels);
    const bits = new Uint32Array(packedWords(pixels, channels));
    const bytes = bytesOf(bits);
    for (let p = 0; p < pixels; p++) {
      const xo = p * channels;
      const bo = p * bpp;
      let m = Infinity;
      for (let c = 0; c < channels; c++) {
        const z = gain[c] * (x[xo + c] - threshold[c]);
        if (z >= 0) bytes[bo + (c >>> 3)] |= 1 << (c & 7);
        const a = Math.abs(z);
        if (a < m) m = a;
      }
      if (margins) {
        const e = Math.floor(p / perExample);
        if (m < margins[e]) margins[e] = m;
      }
    }
    return bits;
  },
};

/** Set bits in one 32-bit word. */
export function popcount32(w: number): number {
  w -= (w >>> 1) & 0x55555555;
  w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
  return (((w + (w >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Set bits in a packed array (ones among the activations). */
export function popcount(bits: Uint32Array): number {
  let n = 0;
  for (const w of bits) n += popcount32(w);
  return n;
}
