// The runtime's light ops in plain JavaScript: their work is one pass over a map (against the k²·Cin
// passes of a convolution). They are the reference: the wasm and native engines carry the same ops in C
// (Kernels' optional members, the same output bits) and the executor uses these where an engine lacks one. Maps are channels last (NHWC); bits are packed
// as kernels.ts says.
import { bytesOf, bytesPerPixel, outSide, packedWords, type LifParams, type PoolShape } from './kernels.js';

export type { LifParams, PoolShape };

/** NCHW (torch's order, the caller's input) → NHWC. */
export function toChannelsLast(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  if (c === 1) return x; // the same order
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) y[(b * h * w + p) * c + ch] = x[(b * c + ch) * h * w + p];
  return y;
}

/** Per-channel y = scale[c]·x + shift[c], then max(y, 0) if relu. */
export function affine(x: Float32Array, channels: number, scale: Float32Array, shift: Float32Array, relu: boolean): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0, c = 0; i < x.length; i++) {
    const v = Math.fround(scale[c] * x[i]) + shift[c];
    y[i] = relu && !(v > 0) ? 0 : v;
    if (++c === channels) c = 0;
  }
  return y;
}

export function relu(x: Float32Array): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
  return y;
}

export function addReal(a: Float32Array, b: Float32Array): Float32Array {
  const y = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i] + b[i];
  return y;
}

/** The output side of a ceil-mode pooling (torch's rule: the last window must start inside the image or its left padding). */
export function ceilOutSide(side: number, kernel: number, stride: number, padding: number): number {
  let o = Math.ceil((side + 2 * padding - kernel) / stride) + 1;
  if ((o - 1) * stride >= side + padding) o--;
  return o;
}

/** Max pooling (floor mode, −∞ padding). */
export function maxPool(x: Float32Array, s: PoolShape): Float32Array {
  const oh = outSide(s.h, s.kernel, s.stride, s.padding);
  const ow = outSide(s.w, s.kernel, s.stride, s.padding);
  return pool(x, s, oh, ow, (acc, v) => (v > acc || Number.isNaN(v) ? v : acc), -Infinity, () => 1);
}

/** Average pooling, ceil mode, each window divided by the pixels it covers inside the image. */
export function avgPool(x: Float32Array, s: PoolShape): Float32Array {
  const oh = ceilOutSide(s.h, s.kernel, s.stride, s.padding);
  const ow = ceilOutSide(s.w, s.kernel, s.stride, s.padding);
  return pool(x, s, oh, ow, (acc, v) => acc + v, 0, (count) => count);
}

function pool(x: Float32Array, s: PoolShape, oh: number, ow: number, fold: (acc: number, v: number) => number, start: number, divisor: (count: number) => number): Float32Array {
  const { n, h, w, c, kernel: k, stride, padding } = s;
  const y = new Float32Array(n * oh * ow * c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const yo = ((b * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let acc = start;
          let count = 0;
          for (let ky = 0; ky < k; ky++) {
            const iy = oy * stride - padding + ky;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < k; kx++) {
              const ix = ox * stride - padding + kx;
              if (ix < 0 || ix >= w) continue;
              acc = fold(acc, x[((b * h + iy) * w + ix) * c + ch]);
              count++;
            }
          }
          y[yo + ch] = acc / divisor(count);
        }
      }
    }
  }
  return y;
}

/** Mean over the pixels (and over `steps` time steps: rows t·N + n) of a real map [rows, pixels, c] → [N, c]. */
export function globalAvgPoolReal(x: Float32Array, rows: number, pixels: number, c: number, steps: number): Float32Array {
  const n = rows / steps;
  const sum = new Float64Array(n * c);
  for (let r = 0; r < rows; r++) {
    const e = r % n;
    for (let p = 0; p < pixels; p++) for (let ch = 0; ch < c; ch++) sum[e * c + ch] += x[(r * pixels + p) * c + ch];
  }
  return Float32Array.from(sum, (v) => v / (pixels * steps));
}

/** The same on bit planes: the share of ones per channel. */
export function globalAvgPoolBits(planes: readonly Uint32Array[], rows: number, pixels: number, c: number, steps: number): Float32Array {
  const n = rows / steps;
  const bpp = bytesPerPixel(c);
  const count = new Float64Array(n * c);
  for (const bits of planes) {
    const bytes = bytesOf(bits);
    for (let r = 0; r < rows; r++) {
      const e = r % n;
      for (let p = 0; p < pixels; p++) {
        const o = (r * pixels + p) * bpp;
        for (let ch = 0; ch < c; ch++) count[e * c + ch] += (bytes[o + (ch >>> 3)] >>> (ch & 7)) & 1;
      }
    }
  }
  return Float32Array.from(count, (v) => v / (pixels * steps));
}

/** Layer norm of [rows, f] vectors. */
export function layerNorm(x: Float32Array, rows: number, f: number, weight: Float32Array, bias: Float32Array, eps: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let i = 0; i < f; i++) mean += x[r * f + i];
    mean /= f;
    let v = 0;
    for (let i = 0; i < f; i++) v += (x[r * f + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / f + eps);
    for (let i = 0; i < f; i++) y[r * f + i] = (x[r * f + i] - mean) * inv * weight[i] + bias[i];
  }
  return y;
}

/**
 * LIF over T steps of `size` values per row (`n` rows per step) → spike bits, T·n·pixels pixels of c packed bits.
 * Each value's potential is kept in float32, as libtorch's float32 tensors keep it. margins[e]: the
 * smallest |h − v_th| met by example e.
 */
export function lif(x: Float32Array, n: number, pixels: number, c: number, p: LifParams, margins?: Float64Array): Uint32Array {
  const bpp = bytesPerPixel(c);
  const per = pixels * c;
  const v = new Float32Array(n * per).fill(p.vReset ?? 0);
  const bits = new Uint32Array(packedWords(p.steps * n * pixels, c));
  const bytes = bytesOf(bits);
  const rest = p.vReset ?? 0;
  const f = Math.fround;
  for (let t = 0; t < p.steps; t++) {
    const xo = p.repeat ? 0 : t * n * per;
    for (let e = 0; e < n; e++) {
      let m = margins ? margins[e] : Infinity;
      for (let i = 0; i < per; i++) {
        const k = e * per + i;
        const vk = v[k];
        const h = f(vk + f(f(x[xo + k] - f(vk - rest)) / p.tau));
        const z = f(h - p.vThreshold);
        const spike = z >= 0;
        if (spike) {
          const pixel = (t * n + e) * pixels + Math.floor(i / c);
          const ch = i % c;
          bytes[pixel * bpp + (ch >>> 3)] |= 1 << (ch & 7);
        }
        v[k] = p.vReset === null ? (spike ? f(h - p.vThreshold) : h) : spike ? p.vReset : h;
        const a = Math.abs(z);
        if (a < m) m = a;
      }
      if (margins) margins[e] = m;
    }
  }
  return bits;
}
