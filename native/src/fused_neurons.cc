// Fused multi-step LIF and IF neurons (fused_neurons.h says what they compute).
//
// Why: the composed neuron runs charge, fire and reset as ~10 small ATen ops per time step, each a pass
// over memory with its own temporaries and autograd node, and BPTT walks them all back. Here the forward
// is one pass over x[T, N] (N = B·C·H·W): each vector of elements goes through all T steps in registers,
// reading x once and writing the spikes once; the backward reads x and the spikes' gradient once,
// recomputes the T steps of its vector forward (nothing but x is saved), and walks back over time,
// writing dL/dx once. The spike function is inlined from fused_simd.h (the same ops as the fused HTAF,
// SS and STE activations, in float64 arithmetic).
//
// Rounding: the charge, the threshold and the reset run in the data's dtype, one IEEE operation per
// composed tensor op and in its order ((x − (v − v_rest))/τ, then + v), with no multiply fused into an
// add; the smooth spike is computed in float64 and rounded once, as the fused activation rounds it. So
// the fused forward gives the composed neuron's spikes bit for bit: a spike is a threshold decision,
// and one flipped by a rounding difference would change the whole train after it. The backward runs
// in the data's dtype too, with the spike function's slope from float64; its gradients agree with
// autograd's through the composed ops to rounding.
//
// Speed: float32 data are 8 lanes per AVX2 vector (16 with AVX-512) for the dynamics; only the smooth
// spike functions and the slopes widen to double vectors. At 1 pass over x forward and 1 over x and
// the gradient backward, a surrogate-gradient LIF runs at a few times a ReLU's memory traffic.
//
// Threads: TensorIterator::for_each over the N elements of x[0] (its parallel_for runs inside libtorch,
// with OpenMP), each chunk addressing its other time steps at a stride of N elements.
#include "fused_neurons.h"

#include "fused_simd.h"

#include <vector>

namespace htaf {
namespace {

// Data vectors per ISA. The neuron's dynamics (charge, threshold, reset) run in the data's own dtype,
// one vector of T per step: each operation is the composed neuron's tensor op, rounded as it rounds.
// The smooth spike functions and every derivative run on the double vectors fused_simd.h computes
// in (kParts of them per data vector): widen, apply, narrow. Written with vector extensions only, no
// intrinsics: everything here is inlined into an entry point compiled for its ISA (a helper with a
// target attribute of its own could not be inlined through the kernels' lambdas), and there
// memcpy becomes an unaligned vector move and the conversions vcvtps2pd / vcvtpd2ps.

// The lower (Hi = false) or upper half of a float vector, as a vector of half as many floats.
template <bool Hi, class D>
HTAF_INLINE auto half_of(const D& v) {
  if constexpr (sizeof(D) == 16) {
    typedef float H __attribute__((vector_size(8)));
    if constexpr (Hi) return (H)__builtin_shufflevector(v, v, 2, 3); else return (H)__builtin_shufflevector(v, v, 0, 1);
  } else if constexpr (sizeof(D) == 32) {
    if constexpr (Hi) return (v4f)__builtin_shufflevector(v, v, 4, 5, 6, 7); else return (v4f)__builtin_shufflevector(v, v, 0, 1, 2, 3);
  } else {
    if constexpr (Hi) return (v8f)__builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    else return (v8f)__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
  }
}

// Two float vectors joined into one of twice the lanes.
template <class H>
HTAF_INLINE auto join(const H& lo, const H& hi) {
  if constexpr (sizeof(H) == 8) return (v4f)__builtin_shufflevector(lo, hi, 0, 1, 2, 3);
  else if constexpr (sizeof(H) == 16) return (v8f)__builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7);
  else return (v16f)__builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

// W: the ISA's double vector (v2d, v4d, v8d). Data vectors of T = double are W itself; of T = float,
// a vector of the same bytes, twice W's lanes, widened into two W.
template <typename T, class WVec>
struct Lanes {
  using Data = T;
  using W = WVec;
  static constexpr int kWLanes = sizeof(W) / sizeof(double);
  typedef T D __attribute__((vector_size(sizeof(W))));  // float: twice W's lanes in one register
  static constexpr int kLanes = sizeof(D) / sizeof(T);
  static constexpr int kParts = kLanes / kWLanes;

  static HTAF_INLINE D load(const T* p) {
    D v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static HTAF_INLINE void store(T* p, const D& v) { std::memcpy(p, &v, sizeof v); }
  static HTAF_INLINE void widen(const D& v, W* w) {
    if constexpr (kParts == 1) {
      w[0] = v;
    } else {
      w[0] = __builtin_convertvector(half_of<false>(v), W);
      w[1] = __builtin_convertvector(half_of<true>(v), W);
    }
  }
  static HTAF_INLINE D narrow(const W* w) {
    if constexpr (kParts == 1) {
      return w[0];
    } else {
      using H = decltype(half_of<false>(D{}));
      return join(__builtin_convertvector(w[0], H), __builtin_convertvector(w[1], H));
    }
  }
};

// All lanes = c, for a data vector of floats or doubles.
template <class D, typename T>
HTAF_INLINE D fill(T c) {
  D v{};
  return v + c;
}

// The neuron's dynamics as numbers in the data's dtype (fused_neurons.h): a float32 tensor op with a
// number computes with the number rounded to float32 (v_reset = -0.2 is -0.2000000030 there), and so
// does the composed neuron.
template <typename T>
struct Dynamics {
  bool lif;
  T tau, rest, vth, vReset;
  bool soft, detach;
  // dh/dx and dh/dv[t-1].
  T dhdx, dhdv;
};

// A spike function: its forward (smooth value, or Heaviside) and grad * its derivative.
template <class Fwd, class Bwd>
struct Spike {
  Fwd fwd;
  Bwd bwd;
};

// No gradient (the exact 'heaviside' spike): never called, the op is not differentiable then.
struct NoDerivative {
  template <class P, class V>
  HTAF_INLINE V apply(const V& g, const V&) const {
    return g * 0.0;
  }
};

template <class L>
HTAF_INLINE typename L::D charge(const Dynamics<typename L::Data>& d, const typename L::D& v, const typename L::D& x) {
  if (d.lif) return v + (x - (v - d.rest)) / d.tau;
  return v + x;
}

// v as computed, kept from being fused into the add that follows (the compiler may contract a·b + c
// into one FMA, which rounds once where the composed tensor ops round twice).
template <class D>
HTAF_INLINE D product(D v) {
#if HTAF_X86
  asm("" : "+v"(v));
#endif
  return v;
}

template <class L>
HTAF_INLINE typename L::D reset(const Dynamics<typename L::Data>& d, const typename L::D& h, const typename L::D& s) {
  using T = typename L::Data;
  if (d.soft) return h - product(s * d.vth);
  return product(h * (T(1) - s)) + product(s * d.vReset);
}

// The spike s = Θ(u) of a data vector: Heaviside as a comparison in the data's dtype (NaN stays NaN);
// a smooth form on the double vectors, rounded once to the data's dtype as the fused activation rounds.
template <class L, class P, class Fwd>
HTAF_INLINE typename L::D fire(const Fwd& f, const typename L::D& u) {
  using D = typename L::D;
  using T = typename L::Data;
  if constexpr (std::is_same_v<Fwd, HeavisideForward>) {
    const D s = u >= T(0) ? fill<D>(T(1)) : D{};
    return u != u ? u : s;
  } else {
    if constexpr (std::is_same_v<T, float> && kHasFloat32<Fwd>) {
      if (f.float32.ok) return f.apply_f32(u);  // as the fused activation computes it
    }
    typename L::W w[L::kParts];
    L::widen(u, w);
    for (int k = 0; k < L::kParts; ++k) w[k] = f.template apply<P>(w[k]);
    return L::narrow(w);
  }
}

// g · Θ′(u) on the double vectors, rounded to the data's dtype.
template <class L, class P, class Bwd>
HTAF_INLINE typename L::D slope_times(const Bwd& b, const typename L::D& g, const typename L::D& u) {
  if constexpr (std::is_same_v<typename L::Data, float> && kHasFloat32<Bwd>) {
    if (b.float32.ok) return b.apply_f32(g, u);
  }
  typename L::W gw[L::kParts], uw[L::kParts];
  L::widen(g, gw);
  L::widen(u, uw);
  for (int k = 0; k < L::kParts; ++k) gw[k] = b.template apply<P>(gw[k], uw[k]);
  return L::narrow(gw);
}

// Forward of one data vector over T steps; x and s step over time by `ts` elements.
template <class L, class S>
HTAF_INLINE void forward_vector(const Dynamics<typename L::Data>& d, const S& spike, int64_t steps, const typename L::Data* x,
                                typename L::Data* s, int64_t ts) {
  using P = PolicyFor<typename L::Data>;
  using D = typename L::D;
  D v = fill<D>(d.soft ? typename L::Data(0) : d.vReset);
  for (int64_t t = 0; t < steps; ++t) {
    const D h = charge<L>(d, v, L::load(x + t * ts));
    const D out = fire<L, P>(spike.fwd, h - d.vth);
    L::store(s + t * ts, out);
    v = reset<L>(d, h, out);
  }
}

// Backward of one data vector over T steps: gx = dL/dx from g = dL/ds. The forward is recomputed
// first, keeping each step's h, s and Θ′(h − v_th) in `hs`, `ss`, `ds` (T vectors each): the spike and
// its slope are computed side by side from the same u, so the compiler shares their exps.
template <class L, class S>
HTAF_INLINE void backward_vector(const Dynamics<typename L::Data>& d, const S& spike, int64_t steps, const typename L::Data* g,
                                 const typename L::Data* x, typename L::Data* gx, int64_t ts, typename L::D* hs, typename L::D* ss,
                                 typename L::D* ds) {
  using P = PolicyFor<typename L::Data>;
  using D = typename L::D;
  using T = typename L::Data;
  D v = fill<D>(d.soft ? T(0) : d.vReset);
  for (int64_t t = 0; t < steps; ++t) {
    const D h = charge<L>(d, v, L::load(x + t * ts));
    const D u = h - d.vth;
    const D out = fire<L, P>(spike.fwd, u);
    hs[t] = h;
    ss[t] = out;
    ds[t] = slope_times<L, P>(spike.bwd, fill<D>(T(1)), u);
    v = reset<L>(d, h, out);
  }
  D gv{};  // dL/dv[t] from the steps after t
  for (int64_t t = steps - 1; t >= 0; --t) {
    const D h = hs[t];
    const D s = ss[t];
    D gs = L::load(g + t * ts);
    // v[t] = h(1 − s) + v_reset·s (hard) or h − v_th·s (soft): ∂v/∂s = v_reset − h or −v_th.
    if (!d.detach) gs = gs + gv * (d.soft ? fill<D>(-d.vth) : d.vReset - h);
    const D gh = (d.soft ? gv : gv * (T(1) - s)) + gs * ds[t];
    L::store(gx + t * ts, gh * d.dhdx);
    gv = gh * d.dhdv;
  }
}

// A lambda the kernels pass down is inlined like the rest: as a function of its own it would be
// compiled without its caller's ISA, and the vectors would cross a call.
#define HTAF_INLINE_LAMBDA __attribute__((always_inline))

// Runs `f(a, b, out, ts)` on every data vector of a chunk of n elements; the last partial vector goes
// through zero-padded stack buffers of T vectors (time stride kLanes), so every element sees the same
// arithmetic. `a` may be null (the forward has one input).
template <class L, class F>
HTAF_INLINE void over_chunk(int64_t steps, int64_t n, int64_t stride, const F& f, const typename L::Data* a, const typename L::Data* b,
                            typename L::Data* out, typename L::Data* pad) {
  using T = typename L::Data;
  constexpr int K = L::kLanes;
  int64_t i = 0;
  for (; i + K <= n; i += K) f(a ? a + i : nullptr, b + i, out + i, stride);
  if (i == n) return;
  const int64_t m = n - i;
  T* pa = pad;
  T* pb = pad + steps * K;
  T* po = pad + 2 * steps * K;
  std::fill(pad, pad + 3 * steps * K, T(0));
  for (int64_t t = 0; t < steps; ++t) {
    for (int64_t j = 0; j < m; ++j) {
      if (a) pa[t * K + j] = a[t * stride + i + j];
      pb[t * K + j] = b[t * stride + i + j];
    }
  }
  f(a ? pa : nullptr, pb, po, K);
  for (int64_t t = 0; t < steps; ++t) {
    for (int64_t j = 0; j < m; ++j) out[t * stride + i + j] = po[t * K + j];
  }
}

// Scratch for one chunk: the padded tail (3·T data vectors) and the backward's h, s and slope (3·T vectors),
// aligned by hand: GCC drops a vector type's alignment in template arguments, so a std::vector<D> could
// be misaligned for the aligned moves.
template <class L>
struct Scratch {
  using D = typename L::D;
  explicit Scratch(int64_t steps) : storage((6 * steps + 1) * L::kLanes) {
    auto addr = reinterpret_cast<std::uintptr_t>(storage.data());
    addr = (addr + sizeof(D) - 1) / sizeof(D) * sizeof(D);
    vectors = reinterpret_cast<D*>(addr);
    hs = vectors;
    ss = vectors + steps;
    ds = vectors + 2 * steps;
    pad = reinterpret_cast<typename L::Data*>(vectors + 3 * steps);
  }
  std::vector<typename L::Data> storage;
  D* vectors;
  D* hs;
  D* ss;
  D* ds;
  typename L::Data* pad;
};

template <class L, class S>
HTAF_INLINE void forward_chunk(const Dynamics<typename L::Data>& d, const S& spike, int64_t steps, int64_t stride, const typename L::Data* x,
                               typename L::Data* s, int64_t n) {
  using T = typename L::Data;
  Scratch<L> scratch(steps);
  over_chunk<L>(steps, n, stride, [&](const T*, const T* xp, T* sp, int64_t ts) HTAF_INLINE_LAMBDA { forward_vector<L>(d, spike, steps, xp, sp, ts); },
                static_cast<const T*>(nullptr), x, s, scratch.pad);
}

template <class L, class S>
HTAF_INLINE void backward_chunk(const Dynamics<typename L::Data>& d, const S& spike, int64_t steps, int64_t stride, const typename L::Data* g,
                                const typename L::Data* x, typename L::Data* gx, int64_t n) {
  using T = typename L::Data;
  Scratch<L> scratch(steps);
  over_chunk<L>(steps, n, stride,
                [&](const T* gp, const T* xp, T* op, int64_t ts) HTAF_INLINE_LAMBDA { backward_vector<L>(d, spike, steps, gp, xp, op, ts, scratch.hs, scratch.ss, scratch.ds); },
                g, x, gx, scratch.pad);
}

// Per-ISA entry points (see fused_simd.h).
template <typename T, class S>
HTAF_ENTRY void forward_baseline(const Dynamics<T>& d, const S& sp, int64_t steps, int64_t stride, const T* x, T* s, int64_t n) {
  forward_chunk<Lanes<T, v2d>>(d, sp, steps, stride, x, s, n);
}
template <typename T, class S>
HTAF_ENTRY void backward_baseline(const Dynamics<T>& d, const S& sp, int64_t steps, int64_t stride, const T* g, const T* x, T* gx, int64_t n) {
  backward_chunk<Lanes<T, v2d>>(d, sp, steps, stride, g, x, gx, n);
}
#if HTAF_X86
template <typename T, class S>
HTAF_ENTRY HTAF_TARGET_AVX2 void forward_avx2(const Dynamics<T>& d, const S& sp, int64_t steps, int64_t stride, const T* x, T* s, int64_t n) {
  forward_chunk<Lanes<T, v4d>>(d, sp, steps, stride, x, s, n);
}
template <typename T, class S>
HTAF_ENTRY HTAF_TARGET_AVX2 void backward_avx2(const Dynamics<T>& d, const S& sp, int64_t steps, int64_t stride, const T* g, const T* x, T* gx, int64_t n) {
  backward_chunk<Lanes<T, v4d>>(d, sp, steps, stride, g, x, gx, n);
}
template <typename T, class S>
HTAF_ENTRY HTAF_TARGET_AVX512 void forward_avx512(const Dynamics<T>& d, const S& sp, int64_t steps, int64_t stride, const T* x, T* s, int64_t n) {
  forward_chunk<Lanes<T, v8d>>(d, sp, steps, stride, x, s, n);
}
template <typename T, class S>
HTAF_ENTRY HTAF_TARGET_AVX512 void backward_avx512(const Dynamics<T>& d, const S& sp, int64_t steps, int64_t stride, const T* g, const T* x, T* gx, int64_t n) {
  backward_chunk<Lanes<T, v8d>>(d, sp, steps, stride, g, x, gx, n);
}
#endif

// The dynamics' constants in the data's dtype T.
template <typename T>
Dynamics<T> dynamics_of(const NeuronParams& p) {
  const bool lif = p.neuron == "lif";
  const T tau = static_cast<T>(p.tau);
  const T vReset = static_cast<T>(p.vReset);
  return {lif, tau, p.softReset ? T(0) : vReset, static_cast<T>(p.vThreshold), vReset, p.softReset, p.detachReset,
          lif ? T(1) / tau : T(1), lif ? T(1) - T(1) / tau : T(1)};
}

// Elements per parallel task: each costs T steps of the spike function, ~16K element-steps per
// task (the activations' grain before it was measured; not re-measured for the neuron).
constexpr int64_t kGrainNeuronSteps = 16384;
int64_t grain_for(int64_t steps) { return std::max<int64_t>(256, grain(kGrainNeuronSteps) / std::max<int64_t>(1, steps)); }

template <class S>
at::Tensor forward_tensor(const NeuronParams& p, const S& spike, const at::Tensor& x) {
  const int64_t steps = x.size(0);
  const int64_t stride = x.numel() / steps;
  const at::Tensor s = at::empty_like(x, at::MemoryFormat::Contiguous);
  if (stride == 0) return s;
  // The first step's elements; the others are at multiples of `stride` from them.
  const at::Tensor s0 = s.select(0, 0).reshape({-1});
  const at::Tensor x0 = x.select(0, 0).reshape({-1});
  at::TensorIterator iter = at::TensorIteratorConfig().add_output(s0).add_input(x0).build();
  dispatch_floating(x.scalar_type(), [&](auto tag) {
    using T = decltype(tag);
    const Dynamics<T> d = dynamics_of<T>(p);
    iter.for_each(
        [&](char** data, const int64_t* strides, int64_t n, int64_t outer) {
          TORCH_CHECK(outer == 1 && (n == 1 || (strides[0] == sizeof(T) && strides[1] == sizeof(T))), "neuron_multi_step: internal: a non-contiguous run");
          auto* sp = reinterpret_cast<T*>(data[0]);
          const auto* xp = reinterpret_cast<const T*>(data[1]);
#if HTAF_X86
          switch (simd_isa()) {
            case Isa::Avx512: return forward_avx512(d, spike, steps, stride, xp, sp, n);
            case Isa::Avx2: return forward_avx2(d, spike, steps, stride, xp, sp, n);
            case Isa::Baseline: break;
          }
#endif
          forward_baseline(d, spike, steps, stride, xp, sp, n);
        },
        grain_for(steps));
  });
  return s;
}

template <class S>
at::Tensor backward_tensor(const NeuronParams& p, const S& spike, const at::Tensor& grad, const at::Tensor& x) {
  const int64_t steps = x.size(0);
  const int64_t stride = x.numel() / steps;
  const at::Tensor g = grad.to(x.scalar_type()).contiguous();
  const at::Tensor gx = at::empty_like(x, at::MemoryFormat::Contiguous);
  if (stride == 0) return gx;
  const at::Tensor gx0 = gx.select(0, 0).reshape({-1});
  const at::Tensor g0 = g.select(0, 0).reshape({-1});
  const at::Tensor x0 = x.select(0, 0).reshape({-1});
  at::TensorIterator iter = at::TensorIteratorConfig().add_output(gx0).add_input(g0).add_input(x0).build();
  dispatch_floating(x.scalar_type(), [&](auto tag) {
    using T = decltype(tag);
    const Dynamics<T> d = dynamics_of<T>(p);
    iter.for_each(
        [&](char** data, const int64_t* strides, int64_t n, int64_t outer) {
          TORCH_CHECK(outer == 1 && (n == 1 || (strides[0] == sizeof(T) && strides[1] == sizeof(T) && strides[2] == sizeof(T))),
                      "neuron_multi_step: internal: a non-contiguous run");
          auto* op = reinterpret_cast<T*>(data[0]);
          const auto* gp = reinterpret_cast<const T*>(data[1]);
          const auto* xp = reinterpret_cast<const T*>(data[2]);
#if HTAF_X86
          switch (simd_isa()) {
            case Isa::Avx512: return backward_avx512(d, spike, steps, stride, gp, xp, op, n);
            case Isa::Avx2: return backward_avx2(d, spike, steps, stride, gp, xp, op, n);
            case Isa::Baseline: break;
          }
#endif
          backward_baseline(d, spike, steps, stride, gp, xp, op, n);
        },
        grain_for(steps));
  });
  return gx;
}

// Calls f(spike) with the Spike of p.spike, on the data's dtype (float32 data with a large β take the
// expm1 form of tanh, as the fused HTAF does).
template <class F>
auto with_spike(const NeuronParams& p, bool float32, const F& f) {
  const std::string& k = p.spike;
  if (k == "htaf") {
    if (float32 && p.p2 > kCheapTanhMaxBeta) return f(Spike<HtafForward<true>, HtafBackward<true>>{{p.p1, p.p2}, {p.p1, p.p2}});
    return f(Spike<HtafForward<false>, HtafBackward<false>>{{p.p1, p.p2}, {p.p1, p.p2}});
  }
  if (k == "ss") return f(Spike<SigmoidForward, SigmoidBackward>{{p.p1}, {p.p1}});
  if (k == "sigmoid") return f(Spike<HeavisideForward, SigmoidBackward>{{}, {p.p1}});
  if (k == "tanh") return f(Spike<HeavisideForward, TanhSurrogateBackward>{{}, {p.p1}});
  if (k == "rect") return f(Spike<HeavisideForward, RectSurrogateBackward>{{}, {p.p1}});
  return f(Spike<HeavisideForward, NoDerivative>{{}, {}});  // 'heaviside', checked before
}

const char* kFn = "neuron_multi_step";

void check_params(const NeuronParams& p) {
  if (p.neuron != "lif" && p.neuron != "if") fail(kFn, "neuron must be 'lif' or 'if', got '" + p.neuron + "'");
  if (p.neuron == "lif" && !(std::isfinite(p.tau) && p.tau > 1)) fail(kFn, "tau must be a finite number > 1, got " + format_number(p.tau));
  const std::string& k = p.spike;
  if (k == "htaf") {
    check_param(kFn, "alpha", p.p1);
    check_param(kFn, "beta", p.p2);
  } else if (k == "ss") {
    check_param(kFn, "gamma", p.p1);
  } else if (k == "sigmoid" || k == "tanh") {
    check_param(kFn, "k", p.p1);
  } else if (k == "rect") {
    check_param(kFn, "a", p.p1);
  } else if (k != "heaviside") {
    fail(kFn, "spike must be htaf, ss, sigmoid, tanh, rect or heaviside, got '" + k + "'");
  }
  if (!std::isfinite(p.vThreshold)) fail(kFn, "vThreshold must be finite, got " + format_number(p.vThreshold));
  if (!p.softReset && !(std::isfinite(p.vReset) && p.vReset < p.vThreshold)) {
    fail(kFn, "vReset must be finite and below vThreshold (" + format_number(p.vThreshold) + "), got " + format_number(p.vReset));
  }
}

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct NeuronFunction : public torch::autograd::Function<NeuronFunction> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const NeuronParams& p) {
    ctx->saved_data["neuron"] = p.neuron;
    ctx->saved_data["tau"] = p.tau;
    ctx->saved_data["spike"] = p.spike;
    ctx->saved_data["p1"] = p.p1;
    ctx->saved_data["p2"] = p.p2;
    ctx->saved_data["vThreshold"] = p.vThreshold;
    ctx->saved_data["vReset"] = p.vReset;
    ctx->saved_data["softReset"] = p.softReset;
    ctx->saved_data["detachReset"] = p.detachReset;
    ctx->save_for_backward({x});
    return with_spike(p, x.scalar_type() == at::kFloat, [&](const auto& spike) { return forward_tensor(p, spike, x); });
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor x = ctx->get_saved_variables()[0];
    const at::Tensor& g = grads[0];
    if (at::GradMode::is_enabled() && (g.requires_grad() || x.requires_grad())) {
      fail(kFn, "the fused neuron has no double backward (create_graph); build the neuron with fused: false");
    }
    NeuronParams p{ctx->saved_data["neuron"].toStringRef(), ctx->saved_data["tau"].toDouble(), ctx->saved_data["spike"].toStringRef(),
                   ctx->saved_data["p1"].toDouble(), ctx->saved_data["p2"].toDouble(), ctx->saved_data["vThreshold"].toDouble(),
                   ctx->saved_data["vReset"].toDouble(), ctx->saved_data["softReset"].toBool(), ctx->saved_data["detachReset"].toBool()};
    at::Tensor gx = with_spike(p, x.scalar_type() == at::kFloat, [&](const auto& spike) { return backward_tensor(p, spike, g, x); });
    return {gx, at::Tensor()};
  }
};

}  // namespace

at::Tensor neuron_multi_step(const at::Tensor& x, const NeuronParams& p) {
  check_tensor(kFn, "x", x);
  if (x.dim() < 2 || x.size(0) == 0) fail(kFn, "x must be [T, B, ...] with T >= 1 (time first, at least 2 dims), got " + format_shape(x));
  check_params(p);
  const at::Tensor xc = x.contiguous();
  if (p.spike == "heaviside") {
    at::NoGradGuard noGrad;  // the exact spike: no gradient flows
    return with_spike(p, x.scalar_type() == at::kFloat, [&](const auto& spike) { return forward_tensor(p, spike, xc); });
  }
  return NeuronFunction::apply(xc, p);
}

}  // namespace htaf
