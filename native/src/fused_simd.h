// The SIMD math the fused element-wise kernels share (fused_activations.cc: HTAF, SS, STE;
// fused_neurons.cc: the multi-step LIF and IF neurons): double vectors per ISA, exp/expm1 for
// arguments <= 0, the accuracy policy per dtype, the float32 arithmetic of the sigmoid family, each
// activation's forward and derivative as an op with apply<P>() (and apply_f32() where float32
// arithmetic meets the bound), loads and stores per ISA, the run-time ISA choice and the argument
// checks.
// fused_activations.cc's header comment explains the numerics and the speed. Everything here is
// force-inlined into each kernel entry point, which is compiled once per ISA.
#pragma once


#include "dtype_names.h"

#include <ATen/TensorIterator.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HTAF_X86 1
#define HTAF_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define HTAF_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma")))
#else
#define HTAF_X86 0
#endif

// Everything between the kernels' entry points is force-inlined, so each entry
// point is compiled as one function for its own ISA.
#define HTAF_INLINE inline __attribute__((always_inline))

// Passing wide vectors by value "changes the ABI" when a function is not itself
// compiled for that ISA; ours are always inlined, so there is no ABI involved.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#include "fused_activations.h"

namespace htaf {
namespace {


// Elements per parallel task, measured with `make -C native/bench grain` (bench/RESULTS.md): the
// exp-heavy kernels (1.5-4 ns per element) gain from a second task from 8,192 elements on (HTAF
// 56 -> 31 us at 16,384), while Heaviside, memory-bound, loses below ~64K (5.7 -> 7.9 us at 16,384).
constexpr int64_t kGrainCompute = 4096;
constexpr int64_t kGrainMemory = 65536;

// HTAF_GRAIN=N in the environment replaces every grain above with N (for that measurement).
inline int64_t grain(int64_t chosen) {
  static const int64_t forced = [] {
    const char* g = std::getenv("HTAF_GRAIN");
    return g ? std::max<int64_t>(0, std::atoll(g)) : int64_t{0};
  }();
  return forced > 0 ? forced : chosen;
}

// ============================================================================
// Argument checks
// ============================================================================

inline std::string format_number(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
  return std::string(buf, res.ptr);
}

inline std::string format_shape(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (d) s += ", ";
    s += std::to_string(t.size(d));
  }
  return s + "]";
}

[[noreturn]] inline void fail(const char* fn, const std::string& msg) {
  throw std::invalid_argument(std::string(fn) + ": " + msg);
}

inline void check_param(const char* fn, const char* name, double v) {
  if (!(std::isfinite(v) && v > 0)) {
    fail(fn, std::string(name) + " must be a finite number > 0, got " + format_number(v));
  }
}

// `what` names the argument in messages ("x", "grad").
inline void check_tensor(const char* fn, const char* what, const at::Tensor& t) {
  if (!t.defined()) fail(fn, std::string(what) + " is an undefined tensor");
  if (t.layout() != at::kStrided) fail(fn, std::string(what) + " must be a dense (strided) tensor");
  if (!t.device().is_cpu()) {
    fail(fn, std::string(what) + " must be a CPU tensor, got device " + t.device().str());
  }
  const at::ScalarType st = t.scalar_type();
  if (st != at::kFloat && st != at::kDouble) {
    fail(fn, std::string(what) + " must be a float32 or float64 tensor, got dtype " + dtypeName(st));
  }
}

inline void check_grad_and_x(const char* fn, const at::Tensor& grad, const at::Tensor& x) {
  check_tensor(fn, "x", x);
  check_tensor(fn, "grad", grad);
  if (!grad.sizes().equals(x.sizes())) {
    fail(fn, "grad and x must have the same shape, got grad " + format_shape(grad) + " and x " +
                 format_shape(x));
  }
}

// ============================================================================
// Vector types and helpers (GCC/Clang vector extensions)
// ============================================================================

typedef double v2d __attribute__((vector_size(16)));
typedef double v4d __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));
typedef float v2f __attribute__((vector_size(8)));

template <class V>
using ElemOf = std::remove_cv_t<std::remove_reference_t<decltype(V{}[0])>>;
template <class V>
constexpr int kLanes = sizeof(V) / sizeof(ElemOf<V>);
// Lane masks (all ones / all zeros) and raw bit patterns of a vector (int64 lanes for doubles,
// int32 for floats).
template <class V>
using IntVec = decltype(V{} < V{});
// All lanes = c (c != -0.0: 0.0 + -0.0 is +0.0).
template <class V>
HTAF_INLINE V splat(double c) {
  return V{} + c;
}
template <class V>
HTAF_INLINE V vabs(const V& v) {
  return (V)((IntVec<V>)v & INT64_MAX);
}
// NaN lanes of x pass through (NaN in, NaN out); other lanes keep r.
template <class V>
HTAF_INLINE V keep_nan(const V& r, const V& x) {
  return x != x ? x : r;
}

// ============================================================================
// exp and expm1 for arguments <= 0
// ============================================================================

// Arguments are clamped here so that 2^k stays a normal double (exp(-708) is
// 3.3e-308); below it exp is 0 when the policy asks for exact underflow.
constexpr double kExpMin = -708.0;
constexpr double kLog2e = 1.4426950408889634074;
constexpr double kLn2 = 6.93147180559945286227e-01;
// ln 2 in two parts; kLn2Hi has enough trailing zero bits that k * kLn2Hi is exact
// for |k| < 2^11, so z - k ln2 is computed almost exactly (Cody-Waite).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
// Adding 1.5 * 2^52 rounds a double of magnitude < 2^51 to an integer, which then
// sits in the low mantissa bits; the extra 1023 (the exponent bias) makes those
// bits k + 1023, ready to be shifted into the exponent field of 2^k.
constexpr double kRoundMagic = 0x1.8p52 + 1023;

// expm1(r) for |r| <= ln2/2 as r + r^2 (c[0] + c[1] r + ... + c[N-1] r^(N-1)), a
// polynomial of degree N + 1. The c are our own: Chebyshev interpolation of
// (expm1(r) - r) / r^2 on [-ln2/2, ln2/2] in 50-digit arithmetic (mpmath), rounded
// to double; near-minimax, so two or three degrees lower than the Taylor series
// for the same accuracy. Max relative error of expm1 (with the rounded c) is given
// per polynomial.
struct Expm1Poly6 {  // 2.4e-8
  static constexpr int N = 5;
  static constexpr double c[N] = {0.5, 0.1666657702523905, 0.04166655466160214, 0.008363173134292821,
                                  0.0013926176194609642};
};
struct Expm1Poly7 {  // 5.3e-10
  static constexpr int N = 6;
  static constexpr double c[N] = {0.5000000013457808,   0.16666666681614345,    0.04166646500523263,
                                  0.008333310934359203, 0.0013933641121625462, 0.00019890980969294606};
};
struct Expm1Poly11 {  // 4.1e-17
  static constexpr int N = 10;
  static constexpr double c[N] = {0.5000000000000001,     0.16666666666666669,   0.041666666666624164,
                                  0.008333333333330065,   0.001388888891719689,  0.00019841269863040675,
                                  2.480152132210459e-05,  2.7557268480106926e-06, 2.762007600563138e-07,
                                  2.5100375929185925e-08};
};

// sum_{i < N} Poly::c[First + i] r^i, evaluated as pairs (c_j + c_{j+1} r) combined
// by Horner's rule in r^2: N - 1 FMAs, a dependency chain half as deep as plain
// Horner, and no powers beyond r^2 (which expm1_reduced needs anyway).
// The coefficients are rounded to V's element type (float vectors take float constants).

template <class Poly, int First, int N, class V>
HTAF_INLINE V poly_pairs(const V& r, const V& r2) {
  using E = ElemOf<V>;
  if constexpr (N == 1) {
    return V{} + E(Poly::c[First]);
  } else {
    const V pair = E(Poly::c[First]) + E(Poly::c[First + 1]) * r;
    if constexpr (N == 2) {
      return pair;
    } else {
      return pair + r2 * poly_pairs<Poly, First + 2, N - 2>(r, r2);
    }
  }
}

template <class Poly, class V>
HTAF_INLINE V expm1_reduced(const V& r) {
  const V r2 = r * r;
  return r + r2 * poly_pairs<Poly, 0, Poly::N>(r, r2);
}

// ============================================================================
// Accuracy policy per dtype
// ============================================================================

// Float32 results need ~1e-9 relative accuracy inside: the lower tail amplifies a
// relative error of tanh by u = beta*tanh <= ~90 (beyond that every result
// underflows float32), and we want the total far below the 1e-6 budget.
// Float64 results need full double accuracy.
struct Float32Data {
  // expm1 polynomials (above): relative error 5.3e-10 for tanh's exp (amplified to
  // <= 5e-8 in the worst tail), 2.4e-8 for the sigmoid's exp (not amplified).
  using TanhExp = Expm1Poly7;
  using SigmoidExp = Expm1Poly6;
  // beta tanh(a) as beta (2 / (1 + w) - 1): one FMA instead of expm1, 1 - w and two
  // multiplies. Near a = 0 this cancels, but only to an absolute error of a few
  // 1e-16 beta in u, i.e. a relative error of that size in sigmoid(u): below
  // 1e-10 for beta <= kCheapTanhMaxBeta; larger betas take the expm1 form.
  static constexpr bool kExpm1Tanh = false;
  // ln2 as one double: k * ln2 is off by <= 1021 * 2.3e-17 absolute; harmless here.
  static constexpr bool kTwoPartLn2 = false;
  // Below exp(-708) we may return exp(-708) instead of 0: every product it enters
  // rounds to 0 in float32 anyway.
  static constexpr bool kExactUnderflow = false;
};
struct Float64Data {
  using TanhExp = Expm1Poly11;  // 4.1e-17
  using SigmoidExp = Expm1Poly11;
  static constexpr bool kExpm1Tanh = true;  // tanh(a) = -expm1(-2a) / (1 + w)
  static constexpr bool kTwoPartLn2 = true;
  static constexpr bool kExactUnderflow = true;
};
template <typename T>
using PolicyFor = std::conditional_t<std::is_same_v<T, float>, Float32Data, Float64Data>;

constexpr double kCheapTanhMaxBeta = 1e5;

// exp(z) = s + sp and expm1(z) = (s - 1) + sp for z <= 0, where z = k ln2 + r,
// s = 2^k, sp = 2^k expm1(r). For k = 0, expm1(z) = sp exactly: no cancellation
// near 0. NaN propagates (sp is NaN).
template <class V>
struct ExpParts {
  V s, sp;
};

template <class P, class Poly, class V>
HTAF_INLINE ExpParts<V> exp_parts(const V& z) {
  using I = IntVec<V>;
  const V zc = z < kExpMin ? splat<V>(kExpMin) : z;
  const V shifted = zc * kLog2e + kRoundMagic;
  const V k = shifted - kRoundMagic;  // round(z / ln2), in [-1021, 0]
  const V r = P::kTwoPartLn2 ? (zc - k * kLn2Hi) - k * kLn2Lo : zc - k * kLn2;
  V s = (V)((I)shifted << 52);  // 2^k
  if constexpr (P::kExactUnderflow) s = z < kExpMin ? V{} : s;  // then exp = 0, expm1 = -1
  return {s, s * expm1_reduced<Poly>(r)};
}

template <class P, class Poly, class V>
HTAF_INLINE V exp_nonpositive(const V& z) {
  const ExpParts<V> ep = exp_parts<P, Poly>(z);
  return ep.s + ep.sp;
}

// ============================================================================
// Shared pieces of the formulas
// ============================================================================

// -|v| (sets the sign bit).
template <class V>
HTAF_INLINE V neg_abs(const V& v) {
  return (V)((IntVec<V>)v | INT64_MIN);
}

// For z = -2a <= 0: u = -beta tanh(a), w = exp(-2a), d = 1 / (1 + w); then
// sech^2(a) = 4 w d^2.
template <class V>
struct TanhParts {
  V u, w, d;
};

template <class P, bool kExpm1, class V>
HTAF_INLINE TanhParts<V> tanh_parts(const V& minus_2a, double beta) {
  const ExpParts<V> ep = exp_parts<P, typename P::TanhExp>(minus_2a);
  const V w = ep.s + ep.sp;
  const V d = 1.0 / (1.0 + w);
  if constexpr (kExpm1) {
    const V one_minus_w = (1.0 - ep.s) - ep.sp;  // -expm1(-2a): exact near a = 0
    return {(one_minus_w * d) * -beta, w, d};
  } else {
    return {beta - (2.0 * beta) * d, w, d};  // -beta (2d - 1)
  }
}

// sigmoid(v) if x >= 0 else sigmoid(-v), for v >= 0 given e = exp(-v).
template <class V>
HTAF_INLINE V signed_sigmoid(const V& x, const V& e) {
  return (x >= 0.0 ? splat<V>(1.0) : e) / (1.0 + e);
}

// ============================================================================
// Float32 arithmetic for the sigmoid family (float32 data)
// ============================================================================

// SS, and the STE's sigmoid and tanh surrogates, are well conditioned: a relative error d in
// v = c|x| moves the result by at most v·d relatively, and v is carried in two floats (vh + vl) so
// that d is ~1e-11. Every other step is an IEEE float operation with a relative error <= 2^-24, a
// dozen of them: the stated bound, 1e-6 relative wherever the result is a normal float32, holds with
// a wide margin (fused_activations.h gives the measured figure). Twice the lanes of the float64
// arithmetic per vector, and float division, make these kernels memory-bound on AVX2.
//
// No step needs an FMA (SSE2 has none): products that must be exact are made exact by splitting
// both factors to 12 significant bits, and where the compiler does contract a multiply-add, the
// result only gets more accurate.
typedef float v4f __attribute__((vector_size(16)));
typedef float v8f __attribute__((vector_size(32)));
typedef float v16f __attribute__((vector_size(64)));

// v with its 12 low mantissa bits cleared: 12 significant bits, so the product of two such floats,
// and of one with a difference v - high12(v), is exact.
template <class F>
HTAF_INLINE F high12(const F& v) {
  return (F)((IntVec<F>)v & -4096);
}

inline float high12(float v) {
  std::uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  b &= 0xFFFFF000u;
  std::memcpy(&v, &b, sizeof b);
  return v;
}

// A positive parameter c as c1 + c2 with c1 = high12(float(c)), for v = c·|x| in two floats; `mult`
// is c rounded once, for where c multiplies a result. `xmax` caps |x| so that v <= kVmax.
struct SplitParam {
  // exp(-170) ~ 1e-74: every result from v beyond this underflows float32 (parameters <= 1e30).
  static constexpr double kVmax = 170.0;
  float c1 = 0, c2 = 0, mult = 0, xmax = 0;
  bool ok = false;  // c in [1e-30, 1e30]: the float path applies
  SplitParam() = default;
  explicit SplitParam(double c) {
    ok = c >= 1e-30 && c <= 1e30;
    if (!ok) return;
    c1 = high12(static_cast<float>(c));
    c2 = static_cast<float>(c - c1);
    mult = static_cast<float>(c);
    xmax = static_cast<float>(kVmax / c);
  }
};

// v = c·|x| >= 0 as vh + vl (|vl| <= ulp(vh)/2, error ~1e-11 v), |x| capped at p.xmax (NaN lanes
// become xmax: callers restore NaN with keep_nan).
template <class F>
struct Product2 {
  F vh, vl;
};
template <class F>
HTAF_INLINE Product2<F> times_abs(const SplitParam& p, const F& x) {
  const F xa = (F)((IntVec<F>)x & INT32_MAX);
  const F xc = xa < p.xmax ? xa : F{} + p.xmax;
  const F x1 = high12(xc);
  const F h = p.c1 * x1;                           // exact
  const F l = p.c1 * (xc - x1) + p.c2 * xc;        // |l| <= 2^-11 h
  const F vh = h + l;
  return {vh, l - (vh - h)};                       // Fast2Sum: vh + vl = h + l exactly
}

// exp(-(zh + zl)) = m · 2^-k for 0 <= zh <= 170: m = exp(-r) in [0.7, 1.42], r = z - k ln2 with
// ln2 in two parts (k·kLn2Hi is exact, and so is zh - k·kLn2Hi); relative error ~5e-8.
template <class F>
struct ExpF32 {
  F m;
  IntVec<F> k;
};
template <class F>
HTAF_INLINE ExpF32<F> exp_neg_f32(const F& zh, const F& zl) {
  constexpr float kMagic = 12582912.0f;  // 1.5·2^23: adding it rounds to an integer
  constexpr float kLn2Hi = 0.693359375f;  // 355/512
  constexpr float kLn2Lo = -2.12194440e-4f;
  const F k = (zh * 1.44269504f + kMagic) - kMagic;
  const F r = (zh - k * kLn2Hi) - (k * kLn2Lo - zl);
  return {1.0f + expm1_reduced<Expm1Poly6>(-r), __builtin_convertvector(k, IntVec<F>)};
}

// v · 2^-k for 0 <= k <= 252, in two exact steps of normal powers of two; v · 2^-k1 is normal when v
// is, so the result is rounded once, into the subnormals only where it lies there.
template <class F>
HTAF_INLINE F scale_down(const F& v, const IntVec<F>& k) {
  const IntVec<F> k1 = k >> 1;
  return (v * (F)((127 - k1) << 23)) * (F)((127 - (k - k1)) << 23);
}

// sigmoid(c·x).
template <class F>
HTAF_INLINE F sigmoid_f32(const SplitParam& p, const F& x) {
  const Product2<F> v = times_abs(p, x);
  const ExpF32<F> e = exp_neg_f32(v.vh, v.vl);
  const F den = 1.0f + scale_down(e.m, e.k);  // 1 + exp(-c|x|)
  return keep_nan(x >= 0.0f ? 1.0f / den : scale_down(e.m / den, e.k), x);
}

// g · mult · e / (1 + e)^2 with e = exp(-c|x|): the sigmoid's slope (mult = c) and the tanh
// surrogate's (c = mult = 2k).
template <class F>
HTAF_INLINE F sigmoid_slope_f32(const SplitParam& p, const F& g, const F& x) {
  const Product2<F> v = times_abs(p, x);
  const ExpF32<F> e = exp_neg_f32(v.vh, v.vl);
  const F d = 1.0f / (1.0f + scale_down(e.m, e.k));
  return keep_nan(g * scale_down((e.m * p.mult) * (d * d), e.k), x);
}

// Whether an op has the float32 form: a `float32` SplitParam, used when its `ok`.
template <class Op, class = void>
constexpr bool kHasFloat32 = false;
template <class Op>
constexpr bool kHasFloat32<Op, std::void_t<decltype(std::declval<const Op&>().float32)>> = true;

// ============================================================================
// The formulas, one element-wise operation each. apply<P>() works on a vector of
// doubles; P (Float32Data / Float64Data) sets the accuracy. NaN inputs propagate
// through the arithmetic (except where a formula is a comparison).
// ============================================================================

// HTAF(x) = sigmoid(s * beta * tanh(alpha |x|)), s = sign(x). kExpm1Tanh forces
// the expm1 form of tanh (for float32 data with beta > kCheapTanhMaxBeta).
template <bool kExpm1Tanh>
struct HtafForward {
  double alpha, beta;
  template <class P, class V>
  HTAF_INLINE V apply(const V& x) const {
    const TanhParts<V> tp =
        tanh_parts<P, P::kExpm1Tanh || kExpm1Tanh>(neg_abs(x * (2.0 * alpha)), beta);
    const V e = exp_nonpositive<P, typename P::SigmoidExp>(tp.u);  // exp(-beta tanh(alpha |x|))
    return signed_sigmoid(x, e);
  }
};

// grad * HTAF'(x), HTAF'(x) = alpha beta sigmoid(u) sigmoid(-u) sech^2(alpha x)
//                          = 4 alpha beta * e / (1 + e)^2 * w / (1 + w)^2.
template <bool kExpm1Tanh>
struct HtafBackward {
  double alpha, beta;
  template <class P, class V>
  HTAF_INLINE V apply(const V& g, const V& x) const {
    const TanhParts<V> tp =
        tanh_parts<P, P::kExpm1Tanh || kExpm1Tanh>(neg_abs(x * (2.0 * alpha)), beta);
    const V e = exp_nonpositive<P, typename P::SigmoidExp>(tp.u);
    const V dd = tp.d / (1.0 + e);
    // e w underflows only where the derivative is below ~1e-300 anyway.
    return g * ((e * (4.0 * alpha * beta)) * (tp.w * (dd * dd)));
  }
};

// SS(x) = sigmoid(gamma x).
struct SigmoidForward {
  double gamma;
  SplitParam float32 = SplitParam(gamma);
  template <class F>
  HTAF_INLINE F apply_f32(const F& x) const {
    return sigmoid_f32(float32, x);
  }
  template <class P, class V>
  HTAF_INLINE V apply(const V& x) const {
    const V e = exp_nonpositive<P, typename P::SigmoidExp>(neg_abs(x * gamma));
    return signed_sigmoid(x, e);
  }
};

// grad * k sigmoid(kx) sigmoid(-kx) = grad * k e / (1 + e)^2, e = exp(-|kx|):
// the scaled-sigmoid backward (k = gamma) and the STE sigmoid surrogate.
struct SigmoidBackward {
  double k;
  SplitParam float32 = SplitParam(k);
  template <class F>
  HTAF_INLINE F apply_f32(const F& g, const F& x) const {
    return sigmoid_slope_f32(float32, g, x);
  }
  template <class P, class V>
  HTAF_INLINE V apply(const V& g, const V& x) const {
    const V e = exp_nonpositive<P, typename P::SigmoidExp>(neg_abs(x * k));
    const V d = 1.0 / (1.0 + e);
    return g * ((e * k) * (d * d));
  }
};

// grad * (k/2)(1 - tanh^2(kx)) = grad * 2k w / (1 + w)^2, w = exp(-2k|x|).
struct TanhSurrogateBackward {
  double k;
  SplitParam float32 = SplitParam(2.0 * k);
  template <class F>
  HTAF_INLINE F apply_f32(const F& g, const F& x) const {
    return sigmoid_slope_f32(float32, g, x);
  }
  template <class P, class V>
  HTAF_INLINE V apply(const V& g, const V& x) const {
    const V w = exp_nonpositive<P, typename P::SigmoidExp>(neg_abs(x * (2.0 * k)));
    const V d = 1.0 / (1.0 + w);
    return g * ((w * (2.0 * k)) * (d * d));
  }
};

// grad * (1/a) 1[|x| < a/2]; a NaN x is outside the window (factor 0).
struct RectSurrogateBackward {
  double a;
  template <class P, class V>
  HTAF_INLINE V apply(const V& g, const V& x) const {
    return g * (vabs(x) < 0.5 * a ? splat<V>(1.0 / a) : V{});
  }
};

// H(x) = 1 if x >= 0 (also -0.0) else 0; NaN stays NaN.
struct HeavisideForward {
  template <class P, class V>
  HTAF_INLINE V apply(const V& x) const {
    return keep_nan(x >= 0.0 ? splat<V>(1.0) : V{}, x);
  }
};

// ============================================================================
// Loops over a contiguous block, and their per-ISA entry points
// ============================================================================

// Vectors per main-loop step: independent work to overlap the long exp chains.
constexpr int kUnroll = 2;

// Moving one vector's worth of elements between memory and a double vector, per
// ISA; float32 data are widened on load and rounded (once) on store. Written with
// intrinsics because GCC 12 splits __builtin_convertvector between float and
// double vectors into halves (the maskz_ forms dodge a false -Wmaybe-uninitialized
// in GCC 12's headers). The entry points below are `flatten`ed, so these get
// inlined into them, where their ISA is enabled.
struct IoBaseline {
  using V = v2d;
  using F = v4f;  // float32 arithmetic: the same bytes, twice the lanes
  static inline V load(const double* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static inline V load(const float* p) {
    v2f f;
    std::memcpy(&f, p, sizeof f);
    return __builtin_convertvector(f, V);
  }
  static inline void store(double* p, const V& v) { std::memcpy(p, &v, sizeof v); }
  static inline void store(float* p, const V& v) {
    const v2f f = __builtin_convertvector(v, v2f);
    std::memcpy(p, &f, sizeof f);
  }
};
#if HTAF_X86
struct IoAvx2 {
  using V = v4d;
  using F = v8f;
  HTAF_TARGET_AVX2 static inline V load(const double* p) { return (V)_mm256_loadu_pd(p); }
  HTAF_TARGET_AVX2 static inline V load(const float* p) { return (V)_mm256_cvtps_pd(_mm_loadu_ps(p)); }
  HTAF_TARGET_AVX2 static inline void store(double* p, const V& v) { _mm256_storeu_pd(p, (__m256d)v); }
  HTAF_TARGET_AVX2 static inline void store(float* p, const V& v) { _mm_storeu_ps(p, _mm256_cvtpd_ps((__m256d)v)); }
};
struct IoAvx512 {
  using V = v8d;
  using F = v16f;
  HTAF_TARGET_AVX512 static inline V load(const double* p) { return (V)_mm512_loadu_pd(p); }
  HTAF_TARGET_AVX512 static inline V load(const float* p) {
    return (V)_mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(p));
  }
  HTAF_TARGET_AVX512 static inline void store(double* p, const V& v) { _mm512_storeu_pd(p, (__m512d)v); }
  HTAF_TARGET_AVX512 static inline void store(float* p, const V& v) {
    _mm256_storeu_ps(p, _mm512_maskz_cvtpd_ps(0xff, (__m512d)v));
  }
};
#endif

// The float32 arithmetic runs through the same loops: float vectors of the ISA's width, moved
// with memcpy (one unaligned vector move each), and the op's apply_f32 as its apply.
template <class FloatVec>
struct IoFloat32 {
  using V = FloatVec;
  static HTAF_INLINE V load(const float* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static HTAF_INLINE void store(float* p, const V& v) { std::memcpy(p, &v, sizeof v); }
};
template <class Op>
struct Float32Arithmetic {
  Op op;
  template <class P, class V>
  HTAF_INLINE V apply(const V& x) const {
    return op.apply_f32(x);
  }
  template <class P, class V>
  HTAF_INLINE V apply(const V& g, const V& x) const {
    return op.apply_f32(g, x);
  }
};

// The main loop takes kUnroll vectors per step; the remainder runs one vector at
// a time, the last partial one zero-padded, so every element goes through the
// same arithmetic wherever it sits.
template <class Io, typename T, class Op>
HTAF_INLINE void unary_contiguous(const Op& op_ref, const T* x, T* y, int64_t n) {
  if constexpr (std::is_same_v<T, float> && kHasFloat32<Op>) {
    if (op_ref.float32.ok) return unary_contiguous<IoFloat32<typename Io::F>>(Float32Arithmetic<Op>{op_ref}, x, y, n);
  }
  using P = PolicyFor<T>;
  using V = typename Io::V;
  const Op op = op_ref;  // a local copy: stores through y cannot alias its parameters
  constexpr int L = kLanes<V>;
  int64_t i = 0;
  for (; i + kUnroll * L <= n; i += kUnroll * L) {
    V v[kUnroll];
    for (int u = 0; u < kUnroll; ++u) v[u] = Io::load(x + i + u * L);
    for (int u = 0; u < kUnroll; ++u) Io::store(y + i + u * L, op.template apply<P>(v[u]));
  }
  for (; i < n; i += L) {
    const int64_t m = std::min<int64_t>(L, n - i);
    T xb[L] = {}, yb[L];
    std::copy(x + i, x + i + m, xb);
    Io::store(yb, op.template apply<P>(Io::load(xb)));
    std::copy(yb, yb + m, y + i);
  }
}

template <class Io, typename T, class Op>
HTAF_INLINE void binary_contiguous(const Op& op_ref, const T* g, const T* x, T* y, int64_t n) {
  if constexpr (std::is_same_v<T, float> && kHasFloat32<Op>) {
    if (op_ref.float32.ok) return binary_contiguous<IoFloat32<typename Io::F>>(Float32Arithmetic<Op>{op_ref}, g, x, y, n);
  }
  using P = PolicyFor<T>;
  using V = typename Io::V;
  const Op op = op_ref;  // a local copy: stores through y cannot alias its parameters
  constexpr int L = kLanes<V>;
  int64_t i = 0;
  for (; i + kUnroll * L <= n; i += kUnroll * L) {
    V gv[kUnroll], xv[kUnroll];
    for (int u = 0; u < kUnroll; ++u) {
      gv[u] = Io::load(g + i + u * L);
      xv[u] = Io::load(x + i + u * L);
    }
    for (int u = 0; u < kUnroll; ++u) Io::store(y + i + u * L, op.template apply<P>(gv[u], xv[u]));
  }
  for (; i < n; i += L) {
    const int64_t m = std::min<int64_t>(L, n - i);
    T gb[L] = {}, xb[L] = {}, yb[L];
    std::copy(g + i, g + i + m, gb);
    std::copy(x + i, x + i + m, xb);
    Io::store(yb, op.template apply<P>(Io::load(gb), Io::load(xb)));
    std::copy(yb, yb + m, y + i);
  }
}

enum class Isa { Baseline, Avx2, Avx512 };

// Entry points, one per ISA: `flatten` inlines everything above into them.
#define HTAF_ENTRY __attribute__((flatten))
template <typename T, class Op>
HTAF_ENTRY void unary_baseline(const Op& op, const T* x, T* y, int64_t n) {
  unary_contiguous<IoBaseline>(op, x, y, n);
}
template <typename T, class Op>
HTAF_ENTRY void binary_baseline(const Op& op, const T* g, const T* x, T* y, int64_t n) {
  binary_contiguous<IoBaseline>(op, g, x, y, n);
}
#if HTAF_X86
template <typename T, class Op>
HTAF_ENTRY HTAF_TARGET_AVX2 void unary_avx2(const Op& op, const T* x, T* y, int64_t n) {
  unary_contiguous<IoAvx2>(op, x, y, n);
}
template <typename T, class Op>
HTAF_ENTRY HTAF_TARGET_AVX2 void binary_avx2(const Op& op, const T* g, const T* x, T* y, int64_t n) {
  binary_contiguous<IoAvx2>(op, g, x, y, n);
}
template <typename T, class Op>
HTAF_ENTRY HTAF_TARGET_AVX512 void unary_avx512(const Op& op, const T* x, T* y, int64_t n) {
  unary_contiguous<IoAvx512>(op, x, y, n);
}
template <typename T, class Op>
HTAF_ENTRY HTAF_TARGET_AVX512 void binary_avx512(const Op& op, const T* g, const T* x, T* y, int64_t n) {
  binary_contiguous<IoAvx512>(op, g, x, y, n);
}
#endif

// The widest ISA the CPU (and OS) supports. HTAF_SIMD=baseline|avx2|avx512 in the
// environment caps it, to test or time the narrower paths.
inline Isa detect_isa() {
  Isa best = Isa::Baseline;
#if HTAF_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    best = Isa::Avx2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl")) {
      best = Isa::Avx512;
    }
  }
#endif
  if (const char* cap = std::getenv("HTAF_SIMD")) {
    const std::string c(cap);
    if (c == "baseline") best = Isa::Baseline;
    if (c == "avx2" && best == Isa::Avx512) best = Isa::Avx2;
  }
  return best;
}

inline Isa simd_isa() {
  static const Isa isa = detect_isa();
  return isa;
}

template <typename T, class Op>
void unary_block(const Op& op, const T* x, T* y, int64_t n) {
#if HTAF_X86
  switch (simd_isa()) {
    case Isa::Avx512: return unary_avx512(op, x, y, n);
    case Isa::Avx2: return unary_avx2(op, x, y, n);
    case Isa::Baseline: break;
  }
#endif
  unary_baseline(op, x, y, n);
}

template <typename T, class Op>
void binary_block(const Op& op, const T* g, const T* x, T* y, int64_t n) {
#if HTAF_X86
  switch (simd_isa()) {
    case Isa::Avx512: return binary_avx512(op, g, x, y, n);
    case Isa::Avx2: return binary_avx2(op, g, x, y, n);
    case Isa::Baseline: break;
  }
#endif
  binary_baseline(op, g, x, y, n);
}

// ============================================================================
// Tensor-level drivers
// ============================================================================

// Strided runs (non-dense layouts, expanded grads) are gathered into tiles of
// this many elements, computed as contiguous blocks, and scattered back.
constexpr int64_t kTile = 256;

// Element i of a strided run starting at base.
template <typename T>
HTAF_INLINE T& elem(char* base, int64_t stride, int64_t i) {
  return *reinterpret_cast<T*>(base + i * stride);
}

// Calls f(float{}) or f(double{}) for a dtype already checked to be one of the two.
template <class F>
void dispatch_floating(at::ScalarType st, const F& f) {
  if (st == at::kFloat) {
    f(float{});
  } else {
    f(double{});
  }
}

}  // namespace
}  // namespace htaf
