// The runtime's kernels in plain JavaScript (no dependency, runs in Node and in a browser). Activations
// after a step are bits, 32 to a Uint32 word; a layer after them adds the weight rows of the set bits
// (no multiplication), so its work is proportional to the ones. Sums are taken in float64 and rounded
// to float32 once, so they differ from libtorch's float32 matmul only in the last bits: a prediction can
// differ only where a pre-activation lies within rounding of its step's threshold (runtime.ts traces it).

/** y[r, o] = b[o] + Σ_i x[r, i]·W[o, i] (W row-major [out, in]). */
export function linearFloat(x: Float32Array, rows: number, inF: number, w: Float32Array, b: Float32Array): Float32Array {
  const out = b.length;
  const y = new Float32Array(rows * out);
  for (let r = 0; r < rows; r++) {
    const xo = r * inF;
    for (let o = 0; o < out; o++) {
      const wo = o * inF;
      let s = 0;
      for (let i = 0; i < inF; i++) s += x[xo + i] * w[wo + i];
      y[r * out + o] = s + b[o];
    }
  }
  return y;
}

/** y = max(x, 0), elementwise. */
export function relu(x: Float32Array): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
  return y;
}

/** Words per row for `width` bits. */
export const wordsFor = (width: number): number => (width + 31) >>> 5;

/**
 * The exact step H(x) = 1[x ≥ 0] (H(NaN) = 0), packed: bit j of row r is word r·words + (j >> 5), bit
 * j & 31. With `margins`, keeps per row the smallest |x| seen (how close the row came to a threshold).
 */
export function heavisidePack(x: Float32Array, rows: number, width: number, margins?: Float64Array): Uint32Array {
  const words = wordsFor(width);
  const bits = new Uint32Array(rows * words);
  for (let r = 0; r < rows; r++) {
    const xo = r * width;
    const bo = r * words;
    let m = margins ? margins[r] : 0;
    for (let j = 0; j < width; j++) {
      const v = x[xo + j];
      if (v >= 0) bits[bo + (j >>> 5)] |= 1 << (j & 31);
      if (margins && Math.abs(v) < m) m = Math.abs(v);
    }
    if (margins) margins[r] = m;
  }
  return bits;
}

/** y[r, :] = b + Σ_{j: bit j of row r set} Wt[j, :] (Wt row-major [in, out]). */
export function linearBits(bits: Uint32Array, rows: number, inF: number, wt: Float32Array, b: Float32Array): Float32Array {
  const out = b.length;
  const words = wordsFor(inF);
  const y = new Float32Array(rows * out);
  const acc = new Float64Array(out);
  for (let r = 0; r < rows; r++) {
    acc.set(b);
    for (let k = 0; k < words; k++) {
      let word = bits[r * words + k];
      while (word !== 0) {
        const low = word & -word;
        const j = (k << 5) + (31 - Math.clz32(low));
        const wo = j * out;
        for (let o = 0; o < out; o++) acc[o] += wt[wo + o];
        word ^= low;
      }
    }
    y.set(acc, r * out);
  }
  return y;
}

/** Set bits in a packed array (ones among the activations). */
export function popcount(bits: Uint32Array): number {
  let n = 0;
  for (let w of bits) {
    w -= (w >>> 1) & 0x55555555;
    w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
    n += (((w + (w >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}
