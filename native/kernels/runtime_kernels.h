/* The runtime's compute kernels and light ops (src/runtime/kernels.ts gives their meaning and the JS reference).
 * One C source serves two builds: WebAssembly (tools/build-wasm.mjs, prefix rk_) and the native addon,
 * which compiles it once per instruction set with its own prefix (native/src/runtime_kernels_*.c) and
 * picks one at run time. Freestanding: no libc, no allocation; the caller owns every buffer and has
 * checked every length against the shape, so nothing here checks again.
 *
 * Define RK_PREFIX before including to name the functions (rk_ by default). */
#ifndef RK_PREFIX
#define RK_PREFIX rk_
#endif
#define RK_PASTE2(a, b) a##b
#define RK_PASTE(a, b) RK_PASTE2(a, b)
#define RK(name) RK_PASTE(RK_PREFIX, name)

#ifdef __cplusplus
extern "C" {
#endif

/* y [n, oh, ow, cout] = bias + conv(x [n, h, w, cin], weight [k, k, cin, cout]); bias may be 0 (null). */
void RK(conv_float)(float *y, const float *x, const float *weight, const float *bias,
                    int n, int h, int w, int cin, int cout, int k, int stride, int padding);

/* The same on 0/1 inputs: planes[0..nplanes) each [n, h, w, words(cin)] of packed bits. lut: 0 (the set-bit
 * path) or scratch of conv_bits_lut_floats(…) floats, which returns 0 where the set-bit path is cheaper. */
long long RK(conv_bits_lut_floats)(const unsigned int *const *planes, int nplanes, int n, int h, int w, int cin, int cout,
                                   int k, int stride);
void RK(conv_bits)(float *y, const unsigned int *const *planes, int nplanes, const float *weight, const float *bias,
                   float *lut, int n, int h, int w, int cin, int cout, int k, int stride, int padding);

/* ±1 × ±1: x n·h·w pixels of packed bits, weight_bits [cout, k, k, words]; y = scale·(taps·cin − 2·popcount) + bias.
 * scratch: conv_binary_scratch_bytes(cin, cout, k) bytes, 8-byte aligned (the packed weights and one pixel's vector). */
long long RK(conv_binary_scratch_bytes)(int cin, int cout, int k);
void RK(conv_binary)(float *y, const unsigned int *x, const int *weight_bits, const float *scale, const float *bias,
                     void *scratch, int n, int h, int w, int cin, int cout, int k, int stride, int padding);

/* bits [pixels, words(channels)] (every word written); margins [pixels / per_example] or 0 (null). */
void RK(step)(unsigned int *bits, const float *x, int pixels, int channels, const float *threshold, const float *gain,
              int per_example, double *margins);

/* The light ops (ops.ts gives their meaning; the outputs are the same bits as the JS reference's).
 * lif: bits [steps·n, pixels, words(c)] (every word written), v [n·pixels·c] scratch for the potentials,
 * x [n or steps·n, pixels, c] (repeat: the same n rows each step); soft: vreset unused, the rest is 0;
 * margins [n] (kept as the smallest |h − v_th|) or 0. */
void RK(lif)(unsigned int *bits, float *v, const float *x, int n, int pixels, int c, int steps, double tau, double vth,
             double vreset, int soft, int repeat, double *margins);
void RK(add_real)(float *y, const float *a, const float *b, int len);
/* y = scale[c]·x + shift[c] per channel (x [pixels, channels]), then max(·, 0) if relu. */
void RK(affine)(float *y, const float *x, int pixels, int channels, const float *scale, const float *shift, int relu);
/* Average pool, ceil mode, divided by the pixels inside; max pool, floor mode. x [n, h, w, c]. */
void RK(avg_pool)(float *y, const float *x, int n, int h, int w, int c, int k, int stride, int padding);
void RK(max_pool)(float *y, const float *x, int n, int h, int w, int c, int k, int stride, int padding);
/* [rows = steps·n, pixels, c] → y [n, c], the mean over pixels and steps; bits: over the planes' ones too. */
void RK(global_avg_pool_real)(float *y, const float *x, int rows, int pixels, int c, int steps);
void RK(global_avg_pool_bits)(float *y, const unsigned int *const *planes, int nplanes, int rows, int pixels, int c, int steps);

#ifdef __cplusplus
}
#endif
