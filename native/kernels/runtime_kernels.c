/* The runtime's kernels in freestanding C (declarations and the build story: runtime_kernels.h).
 * The loops are written for the auto-vectorizer: the innermost loop of every conv runs over a block of
 * output channels with a width known at compile time, so the block's accumulators stay in vector
 * registers while the taps stream past, and an input value or set bit costs one weight row of loads. */
#include "runtime_kernels.h"

typedef unsigned int u32;
typedef unsigned long long u64;
typedef __SIZE_TYPE__ usize;

#define RK_INLINE static inline __attribute__((always_inline))

/* 32 floats are 4 AVX2 / 8 SIMD128 registers: wide enough to amortize reading an input, small enough
 * not to spill. Narrower blocks (16, 8, then any) finish the channels that are left. */
#define BLOCK 32

RK_INLINE int out_side(int side, int k, int stride, int padding) { return (side + 2 * padding - k) / stride + 1; }
RK_INLINE int imax(int a, int b) { return a > b ? a : b; }
RK_INLINE int imin(int a, int b) { return a < b ? a : b; }

/* The taps of one output pixel that fall inside the image, as [t0, t1) along one side: padding is
 * skipped rather than read, so no padded copy of the input is ever made. */
RK_INLINE void tap_range(int o, int side, int k, int stride, int padding, int *t0, int *t1) {
  int start = o * stride - padding;
  *t0 = imax(0, -start);
  *t1 = imin(k, side - start);
}

/* Packed bits keep one bit per activation: a pixel of c channels takes 1 byte up to 8 channels, 2 up to 16,
 * else 4·⌈c/32⌉ (whole words), at byte pixel·pixel_bytes(c); channel c is bit c & 31 of the pixel's
 * little-endian word c >> 5 (a u8 or u16 pixel has one such word, its high bits 0). */
RK_INLINE int pixel_bytes(int c) { return c <= 8 ? 1 : c <= 16 ? 2 : 4 * ((c + 31) >> 5); }

RK_INLINE u32 load_word(const unsigned char *bits, usize pixel, int bpp, int q) {
  const unsigned char *p = bits + pixel * bpp;
  if (bpp == 1) return p[0];
  if (bpp == 2) {
    unsigned short v;
    __builtin_memcpy(&v, p, 2);
    return v;
  }
  u32 v;
  __builtin_memcpy(&v, p + 4 * q, 4);
  return v;
}

RK_INLINE void store_word(unsigned char *bits, usize pixel, int bpp, int q, u32 word) {
  unsigned char *p = bits + pixel * bpp;
  if (bpp == 1) p[0] = (unsigned char)word;
  else if (bpp == 2) {
    const unsigned short v = (unsigned short)word;
    __builtin_memcpy(p, &v, 2);
  } else __builtin_memcpy(p + 4 * q, &word, 4);
}

/* Zeroes the bytes after the last pixel up to the array's last word (the caller's memory may be reused). */
RK_INLINE void zero_tail(unsigned char *bits, usize pixels, int bpp) {
  for (usize i = pixels * bpp; i & 3; i++) bits[i] = 0;
}

/* One output pixel, channels [o0, o0 + nb). Along kx the inside taps are consecutive pixels of x and
 * consecutive [cin, cout] slabs of the weight, so (kx, c) runs as one flat loop. Zeros are skipped: after
 * a ReLU most inputs are 0, and a skipped input saves a whole weight row. */
RK_INLINE void float_block(float *yo, const float *x, const float *weight, const float *bias, int o0, const int nb,
                           int b, int oy, int ox, int h, int w, int cin, int cout, int k, int stride, int padding) {
  float acc[BLOCK];
  for (int j = 0; j < nb; j++) acc[j] = bias ? bias[o0 + j] : 0.0f;
  int ky0, ky1, kx0, kx1;
  tap_range(oy, h, k, stride, padding, &ky0, &ky1);
  tap_range(ox, w, k, stride, padding, &kx0, &kx1);
  const int iy0 = oy * stride - padding, ix0 = ox * stride - padding;
  const int span = (kx1 - kx0) * cin;
  for (int ky = ky0; ky < ky1; ky++) {
    const float *xp = x + ((usize)(b * h + iy0 + ky) * w + ix0 + kx0) * cin;
    const float *wp = weight + ((usize)(ky * k + kx0) * cin) * cout + o0;
    for (int m = 0; m < span; m++) {
      const float v = xp[m];
      if (v == 0.0f) continue;
      const float *row = wp + (usize)m * cout;
      for (int j = 0; j < nb; j++) acc[j] += v * row[j];
    }
  }
  for (int j = 0; j < nb; j++) yo[o0 + j] = acc[j];
}

void RK(conv_float)(float *y, const float *x, const float *weight, const float *bias,
                    int n, int h, int w, int cin, int cout, int k, int stride, int padding) {
  const int oh = out_side(h, k, stride, padding), ow = out_side(w, k, stride, padding);
  for (int b = 0; b < n; b++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        float *yo = y + ((usize)(b * oh + oy) * ow + ox) * cout;
        int o0 = 0;
        for (; o0 + BLOCK <= cout; o0 += BLOCK) float_block(yo, x, weight, bias, o0, BLOCK, b, oy, ox, h, w, cin, cout, k, stride, padding);
        if (o0 + 16 <= cout) { float_block(yo, x, weight, bias, o0, 16, b, oy, ox, h, w, cin, cout, k, stride, padding); o0 += 16; }
        if (o0 + 8 <= cout) { float_block(yo, x, weight, bias, o0, 8, b, oy, ox, h, w, cin, cout, k, stride, padding); o0 += 8; }
        if (o0 < cout) float_block(yo, x, weight, bias, o0, cout - o0, b, oy, ox, h, w, cin, cout, k, stride, padding);
      }
}

/* As float_block, on packed bits: only the set bits are visited (lowest first, cleared as taken), so the
 * work is the number of ones, which for spikes and steps is a small fraction of the channels. */
RK_INLINE void bits_block(float *yo, const u32 *const *planes, int nplanes, const float *weight, const float *bias,
                          int o0, const int nb, int b, int oy, int ox, int h, int w, int cin, int cout, int k,
                          int stride, int padding) {
  float acc[BLOCK];
  for (int j = 0; j < nb; j++) acc[j] = bias ? bias[o0 + j] : 0.0f;
  const int words = (cin + 31) >> 5, bpp = pixel_bytes(cin);
  int ky0, ky1, kx0, kx1;
  tap_range(oy, h, k, stride, padding, &ky0, &ky1);
  tap_range(ox, w, k, stride, padding, &kx0, &kx1);
  const int iy0 = oy * stride - padding, ix0 = ox * stride - padding;
  for (int ky = ky0; ky < ky1; ky++)
    for (int kx = kx0; kx < kx1; kx++) {
      const usize pixel = (usize)(b * h + iy0 + ky) * w + ix0 + kx;
      const float *wp = weight + ((usize)(ky * k + kx) * cin) * cout + o0;
      for (int pl = 0; pl < nplanes; pl++) {
        const unsigned char *bp = (const unsigned char *)planes[pl];
        for (int q = 0; q < words; q++) {
          u32 word = load_word(bp, pixel, bpp, q);
          while (word) {
            const float *row = wp + (usize)((q << 5) + __builtin_ctz(word)) * cout;
            for (int j = 0; j < nb; j++) acc[j] += row[j];
            word &= word - 1;
          }
        }
      }
    }
  for (int j = 0; j < nb; j++) yo[o0 + j] = acc[j];
}

/* The lookup-table path: per tap and per group of 8 input channels, lut[pattern] = the sum of the weight
 * rows of the pattern's set bits (built once per call: 255 row adds per tap and group), so one row add
 * replaces up to 8 and a zero byte costs a test. Sums come out in another order than the set-bit path's:
 * float32 rounding differs, which the tests allow (outputs within rounding; classes traced to margins). */
#define LUT_GROUP 8
#define LUT_PATTERNS (1 << LUT_GROUP)

RK_INLINE int lut_groups(int cin) { return (cin + LUT_GROUP - 1) / LUT_GROUP; }

/* The set bits of every plane (and the nonzero bytes) over the input, to choose the path by measurement:
 * a lookup replaces the row adds of a byte's set bits; the table costs 255 per tap and group. */
long long RK(conv_bits_lut_floats)(const u32 *const *planes, int nplanes, int n, int h, int w, int cin, int cout, int k,
                                   int stride) {
  const int bpp = pixel_bytes(cin), groups = lut_groups(cin);
  const usize bytes = (usize)n * h * w * bpp;
  long long ones = 0, nonzero = 0;
  for (int pl = 0; pl < nplanes; pl++) {
    const unsigned char *b = (const unsigned char *)planes[pl];
    for (usize i = 0; i < bytes; i++) {
      ones += __builtin_popcount(b[i]);
      nonzero += b[i] != 0;
    }
  }
  /* A table row is read from a table of k²·groups·256 rows (L2, not L1 as the weight rows), so a lookup
   * costs about two direct row adds (measured: sparse spike maps, ~1.1 bits per nonzero byte, ran 1.5×
   * slower on the table). Each input pixel meets about k²/stride² output pixels, each tap of which pays
   * the row adds, but the table is built for all k² taps: compare per tap. */
  const long long saved = (ones - 2 * nonzero) / ((long long)stride * stride);
  const long long cost = 2LL * LUT_PATTERNS * groups;
  if (saved <= cost) return 0;
  return (long long)k * k * groups * LUT_PATTERNS * cout;
}

RK_INLINE void build_lut(float *lut, const float *weight, int cin, int cout, int k) {
  const int groups = lut_groups(cin);
  for (int tap = 0; tap < k * k; tap++)
    for (int g = 0; g < groups; g++) {
      float *t = lut + (usize)(tap * groups + g) * LUT_PATTERNS * cout;
      const int valid = imin(LUT_GROUP, cin - g * LUT_GROUP);
      for (int o = 0; o < cout; o++) t[o] = 0.0f;
      /* Patterns with bits past cin never occur (unused bits are 0) and would read past the weight. */
      for (int p = 1; p < (1 << valid); p++) {
        const float *prev = t + (usize)(p & (p - 1)) * cout;
        const float *row = weight + ((usize)tap * cin + g * LUT_GROUP + __builtin_ctz(p)) * cout;
        float *dst = t + (usize)p * cout;
        for (int o = 0; o < cout; o++) dst[o] = prev[o] + row[o];
      }
    }
}

RK_INLINE void lut_block(float *yo, const unsigned char *const *planes, int nplanes, const float *lut, const float *bias,
                         int o0, const int nb, int b, int oy, int ox, int h, int w, int cin, int cout, int k, int stride,
                         int padding) {
  float acc[BLOCK];
  for (int j = 0; j < nb; j++) acc[j] = bias ? bias[o0 + j] : 0.0f;
  const int bpp = pixel_bytes(cin), groups = lut_groups(cin);
  int ky0, ky1, kx0, kx1;
  tap_range(oy, h, k, stride, padding, &ky0, &ky1);
  tap_range(ox, w, k, stride, padding, &kx0, &kx1);
  const int iy0 = oy * stride - padding, ix0 = ox * stride - padding;
  for (int ky = ky0; ky < ky1; ky++)
    for (int kx = kx0; kx < kx1; kx++) {
      const usize pixel = (usize)(b * h + iy0 + ky) * w + ix0 + kx;
      const float *tp = lut + (usize)(ky * k + kx) * groups * LUT_PATTERNS * cout + o0;
      for (int pl = 0; pl < nplanes; pl++) {
        const unsigned char *bp = planes[pl] + pixel * bpp;
        for (int g = 0; g < groups; g++) {
          const unsigned int pat = bp[g];
          if (!pat) continue;
          const float *row = tp + ((usize)g * LUT_PATTERNS + pat) * cout;
          for (int j = 0; j < nb; j++) acc[j] += row[j];
        }
      }
    }
  for (int j = 0; j < nb; j++) yo[o0 + j] = acc[j];
}

/* lut: 0 for the set-bit path, else conv_bits_lut_floats(…) floats of scratch (the table is built here). */
void RK(conv_bits)(float *y, const u32 *const *planes, int nplanes, const float *weight, const float *bias, float *lut,
                   int n, int h, int w, int cin, int cout, int k, int stride, int padding) {
  const int oh = out_side(h, k, stride, padding), ow = out_side(w, k, stride, padding);
  if (lut) {
    build_lut(lut, weight, cin, cout, k);
    const unsigned char *const *bp = (const unsigned char *const *)planes;
    for (int b = 0; b < n; b++)
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) {
          float *yo = y + ((usize)(b * oh + oy) * ow + ox) * cout;
          int o0 = 0;
          for (; o0 + BLOCK <= cout; o0 += BLOCK) lut_block(yo, bp, nplanes, lut, bias, o0, BLOCK, b, oy, ox, h, w, cin, cout, k, stride, padding);
          if (o0 + 16 <= cout) { lut_block(yo, bp, nplanes, lut, bias, o0, 16, b, oy, ox, h, w, cin, cout, k, stride, padding); o0 += 16; }
          if (o0 + 8 <= cout) { lut_block(yo, bp, nplanes, lut, bias, o0, 8, b, oy, ox, h, w, cin, cout, k, stride, padding); o0 += 8; }
          if (o0 < cout) lut_block(yo, bp, nplanes, lut, bias, o0, cout - o0, b, oy, ox, h, w, cin, cout, k, stride, padding);
        }
    return;
  }
  for (int b = 0; b < n; b++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        float *yo = y + ((usize)(b * oh + oy) * ow + ox) * cout;
        int o0 = 0;
        for (; o0 + BLOCK <= cout; o0 += BLOCK) bits_block(yo, planes, nplanes, weight, bias, o0, BLOCK, b, oy, ox, h, w, cin, cout, k, stride, padding);
        if (o0 + 16 <= cout) { bits_block(yo, planes, nplanes, weight, bias, o0, 16, b, oy, ox, h, w, cin, cout, k, stride, padding); o0 += 16; }
        if (o0 + 8 <= cout) { bits_block(yo, planes, nplanes, weight, bias, o0, 8, b, oy, ox, h, w, cin, cout, k, stride, padding); o0 += 8; }
        if (o0 < cout) bits_block(yo, planes, nplanes, weight, bias, o0, cout - o0, b, oy, ox, h, w, cin, cout, k, stride, padding);
      }
}

/* Bit-packed im2col: an output pixel's k·k input pixels are concatenated byte for byte into one bit vector
 * (tap t at byte t·pixel_bytes(cin); a tap's unused high bits are 0), and each output channel's weights are
 * packed the same way once per call, so a dot product is one run of 64-bit XOR-popcounts over the vector,
 * not a loop per kernel row. A tap outside the image is masked out (zero padding: it adds 0), and the
 * taps inside add cin − 2·(differing bits) each; interior pixels need no mask. */
RK_INLINE usize binary_vector_words(int cin, int k) { return ((usize)k * k * pixel_bytes(cin) + 7) / 8; }

long long RK(conv_binary_scratch_bytes)(int cin, int cout, int k) {
  return (long long)(binary_vector_words(cin, k) * 8) * ((long long)cout + 2);
}

/* A few bytes (one kernel row's pixels): fixed-size pieces the compiler inlines, where a memcpy of a
 * variable length would be a library call per row. */
RK_INLINE void copy_small(unsigned char *dst, const unsigned char *src, usize len) {
  while (len >= 8) { __builtin_memcpy(dst, src, 8); dst += 8; src += 8; len -= 8; }
  if (len & 4) { __builtin_memcpy(dst, src, 4); dst += 4; src += 4; }
  if (len & 2) { __builtin_memcpy(dst, src, 2); dst += 2; src += 2; }
  if (len & 1) *dst = *src;
}

/* One output pixel's channels: differing bits of its vector and each channel's, then scale and bias. With
 * VW a constant (the usual layer sizes) the vector stays in registers and the word loop unrolls. */
RK_INLINE void binary_channels(float *yo, const u64 *xv, const u64 *mask, const u64 *wpack, const float *scale,
                               const float *bias, int cout, int full, const usize VW, const int masked) {
  u64 xr[VW], mr[VW];
  for (usize q = 0; q < VW; q++) { xr[q] = xv[q]; mr[q] = masked ? mask[q] : ~0ULL; }
  for (int o = 0; o < cout; o++) {
    const u64 *wo = wpack + (usize)o * VW;
    int d = 0;
    for (usize q = 0; q < VW; q++) d += __builtin_popcountll((xr[q] ^ wo[q]) & mr[q]);
    /* float32 product then float32 sum: the JS reference's Math.fround(scale·sum) + bias, exactly.
     * volatile keeps the compiler from fusing them into one FMA (one rounding, not two). */
    volatile float p = scale[o] * (float)(full - 2 * d);
    yo[o] = p + bias[o];
  }
}

/* scratch: conv_binary_scratch_bytes(cin, cout, k) bytes, 8-byte aligned. */
void RK(conv_binary)(float *y, const u32 *x, const int *weight_bits, const float *scale, const float *bias, void *scratch,
                     int n, int h, int w, int cin, int cout, int k, int stride, int padding) {
  const int oh = out_side(h, k, stride, padding), ow = out_side(w, k, stride, padding);
  const int words = (cin + 31) >> 5, bpp = pixel_bytes(cin);
  const usize vw = binary_vector_words(cin, k);
  const unsigned char *xb = (const unsigned char *)x;
  u64 *wpack = (u64 *)scratch, *xv = wpack + (usize)cout * vw, *mask = xv + vw;
  /* The weights [cout, k, k, words] as vectors: a tap's low bpp bytes (the rest are the unused high bits, 0). */
  for (int o = 0; o < cout; o++) {
    unsigned char *dst = (unsigned char *)(wpack + (usize)o * vw);
    for (usize i = 0; i < vw * 8; i++) dst[i] = 0;
    for (int t = 0; t < k * k; t++) __builtin_memcpy(dst + (usize)t * bpp, weight_bits + ((usize)o * k * k + t) * words, bpp);
  }
  for (usize q = 0; q < vw; q++) xv[q] = 0; /* the bytes past the last tap stay 0, as the weights' */
  unsigned char *xvb = (unsigned char *)xv, *mb = (unsigned char *)mask;
  for (int b = 0; b < n; b++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        float *yo = y + ((usize)(b * oh + oy) * ow + ox) * cout;
        int ky0, ky1, kx0, kx1;
        tap_range(oy, h, k, stride, padding, &ky0, &ky1);
        tap_range(ox, w, k, stride, padding, &kx0, &kx1);
        const int iy0 = oy * stride - padding, ix0 = ox * stride - padding;
        const int nkx = imax(0, kx1 - kx0), nky = imax(0, ky1 - ky0);
        const int interior = nky == k && nkx == k;
        /* nkx = 0 (a pixel whose window lies in the padding) copies nothing and must not even name a source:
         * WebAssembly's memory.copy traps on an address past memory even for 0 bytes. */
        if (nkx > 0)
          for (int ky = ky0; ky < ky1; ky++) {
            const usize p0 = (usize)(b * h + iy0 + ky) * w + ix0 + kx0;
            copy_small(xvb + (usize)(ky * k + kx0) * bpp, xb + p0 * bpp, (usize)nkx * bpp);
          }
        if (!interior) {
          for (usize i = 0; i < vw * 8; i++) mb[i] = 0;
          if (nkx > 0) /* kx1 < kx0 when the window lies in the padding */
            for (int ky = ky0; ky < ky1; ky++)
              for (usize i = (usize)(ky * k + kx0) * bpp; i < (usize)(ky * k + kx1) * bpp; i++) mb[i] = 0xff;
        }
        const int full = nky * nkx * cin;
#define RK_BINARY_CASE(VW) \
  case VW: \
    if (interior) binary_channels(yo, xv, mask, wpack, scale, bias, cout, full, VW, 0); \
    else binary_channels(yo, xv, mask, wpack, scale, bias, cout, full, VW, 1); \
    break;
        switch (vw) { /* 3×3 kernels on 8, 16, 32, 64, 128 channels; 1×1 on up to 64 */
          RK_BINARY_CASE(1)
          RK_BINARY_CASE(2)
          RK_BINARY_CASE(3)
          RK_BINARY_CASE(5)
          RK_BINARY_CASE(9)
          RK_BINARY_CASE(18)
          default:
            if (interior) binary_channels(yo, xv, mask, wpack, scale, bias, cout, full, vw, 0);
            else binary_channels(yo, xv, mask, wpack, scale, bias, cout, full, vw, 1);
        }
#undef RK_BINARY_CASE
      }
}

/* In float64, as the JS reference: the sign of gain·(x − threshold) and |…| are then the same bits in
 * every engine, so a bit never flips between engines and margins compare equal. */
void RK(step)(u32 *bits, const float *x, int pixels, int channels, const float *threshold, const float *gain,
              int per_example, double *margins) {
  const int words = (channels + 31) >> 5, bpp = pixel_bytes(channels);
  unsigned char *bb = (unsigned char *)bits;
  /* The smallest |z| per lane (channel within its word) over one example's pixels, folded into the
   * example's margin when it ends: no dependence across lanes, so the loop vectorizes; a minimum is the
   * same value in any order, NaN never winning. */
  double lane_min[32];
  for (int j = 0; j < 32; j++) lane_min[j] = __builtin_inf();
  for (int p = 0; p < pixels; p++) {
    const float *xp = x + (usize)p * channels;
    for (int q = 0; q < words; q++) {
      const int c0 = q << 5, nb = imin(channels, c0 + 32) - c0;
      u32 word = 0;
      for (int j = 0; j < nb; j++) {
        const int c = c0 + j;
        const double z = (double)gain[c] * ((double)xp[c] - (double)threshold[c]);
        word |= (u32)(z >= 0) << j;
        const double a = __builtin_fabs(z);
        lane_min[j] = a < lane_min[j] ? a : lane_min[j];
      }
      store_word(bb, (usize)p, bpp, q, word);
    }
    if ((p + 1) % per_example == 0 || p + 1 == pixels) {
      const int e = p / per_example;
      for (int j = 0; j < 32; j++) {
        if (margins && lane_min[j] < margins[e]) margins[e] = lane_min[j];
        lane_min[j] = __builtin_inf();
      }
    }
  }
  zero_tail(bb, (usize)pixels, bpp);
}

/* ---- The light ops: one pass over a map each, but in JS they cost as much as the convolutions (an SNN's
 * LIF alone was ~3/4 of its time). Each repeats the JS reference's arithmetic (src/runtime/ops.ts) step by
 * step, in the same order, so the outputs are the same bits: float64 where the reference sums in float64,
 * float32 where it rounds with Math.fround. GCC contracts a·b + c into one FMA in gnu modes (one rounding,
 * not the reference's two), so contraction is off for these functions. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif

/* One LIF step of one value, as ops.ts lif: h = v + (x − (v − rest))/τ, z = h − v_th, each operation
 * rounded to float32. `narrow`: τ, v_th and rest are float32 values, so the float64 operation rounded to
 * float32 equals the float32 operation (float64 holds more than twice float32's bits, so the double rounding
 * is exact for + − ÷), which vectorizes twice as wide. */
RK_INLINE float lif_z(float *vk, float xk, double tau, double vth, double rest, float tau_f, float vth_f, float rest_f,
                      int soft, float reset_f, const int narrow) {
  const float v = *vk;
  float h, z;
  if (narrow) {
    h = v + (xk - (v - rest_f)) / tau_f;
    z = h - vth_f;
  } else {
    const float d = (float)((double)v - rest);
    const float q = (float)((double)(xk - d) / tau);
    h = v + q;
    z = (float)((double)h - vth);
  }
  const int spike = z >= 0.0f;
  *vk = spike ? (soft ? z : reset_f) : h;
  return z;
}

RK_INLINE void lif_run(u32 *bits, float *v, const float *x, int n, int pixels, int c, int steps, double tau, double vth,
                       double rest, int soft, int repeat, double *margins, const int narrow) {
  const int words = (c + 31) >> 5, bpp = pixel_bytes(c);
  const usize per = (usize)pixels * c;
  unsigned char *bb = (unsigned char *)bits;
  const float tau_f = (float)tau, vth_f = (float)vth, rest_f = (float)rest;
  for (usize k = 0; k < (usize)n * per; k++) v[k] = rest_f;
  for (int t = 0; t < steps; t++) {
    const float *xt = x + (repeat ? 0 : (usize)t * n * per);
    for (int e = 0; e < n; e++) {
      double m = margins ? margins[e] : __builtin_inf();
      float *ve = v + (usize)e * per;
      const float *xe = xt + (usize)e * per;
      const usize pe = (usize)(t * n + e) * pixels;
      /* Per lane the smallest |z| so far (float32: |z| is exact, and a minimum is the same value in any
       * order, NaN never winning), so the loops below have no cross-lane dependence and vectorize. */
      float lane_min[32];
      for (int j = 0; j < 32; j++) lane_min[j] = __builtin_inff();
      for (int p = 0; p < pixels; p++) {
        for (int q = 0; q < words; q++) {
          const int c0 = q << 5, nb = imin(c, c0 + 32) - c0;
          const usize k0 = (usize)p * c + c0;
          float z[32];
          for (int j = 0; j < nb; j++) z[j] = lif_z(ve + k0 + j, xe[k0 + j], tau, vth, rest, tau_f, vth_f, rest_f, soft, rest_f, narrow);
          u32 word = 0;
          for (int j = 0; j < nb; j++) {
            word |= (u32)(z[j] >= 0.0f) << j;
            const float a = __builtin_fabsf(z[j]);
            lane_min[j] = a < lane_min[j] ? a : lane_min[j];
          }
          store_word(bb, pe + p, bpp, q, word);
        }
      }
      for (int j = 0; j < 32; j++)
        if ((double)lane_min[j] < m) m = lane_min[j];
      if (margins) margins[e] = m;
    }
  }
  zero_tail(bb, (usize)steps * n * pixels, bpp);
}

void RK(lif)(u32 *bits, float *v, const float *x, int n, int pixels, int c, int steps, double tau, double vth,
             double vreset, int soft, int repeat, double *margins) {
  const double rest = soft ? 0.0 : vreset;
  const int narrow = (double)(float)tau == tau && (double)(float)vth == vth && (double)(float)rest == rest;
  if (narrow) lif_run(bits, v, x, n, pixels, c, steps, tau, vth, rest, soft, repeat, margins, 1);
  else lif_run(bits, v, x, n, pixels, c, steps, tau, vth, rest, soft, repeat, margins, 0);
}

void RK(add_real)(float *y, const float *a, const float *b, int len) {
  for (int i = 0; i < len; i++) y[i] = a[i] + b[i];
}

/* scale·x rounded to float32, then + shift: the reference's Math.fround(scale·x) + shift. */
void RK(affine)(float *y, const float *x, int pixels, int channels, const float *scale, const float *shift, int relu) {
  for (int p = 0; p < pixels; p++) {
    const float *xp = x + (usize)p * channels;
    float *yp = y + (usize)p * channels;
    if (relu)
      for (int c = 0; c < channels; c++) {
        const float v = scale[c] * xp[c] + shift[c];
        yp[c] = v > 0.0f ? v : 0.0f; /* NaN and −0 → 0, as !(v > 0) */
      }
    else
      for (int c = 0; c < channels; c++) yp[c] = scale[c] * xp[c] + shift[c];
  }
}

/* torch's ceil-mode output side (ops.ts ceilOutSide): the last window starts inside the image or its left padding. */
RK_INLINE int ceil_out_side(int side, int k, int stride, int padding) {
  const int span = side + 2 * padding - k;
  int o = (span + stride - 1) / stride + 1;
  if ((o - 1) * stride >= side + padding) o--;
  return o;
}

/* Pools in blocks of channels: a window's pixels are read once per block, the block's accumulators (float64
 * for the average, as the reference sums) stay in registers. `avg`: ceil mode, divided by the pixels inside;
 * otherwise max, floor mode, NaN propagating. */
#define PB 16
RK_INLINE void pool_run(float *y, const float *x, int n, int h, int w, int c, int k, int stride, int padding, const int avg) {
  const int oh = avg ? ceil_out_side(h, k, stride, padding) : out_side(h, k, stride, padding);
  const int ow = avg ? ceil_out_side(w, k, stride, padding) : out_side(w, k, stride, padding);
  for (int b = 0; b < n; b++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        int ky0, ky1, kx0, kx1;
        tap_range(oy, h, k, stride, padding, &ky0, &ky1);
        tap_range(ox, w, k, stride, padding, &kx0, &kx1);
        const int iy0 = oy * stride - padding, ix0 = ox * stride - padding;
        const int count = imax(0, ky1 - ky0) * imax(0, kx1 - kx0);
        float *yo = y + ((usize)(b * oh + oy) * ow + ox) * c;
        for (int c0 = 0; c0 < c; c0 += PB) {
          const int nb = imin(PB, c - c0);
          double sum[PB];
          float mx[PB];
          for (int j = 0; j < PB; j++) { sum[j] = 0.0; mx[j] = -__builtin_inff(); }
          for (int ky = ky0; ky < ky1; ky++)
            for (int kx = kx0; kx < kx1; kx++) {
              const float *xp = x + ((usize)(b * h + iy0 + ky) * w + ix0 + kx) * c + c0;
              if (avg) for (int j = 0; j < nb; j++) sum[j] += (double)xp[j];
              else
                for (int j = 0; j < nb; j++) {
                  const float v = xp[j];
                  mx[j] = (v > mx[j] || v != v) ? v : mx[j];
                }
            }
          if (avg) for (int j = 0; j < nb; j++) yo[c0 + j] = (float)(sum[j] / (double)count);
          else for (int j = 0; j < nb; j++) yo[c0 + j] = mx[j];
        }
      }
}

void RK(avg_pool)(float *y, const float *x, int n, int h, int w, int c, int k, int stride, int padding) {
  pool_run(y, x, n, h, w, c, k, stride, padding, 1);
}

void RK(max_pool)(float *y, const float *x, int n, int h, int w, int c, int k, int stride, int padding) {
  pool_run(y, x, n, h, w, c, k, stride, padding, 0);
}

/* Mean over pixels and steps (rows t·n + e) of [rows, pixels, c] → [n, c]; per channel the float64 sum
 * takes the values in the reference's order (t, then pixel), so it is the same number. */
void RK(global_avg_pool_real)(float *y, const float *x, int rows, int pixels, int c, int steps) {
  const int n = rows / steps;
  const double div = (double)pixels * steps;
  for (int e = 0; e < n; e++)
    for (int c0 = 0; c0 < c; c0 += PB) {
      const int nb = imin(PB, c - c0);
      double sum[PB] = {0};
      for (int t = 0; t < steps; t++)
        for (int p = 0; p < pixels; p++) {
          const float *xp = x + ((usize)(t * n + e) * pixels + p) * c + c0;
          for (int j = 0; j < nb; j++) sum[j] += (double)xp[j];
        }
      for (int j = 0; j < nb; j++) y[(usize)e * c + c0 + j] = (float)(sum[j] / div);
    }
}

/* The share of ones per channel over pixels, steps and planes (integer counts: exact in any order). */
void RK(global_avg_pool_bits)(float *y, const u32 *const *planes, int nplanes, int rows, int pixels, int c, int steps) {
  const int n = rows / steps;
  const int words = (c + 31) >> 5, bpp = pixel_bytes(c);
  const double div = (double)pixels * steps;
  for (int e = 0; e < n; e++)
    for (int q = 0; q < words; q++) {
      u32 count[32] = {0};
      for (int pl = 0; pl < nplanes; pl++)
        for (int t = 0; t < steps; t++) {
          const unsigned char *bp = (const unsigned char *)planes[pl];
          const usize p0 = (usize)(t * n + e) * pixels;
          for (int p = 0; p < pixels; p++) {
            const u32 word = load_word(bp, p0 + p, bpp, q);
            for (int j = 0; j < 32; j++) count[j] += (word >> j) & 1u;
          }
        }
      const int c1 = imin(32, c - (q << 5));
      for (int j = 0; j < c1; j++) y[(usize)e * c + (q << 5) + j] = (float)((double)count[j] / div);
    }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif
