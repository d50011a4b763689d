/* The runtime's kernels for any CPU (the compiler's default instruction set); runtime_kernels.cc picks
 * this build when the CPU has neither AVX2 nor AVX-512 VPOPCNTDQ, and on every non-x86 machine. */
#define RK_PREFIX rk_base_
#include "../kernels/runtime_kernels.c"
