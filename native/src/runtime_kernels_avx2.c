/* The runtime's kernels compiled for AVX2 (x86-64 only; empty elsewhere). The pragma applies the
 * instruction set to every function below it, so the one C source is vectorized for it without a
 * per-file compiler flag (node-gyp has none); runtime_kernels.cc calls it only when cpuid says so. */
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2,fma,popcnt,bmi,bmi2")
#define RK_PREFIX rk_avx2_
#include "../kernels/runtime_kernels.c"
#endif
