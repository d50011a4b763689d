// Fused CPU kernels for HTAF, scaled sigmoid and Heaviside/STE (SPEC.md §1).
//
// Why this file exists: the composed ATen graph sigmoid(beta * tanh(alpha * x))
// makes ~10 full passes over memory in forward + backward and allocates as many
// temporaries. Here each direction is one pass: read x (and grad), write one output.
//
// Numerics. Every value is computed in float64, also for float32 tensors: in the
// lower tail HTAF(x) = sigmoid(-u) ~ exp(-u) with u up to ~70 before the result
// underflows, so a relative error d in u becomes a relative error u*d in the
// result; float32 arithmetic (d ~ 6e-8) would give ~4e-6. In float64 the error is
// far below float32 rounding. The formulas avoid every cancellation:
//   - tanh(a), a = alpha*|x| >= 0, from m = expm1(-2a):  tanh(a) = -m / (1 + w)
//     with w = exp(-2a) = 1 + m (w computed directly, not as 1 + m, so it keeps
//     full relative precision when it is tiny). No 1 - w cancellation near 0.
//   - sech^2(a) = 1 - tanh^2(a) = 4w / (1 + w)^2: no 1 - t*t cancellation.
//   - sigmoid(+-v), v = |u|, from e = exp(-v) <= 1: sigmoid(v) = 1 / (1 + e),
//     sigmoid(-v) = e / (1 + e), sigmoid(u) sigmoid(-u) = e / (1 + e)^2:
//     no y * (1 - y) cancellation and no overflow of exp.
// The sign of x is applied at the very end (HTAF and sigmoid are odd around 1/2,
// their derivatives are even), so every exp argument is <= 0.
//
// Speed. On x86-64 the hot loops use AVX2 + FMA (4 doubles per vector; float32
// data are widened 8 at a time), with a hand-written exp/expm1 (range reduction
// to |r| <= ln2/2, Taylor polynomial, exponent-field scaling), since ATen's
// vectorized exp needs Sleef, which this libtorch build does not ship. The AVX2
// code is compiled with function-level target attributes and chosen at run time
// (__builtin_cpu_supports), so the file needs no -mavx2/-mfma flags; without
// AVX2 (or with HTAF_NO_AVX2=1 in the environment) a scalar std::exp/expm1 path
// with the same formulas runs. Work is split with at::parallel_for.
#include "fused_activations.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HTAF_X86_SIMD 1
#include <immintrin.h>
#define HTAF_AVX2 __attribute__((target("avx2,fma")))
#else
#define HTAF_X86_SIMD 0
#endif

namespace htaf {
namespace {

// Elements per parallel task for the exp-heavy kernels (~2-5 ns per element) and
// for the memory-bound Heaviside.
constexpr int64_t kGrainCompute = 16384;
constexpr int64_t kGrainMemory = 65536;

// ============================================================================
// Argument checks
// ============================================================================

std::string format_number(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
  return std::string(buf, res.ptr);
}

std::string format_shape(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (d) s += ", ";
    s += std::to_string(t.size(d));
  }
  return s + "]";
}

std::string dtype_name(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(t);
  }
}

[[noreturn]] void fail(const char* fn, const std::string& msg) {
  throw std::invalid_argument(std::string(fn) + ": " + msg);
}

void check_param(const char* fn, const char* name, double v) {
  if (!(std::isfinite(v) && v > 0)) {
    fail(fn, std::string(name) + " must be a finite number > 0, got " + format_number(v));
  }
}

// `what` names the argument in messages ("x", "grad").
void check_tensor(const char* fn, const char* what, const at::Tensor& t) {
  if (!t.defined()) fail(fn, std::string(what) + " is an undefined tensor");
  if (t.layout() != at::kStrided) fail(fn, std::string(what) + " must be a dense (strided) tensor");
  if (!t.device().is_cpu()) {
    fail(fn, std::string(what) + " must be a CPU tensor, got device " + t.device().str());
  }
  const at::ScalarType st = t.scalar_type();
  if (st != at::kFloat && st != at::kDouble) {
    fail(fn, std::string(what) + " must be a float32 or float64 tensor, got dtype " + dtype_name(st));
  }
}

void check_grad_and_x(const char* fn, const at::Tensor& grad, const at::Tensor& x) {
  check_tensor(fn, "x", x);
  check_tensor(fn, "grad", grad);
  if (!grad.sizes().equals(x.sizes())) {
    fail(fn, "grad and x must have the same shape, got grad " + format_shape(grad) + " and x " +
                 format_shape(x));
  }
}

// ============================================================================
// Memory layout: the kernels walk one dense block of memory linearly.
// ============================================================================

// x itself when its elements fill a dense block in some dim order (contiguous,
// channels_last, ...), else a contiguous copy. at::empty_like of such a tensor has
// the very same strides, so element i of the output block belongs to element i of x.
at::Tensor dense(const at::Tensor& x) {
  return x.is_non_overlapping_and_dense() ? x : x.contiguous();
}

// grad laid out like the dense x (same strides and dtype), copying only if needed.
at::Tensor like_x(const at::Tensor& grad, const at::Tensor& xd) {
  if (grad.scalar_type() == xd.scalar_type() && grad.strides().equals(xd.strides())) return grad;
  at::Tensor g = at::empty_like(xd);
  g.copy_(grad);
  return g;
}

// ============================================================================
// Scalar formulas: the fallback without AVX2, and the definition the vector code
// follows step by step. All work in float64.
// ============================================================================

// tanh(a) and the pieces of sech^2(a) for a >= 0: w = exp(-2a), d = 1 / (1 + w).
struct TanhParts {
  double t, w, d;
};
inline TanhParts tanh_parts(double a) {
  const double m = std::expm1(-2.0 * a);  // exact near a = 0, where exp(-2a) - 1 would cancel
  const double w = std::exp(-2.0 * a);    // direct, keeps relative precision when tiny
  const double d = 1.0 / (1.0 + w);
  return {-m * d, w, d};
}

// sigmoid(s * v) for v >= 0, s = +1 when x >= 0 else -1, given e = exp(-v).
inline double signed_sigmoid(double x, double e) { return (x >= 0 ? 1.0 : e) / (1.0 + e); }

// sigmoid(u) * sigmoid(-u) given e = exp(-|u|).
inline double sigmoid_product(double e) {
  const double r = 1.0 / (1.0 + e);
  return e * r * r;
}

// ============================================================================
// AVX2 + FMA building blocks (4 doubles per vector)
// ============================================================================
#if HTAF_X86_SIMD

// Below this argument exp is under 3.3e-308; we return 0 there (the true value is
// an underflowed double anyway) and clamp so the exponent arithmetic stays valid.
constexpr double kExpMin = -708.0;
constexpr double kLog2e = 1.4426950408889634074;
// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (Cody-Waite reduction).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;

constexpr double inv_factorial(int n) {
  double f = 1.0;
  for (int i = 2; i <= n; ++i) f *= i;  // exact in double for n <= 18
  return 1.0 / f;
}

HTAF_AVX2 inline __m256d vset(double v) { return _mm256_set1_pd(v); }
HTAF_AVX2 inline __m256d vabs(__m256d v) { return _mm256_andnot_pd(vset(-0.0), v); }
HTAF_AVX2 inline __m256d vneg(__m256d v) { return _mm256_xor_pd(vset(-0.0), v); }
// Lanes where v is NaN take v (so NaN inputs give NaN outputs), others keep r.
HTAF_AVX2 inline __m256d keep_nan(__m256d r, __m256d v) {
  return _mm256_blendv_pd(r, v, _mm256_cmp_pd(v, v, _CMP_UNORD_Q));
}

// expm1(r) for |r| <= ln2/2 by its Taylor series up to r^Deg:
//   r + r^2 (1/2! + r/3! + ... + r^(Deg-2)/Deg!).
// Truncation error relative to expm1(r) is below (ln2/2)^(Deg-1)/(Deg+1)!:
// 1.2e-17 for Deg = 13 (float64 data), 1.6e-12 for Deg = 10 (float32 data).
template <int Deg>
HTAF_AVX2 inline __m256d expm1_taylor(__m256d r) {
  __m256d q = vset(inv_factorial(Deg));
  for (int n = Deg - 1; n >= 2; --n) q = _mm256_fmadd_pd(q, r, vset(inv_factorial(n)));
  return _mm256_fmadd_pd(q, _mm256_mul_pd(r, r), r);
}

// For x <= 0 writes exp(x) and expm1(x), both to a few ulp:
// x = k ln2 + r, |r| <= ln2/2; exp(x) = 2^k (1 + p), expm1(x) = 2^k p + (2^k - 1)
// with p = expm1(r). For k = 0 expm1 is p itself, so there is no cancellation near 0.
// NaN lanes give garbage (callers restore NaN with keep_nan); -inf gives 0 and -1.
template <int Deg>
HTAF_AVX2 inline void exp_expm1_neg(__m256d x, __m256d* ex, __m256d* em1) {
  const __m256d xc = _mm256_max_pd(x, vset(kExpMin));
  const __m256d k = _mm256_round_pd(_mm256_mul_pd(xc, vset(kLog2e)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(k, vset(kLn2Hi), xc);
  r = _mm256_fnmadd_pd(k, vset(kLn2Lo), r);
  const __m256d p = expm1_taylor<Deg>(r);
  // 2^k: adding 1.5 * 2^52 puts the integer k into the low mantissa bits; add the
  // exponent bias and shift those bits into the exponent field (k in [-1021, 0]).
  const __m256i kbits = _mm256_castpd_si256(_mm256_add_pd(k, vset(0x1.8p52)));
  const __m256d scale = _mm256_castsi256_pd(
      _mm256_slli_epi64(_mm256_add_epi64(kbits, _mm256_set1_epi64x(1023)), 52));
  const __m256d sp = _mm256_mul_pd(scale, p);
  const __m256d underflow = _mm256_cmp_pd(x, vset(kExpMin), _CMP_LT_OQ);
  if (ex) *ex = _mm256_andnot_pd(underflow, _mm256_add_pd(scale, sp));
  if (em1) *em1 = _mm256_add_pd(_mm256_sub_pd(scale, vset(1.0)), sp);  // -1 when underflowed
}

template <int Deg>
HTAF_AVX2 inline __m256d exp_neg(__m256d x) {
  __m256d e;
  exp_expm1_neg<Deg>(x, &e, nullptr);
  return e;
}

// Per-dtype choices. Float32 results need ~1e-9 internal accuracy, float64 ~1e-16.
struct F32Policy {
  static constexpr int kExpDegree = 10;
  // 1/d for d in [1, 4] (all our denominators): 12-bit hardware estimate refined by
  // two Newton steps to ~46 bits, cheaper than a double division.
  HTAF_AVX2 static __m256d recip(__m256d d) {
    __m256d r = _mm256_cvtps_pd(_mm_rcp_ps(_mm256_cvtpd_ps(d)));
    r = _mm256_fmadd_pd(r, _mm256_fnmadd_pd(d, r, vset(1.0)), r);
    r = _mm256_fmadd_pd(r, _mm256_fnmadd_pd(d, r, vset(1.0)), r);
    return r;
  }
};
struct F64Policy {
  static constexpr int kExpDegree = 13;
  HTAF_AVX2 static __m256d recip(__m256d d) { return _mm256_div_pd(vset(1.0), d); }
};

// Vector twin of tanh_parts: tanh(a), w = exp(-2a), d = 1 / (1 + w) for a >= 0.
template <class P>
HTAF_AVX2 inline void tanh_parts_v(__m256d a, __m256d* t, __m256d* w, __m256d* d) {
  __m256d m;
  exp_expm1_neg<P::kExpDegree>(_mm256_mul_pd(a, vset(-2.0)), w, &m);
  *d = P::recip(_mm256_add_pd(vset(1.0), *w));
  *t = _mm256_mul_pd(vneg(m), *d);
}

// Vector twin of signed_sigmoid.
template <class P>
HTAF_AVX2 inline __m256d signed_sigmoid_v(__m256d x, __m256d e) {
  const __m256d num = _mm256_blendv_pd(e, vset(1.0), _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GE_OQ));
  return _mm256_mul_pd(num, P::recip(_mm256_add_pd(vset(1.0), e)));
}

#endif  // HTAF_X86_SIMD

// ============================================================================
// The formulas as element-wise operations. Each has a scalar form and (on x86)
// a vector form over 4 doubles; P is F32Policy or F64Policy.
// ============================================================================

// HTAF(x) = sigmoid(s * beta * tanh(alpha |x|)), s = sign(x).
struct HtafForward {
  double alpha, beta;
  double scalar(double x) const {
    if (std::isnan(x)) return x;
    const TanhParts tp = tanh_parts(std::fabs(alpha * x));
    return signed_sigmoid(x, std::exp(-beta * tp.t));
  }
#if HTAF_X86_SIMD
  template <class P>
  HTAF_AVX2 __m256d vec(__m256d x) const {
    __m256d t, w, d;
    tanh_parts_v<P>(vabs(_mm256_mul_pd(vset(alpha), x)), &t, &w, &d);
    const __m256d e = exp_neg<P::kExpDegree>(_mm256_mul_pd(vset(-beta), t));
    return keep_nan(signed_sigmoid_v<P>(x, e), x);
  }
#endif
};

// grad * HTAF'(x), HTAF'(x) = alpha beta sigmoid(u) sigmoid(-u) sech^2(alpha x)
//                          = 4 alpha beta * e / (1 + e)^2 * w / (1 + w)^2.
struct HtafBackward {
  double alpha, beta;
  double scalar(double g, double x) const {
    if (std::isnan(x)) return x;
    const TanhParts tp = tanh_parts(std::fabs(alpha * x));
    const double e = std::exp(-beta * tp.t);
    return g * (4.0 * alpha * beta) * sigmoid_product(e) * (tp.w * tp.d * tp.d);
  }
#if HTAF_X86_SIMD
  template <class P>
  HTAF_AVX2 __m256d vec(__m256d g, __m256d x) const {
    __m256d t, w, d;
    tanh_parts_v<P>(vabs(_mm256_mul_pd(vset(alpha), x)), &t, &w, &d);
    const __m256d e = exp_neg<P::kExpDegree>(_mm256_mul_pd(vset(-beta), t));
    const __m256d de = P::recip(_mm256_add_pd(vset(1.0), e));
    const __m256d dd = _mm256_mul_pd(d, de);
    // (4 alpha beta g) * e * w * (d de)^2, multiplied so nothing underflows early.
    __m256d r = _mm256_mul_pd(_mm256_mul_pd(vset(4.0 * alpha * beta), g), e);
    r = _mm256_mul_pd(_mm256_mul_pd(r, w), _mm256_mul_pd(dd, dd));
    return keep_nan(r, x);
  }
#endif
};

// SS(x) = sigmoid(gamma x).
struct SigmoidForward {
  double gamma;
  double scalar(double x) const {
    if (std::isnan(x)) return x;
    return signed_sigmoid(x, std::exp(-std::fabs(gamma * x)));
  }
#if HTAF_X86_SIMD
  template <class P>
  HTAF_AVX2 __m256d vec(__m256d x) const {
    const __m256d e = exp_neg<P::kExpDegree>(vneg(vabs(_mm256_mul_pd(vset(gamma), x))));
    return keep_nan(signed_sigmoid_v<P>(x, e), x);
  }
#endif
};

// grad * k sigmoid(kx) sigmoid(-kx): scaled-sigmoid backward (k = gamma) and the
// sigmoid surrogate of the STE.
struct SigmoidBackward {
  double k;
  double scalar(double g, double x) const {
    if (std::isnan(x)) return x;
    return g * k * sigmoid_product(std::exp(-std::fabs(k * x)));
  }
#if HTAF_X86_SIMD
  template <class P>
  HTAF_AVX2 __m256d vec(__m256d g, __m256d x) const {
    const __m256d e = exp_neg<P::kExpDegree>(vneg(vabs(_mm256_mul_pd(vset(k), x))));
    const __m256d d = P::recip(_mm256_add_pd(vset(1.0), e));
    const __m256d r = _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(vset(k), g), e), _mm256_mul_pd(d, d));
    return keep_nan(r, x);
  }
#endif
};

// grad * (k/2) (1 - tanh^2(kx)) = grad * 2k * w / (1 + w)^2, w = exp(-2k|x|).
struct TanhSurrogateBackward {
  double k;
  double scalar(double g, double x) const {
    if (std::isnan(x)) return x;
    const double w = std::exp(-2.0 * std::fabs(k * x));
    const double d = 1.0 / (1.0 + w);
    return g * (2.0 * k) * w * d * d;
  }
#if HTAF_X86_SIMD
  template <class P>
  HTAF_AVX2 __m256d vec(__m256d g, __m256d x) const {
    const __m256d w = exp_neg<P::kExpDegree>(_mm256_mul_pd(vset(-2.0), vabs(_mm256_mul_pd(vset(k), x))));
    const __m256d d = P::recip(_mm256_add_pd(vset(1.0), w));
    const __m256d r = _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(vset(2.0 * k), g), w), _mm256_mul_pd(d, d));
    return keep_nan(r, x);
  }
#endif
};

// grad * (1/a) 1[|x| < a/2]; NaN x is outside the window (factor 0).
struct RectSurrogateBackward {
  double a;
  double scalar(double g, double x) const { return g * (std::fabs(x) < 0.5 * a ? 1.0 / a : 0.0); }
#if HTAF_X86_SIMD
  template <class P>
  HTAF_AVX2 __m256d vec(__m256d g, __m256d x) const {
    const __m256d inside = _mm256_cmp_pd(vabs(x), vset(0.5 * a), _CMP_LT_OQ);
    return _mm256_mul_pd(g, _mm256_and_pd(inside, vset(1.0 / a)));
  }
#endif
};

// ============================================================================
// Loops: apply an operation over n elements of a dense block.
// ============================================================================

template <typename T, class Op>
void unary_scalar(const Op& op, const T* x, T* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(op.scalar(static_cast<double>(x[i])));
}

template <typename T, class Op>
void binary_scalar(const Op& op, const T* g, const T* x, T* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    y[i] = static_cast<T>(op.scalar(static_cast<double>(g[i]), static_cast<double>(x[i])));
  }
}

#if HTAF_X86_SIMD

// How a dtype moves between memory and double vectors: float32 8 elements per step
// (two double vectors), float64 4 per step.
template <typename T>
struct Lanes;
template <>
struct Lanes<float> {
  static constexpr int kStep = 8;
  using Policy = F32Policy;
  HTAF_AVX2 static void load(const float* p, __m256d v[2]) {
    const __m256 f = _mm256_loadu_ps(p);
    v[0] = _mm256_cvtps_pd(_mm256_castps256_ps128(f));
    v[1] = _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1));
  }
  HTAF_AVX2 static void store(float* p, const __m256d v[2]) {
    _mm256_storeu_ps(p, _mm256_set_m128(_mm256_cvtpd_ps(v[1]), _mm256_cvtpd_ps(v[0])));
  }
};
template <>
struct Lanes<double> {
  static constexpr int kStep = 4;
  using Policy = F64Policy;
  HTAF_AVX2 static void load(const double* p, __m256d v[1]) { v[0] = _mm256_loadu_pd(p); }
  HTAF_AVX2 static void store(double* p, const __m256d v[1]) { _mm256_storeu_pd(p, v[0]); }
};

template <typename T, class Op>
HTAF_AVX2 inline void unary_step(const Op& op, const T* x, T* y) {
  using L = Lanes<T>;
  constexpr int kVecs = L::kStep / 4;
  __m256d xv[kVecs], yv[kVecs];
  L::load(x, xv);
  for (int j = 0; j < kVecs; ++j) yv[j] = op.template vec<typename L::Policy>(xv[j]);
  L::store(y, yv);
}

template <typename T, class Op>
HTAF_AVX2 inline void binary_step(const Op& op, const T* g, const T* x, T* y) {
  using L = Lanes<T>;
  constexpr int kVecs = L::kStep / 4;
  __m256d gv[kVecs], xv[kVecs], yv[kVecs];
  L::load(g, gv);
  L::load(x, xv);
  for (int j = 0; j < kVecs; ++j) yv[j] = op.template vec<typename L::Policy>(gv[j], xv[j]);
  L::store(y, yv);
}

// The last n % kStep elements run through the same vector code on a zero-padded
// copy, so every element gets bit-identical treatment wherever it sits.
template <typename T, class Op>
HTAF_AVX2 void unary_avx2(const Op& op, const T* x, T* y, int64_t n) {
  constexpr int kStep = Lanes<T>::kStep;
  int64_t i = 0;
  for (; i + kStep <= n; i += kStep) unary_step(op, x + i, y + i);
  if (i < n) {
    T xb[kStep] = {}, yb[kStep];
    std::copy(x + i, x + n, xb);
    unary_step(op, xb, yb);
    std::copy(yb, yb + (n - i), y + i);
  }
}

template <typename T, class Op>
HTAF_AVX2 void binary_avx2(const Op& op, const T* g, const T* x, T* y, int64_t n) {
  constexpr int kStep = Lanes<T>::kStep;
  int64_t i = 0;
  for (; i + kStep <= n; i += kStep) binary_step(op, g + i, x + i, y + i);
  if (i < n) {
    T gb[kStep] = {}, xb[kStep] = {}, yb[kStep];
    std::copy(g + i, g + n, gb);
    std::copy(x + i, x + n, xb);
    binary_step(op, gb, xb, yb);
    std::copy(yb, yb + (n - i), y + i);
  }
}

#endif  // HTAF_X86_SIMD

// AVX2 + FMA present (and not disabled with HTAF_NO_AVX2=1)? Decided once.
bool use_avx2() {
#if HTAF_X86_SIMD
  static const bool ok = [] {
    const char* off = std::getenv("HTAF_NO_AVX2");
    if (off && *off && std::string(off) != "0") return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return ok;
#else
  return false;
#endif
}

template <typename T, class Op>
void unary_block(const Op& op, const T* x, T* y, int64_t n) {
#if HTAF_X86_SIMD
  if (use_avx2()) return unary_avx2(op, x, y, n);
#endif
  unary_scalar(op, x, y, n);
}

template <typename T, class Op>
void binary_block(const Op& op, const T* g, const T* x, T* y, int64_t n) {
#if HTAF_X86_SIMD
  if (use_avx2()) return binary_avx2(op, g, x, y, n);
#endif
  binary_scalar(op, g, x, y, n);
}

// ============================================================================
// Tensor-level drivers: check, lay out, allocate the output once, run in parallel.
// ============================================================================

// Calls f(float{}) or f(double{}) for a dtype already checked to be one of the two.
template <class F>
void dispatch_floating(at::ScalarType st, const F& f) {
  if (st == at::kFloat) {
    f(float{});
  } else {
    f(double{});
  }
}

template <class Op>
at::Tensor map_unary(const char* fn, const at::Tensor& x_in, const Op& op) {
  check_tensor(fn, "x", x_in);
  const at::Tensor x = dense(x_in);
  at::Tensor y = at::empty_like(x);
  const int64_t n = x.numel();
  dispatch_floating(x.scalar_type(), [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data_ptr<T>();
    T* yp = y.data_ptr<T>();
    at::parallel_for(0, n, kGrainCompute, [&](int64_t b, int64_t e) { unary_block(op, xp + b, yp + b, e - b); });
  });
  return y;
}

template <class Op>
at::Tensor map_binary(const char* fn, const at::Tensor& grad_in, const at::Tensor& x_in, const Op& op) {
  check_grad_and_x(fn, grad_in, x_in);
  const at::Tensor x = dense(x_in);
  const at::Tensor g = like_x(grad_in, x);
  at::Tensor y = at::empty_like(x);
  const int64_t n = x.numel();
  dispatch_floating(x.scalar_type(), [&](auto tag) {
    using T = decltype(tag);
    const T* gp = g.data_ptr<T>();
    const T* xp = x.data_ptr<T>();
    T* yp = y.data_ptr<T>();
    at::parallel_for(0, n, kGrainCompute,
                     [&](int64_t b, int64_t e) { binary_block(op, gp + b, xp + b, yp + b, e - b); });
  });
  return y;
}

const char* surrogate_param_name(Surrogate kind) { return kind == Surrogate::Rect ? "a" : "k"; }

// ============================================================================
// Differentiable (composed ATen) derivatives, used only when a backward runs with
// grad mode on (create_graph=true) and must itself be differentiable. They use the
// same cancellation-free forms, so they stay finite in the tails.
// ============================================================================

at::Tensor htaf_grad_composed(const at::Tensor& g, const at::Tensor& x, double alpha, double beta) {
  const at::Tensor u = beta * at::tanh(alpha * x);
  const at::Tensor w = at::exp(-2.0 * alpha * at::abs(x));  // sech^2 = 4w / (1 + w)^2
  return g * (4.0 * alpha * beta) * at::sigmoid(u) * at::sigmoid(-u) * w / at::square(1.0 + w);
}

at::Tensor sigmoid_grad_composed(const at::Tensor& g, const at::Tensor& x, double k) {
  return g * k * at::sigmoid(k * x) * at::sigmoid(-k * x);
}

at::Tensor surrogate_grad_composed(const at::Tensor& g, const at::Tensor& x, Surrogate kind, double p) {
  switch (kind) {
    case Surrogate::Sigmoid: return sigmoid_grad_composed(g, x, p);
    case Surrogate::Tanh: {
      const at::Tensor w = at::exp(-2.0 * p * at::abs(x));
      return g * (2.0 * p) * w / at::square(1.0 + w);
    }
    case Surrogate::Rect: return g * (at::abs(x) < 0.5 * p).to(g.scalar_type()) * (1.0 / p);
  }
  throw std::invalid_argument("heaviside_ste: unknown surrogate kind");
}

// Backward must be differentiable: create_graph=true and something needs grad.
bool needs_double_backward(const at::Tensor& g, const at::Tensor& x) {
  return at::GradMode::is_enabled() && (g.requires_grad() || x.requires_grad());
}

// ============================================================================
// Autograd functions: save x only, recompute everything in backward.
// ============================================================================

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct HtafFunction : public torch::autograd::Function<HtafFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, double alpha, double beta) {
    ctx->saved_data["alpha"] = alpha;
    ctx->saved_data["beta"] = beta;
    ctx->save_for_backward({x});
    return htaf_forward(x, alpha, beta);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor x = ctx->get_saved_variables()[0];
    const double alpha = ctx->saved_data["alpha"].toDouble();
    const double beta = ctx->saved_data["beta"].toDouble();
    const at::Tensor& g = grads[0];
    at::Tensor gx = needs_double_backward(g, x) ? htaf_grad_composed(g, x, alpha, beta)
                                                : htaf_backward(g, x, alpha, beta);
    return {gx, at::Tensor(), at::Tensor()};
  }
};

struct ScaledSigmoidFunction : public torch::autograd::Function<ScaledSigmoidFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, double gamma) {
    ctx->saved_data["gamma"] = gamma;
    ctx->save_for_backward({x});
    return ss_forward(x, gamma);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor x = ctx->get_saved_variables()[0];
    const double gamma = ctx->saved_data["gamma"].toDouble();
    const at::Tensor& g = grads[0];
    at::Tensor gx = needs_double_backward(g, x) ? sigmoid_grad_composed(g, x, gamma) : ss_backward(g, x, gamma);
    return {gx, at::Tensor()};
  }
};

struct HeavisideSteFunction : public torch::autograd::Function<HeavisideSteFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, int64_t kind, double param) {
    ctx->saved_data["kind"] = kind;
    ctx->saved_data["param"] = param;
    ctx->save_for_backward({x});
    return heaviside_forward(x);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor x = ctx->get_saved_variables()[0];
    const auto kind = static_cast<Surrogate>(ctx->saved_data["kind"].toInt());
    const double param = ctx->saved_data["param"].toDouble();
    const at::Tensor& g = grads[0];
    at::Tensor gx = needs_double_backward(g, x) ? surrogate_grad_composed(g, x, kind, param)
                                                : surrogate_backward(g, x, kind, param);
    return {gx, at::Tensor(), at::Tensor()};
  }
};

void check_surrogate(const char* fn, Surrogate kind, double param) {
  if (kind != Surrogate::Sigmoid && kind != Surrogate::Tanh && kind != Surrogate::Rect) {
    fail(fn, "unknown surrogate kind " + std::to_string(static_cast<int>(kind)));
  }
  check_param(fn, surrogate_param_name(kind), param);
}

}  // namespace

// ============================================================================
// Public API
// ============================================================================

at::Tensor htaf_forward(const at::Tensor& x, double alpha, double beta) {
  check_param("htaf_forward", "alpha", alpha);
  check_param("htaf_forward", "beta", beta);
  return map_unary("htaf_forward", x, HtafForward{alpha, beta});
}

at::Tensor htaf_backward(const at::Tensor& grad, const at::Tensor& x, double alpha, double beta) {
  check_param("htaf_backward", "alpha", alpha);
  check_param("htaf_backward", "beta", beta);
  return map_binary("htaf_backward", grad, x, HtafBackward{alpha, beta});
}

at::Tensor ss_forward(const at::Tensor& x, double gamma) {
  check_param("ss_forward", "gamma", gamma);
  return map_unary("ss_forward", x, SigmoidForward{gamma});
}

at::Tensor ss_backward(const at::Tensor& grad, const at::Tensor& x, double gamma) {
  check_param("ss_backward", "gamma", gamma);
  return map_binary("ss_backward", grad, x, SigmoidBackward{gamma});
}

at::Tensor heaviside_forward(const at::Tensor& x_in) {
  const char* fn = "heaviside_forward";
  check_tensor(fn, "x", x_in);
  const at::Tensor x = dense(x_in);
  at::Tensor y = at::empty_like(x);
  dispatch_floating(x.scalar_type(), [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.data_ptr<T>();
    T* yp = y.data_ptr<T>();
    at::parallel_for(0, x.numel(), kGrainMemory, [&](int64_t b, int64_t e) {
      // H(0) = H(-0) = 1; NaN passes through (x != x).
      for (int64_t i = b; i < e; ++i) {
        const T v = xp[i];
        yp[i] = v >= 0 ? T(1) : (v != v ? v : T(0));
      }
    });
  });
  return y;
}

at::Tensor surrogate_backward(const at::Tensor& grad, const at::Tensor& x, Surrogate kind, double param) {
  const char* fn = "surrogate_backward";
  check_surrogate(fn, kind, param);
  switch (kind) {
    case Surrogate::Sigmoid: return map_binary(fn, grad, x, SigmoidBackward{param});
    case Surrogate::Tanh: return map_binary(fn, grad, x, TanhSurrogateBackward{param});
    case Surrogate::Rect: return map_binary(fn, grad, x, RectSurrogateBackward{param});
  }
  fail(fn, "unknown surrogate kind");
}

at::Tensor htaf(const at::Tensor& x, double alpha, double beta) {
  check_param("htaf", "alpha", alpha);
  check_param("htaf", "beta", beta);
  check_tensor("htaf", "x", x);
  return HtafFunction::apply(x, alpha, beta);
}

at::Tensor scaled_sigmoid(const at::Tensor& x, double gamma) {
  check_param("scaled_sigmoid", "gamma", gamma);
  check_tensor("scaled_sigmoid", "x", x);
  return ScaledSigmoidFunction::apply(x, gamma);
}

at::Tensor heaviside_ste(const at::Tensor& x, Surrogate kind, double param) {
  check_surrogate("heaviside_ste", kind, param);
  check_tensor("heaviside_ste", "x", x);
  return HeavisideSteFunction::apply(x, static_cast<int64_t>(kind), param);
}

}  // namespace htaf
