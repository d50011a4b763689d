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
// Rounding: the charge, the threshold and the reset are rounded to the data's dtype after each
// operation, in the composed neuron's order ((x − (v − v_rest))/τ, then + v), and the spike rounded
// before the reset uses it, so the fused forward gives the composed neuron's spikes bit for bit: a spike
// is a threshold decision, and one flipped by a rounding difference would change the whole train after
// it. The backward is in float64 from those values.
//
// Threads: TensorIterator::for_each over the N elements of x[0] (its parallel_for runs inside libtorch,
// with OpenMP), each chunk addressing its other time steps at a stride of N elements.
#include "fused_neurons.h"

#include "fused_simd.h"

#include <vector>

namespace htaf {
namespace {

typedef float v4f __attribute__((vector_size(16)));
typedef float v8f __attribute__((vector_size(32)));

template <class V>
struct FloatVecOf;
template <>
struct FloatVecOf<v2d> { using type = v2f; };
template <>
struct FloatVecOf<v4d> { using type = v4f; };
template <>
struct FloatVecOf<v8d> { using type = v8f; };

// The value the data's dtype T holds for v (round to nearest); a no-op for float64 data.
template <typename T, class V>
HTAF_INLINE V round_to(const V& v) {
  if constexpr (std::is_same_v<T, double>) {
    return v;
  } else {
    return __builtin_convertvector(__builtin_convertvector(v, typename FloatVecOf<V>::type), V);
  }
}

// The neuron's dynamics as numbers (fused_neurons.h).
struct Dynamics {
  bool lif;
  double tau, rest, vth, vReset;
  bool soft, detach;
  // dh/dx and dh/dv[t-1].
  double dhdx, dhdv;
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

template <typename T, class V>
HTAF_INLINE V charge(const Dynamics& d, const V& v, const V& x) {
  if (d.lif) return round_to<T>(v + round_to<T>(round_to<T>(x - round_to<T>(v - d.rest)) / d.tau));
  return round_to<T>(v + x);
}

template <typename T, class V>
HTAF_INLINE V reset(const Dynamics& d, const V& h, const V& s) {
  if (d.soft) return round_to<T>(h - round_to<T>(s * d.vth));
  return round_to<T>(round_to<T>(h * round_to<T>(1.0 - s)) + round_to<T>(s * d.vReset));
}

// Forward of L elements (one vector) over T steps; x and s step over time by `ts` elements.
template <class Io, typename T, class S>
HTAF_INLINE void forward_vector(const Dynamics& d, const S& spike, int64_t steps, const T* x, T* s, int64_t ts) {
  using P = PolicyFor<T>;
  using V = typename Io::V;
  V v = splat<V>(d.soft ? 0.0 : d.vReset);
  for (int64_t t = 0; t < steps; ++t) {
    const V h = charge<T>(d, v, Io::load(x + t * ts));
    const V out = round_to<T>(spike.fwd.template apply<P>(round_to<T>(h - d.vth)));
    Io::store(s + t * ts, out);
    v = reset<T>(d, h, out);
  }
}

// Backward of L elements over T steps: gx = dL/dx from g = dL/ds; `buf` holds 2·T vectors.
template <class Io, typename T, class S>
HTAF_INLINE void backward_vector(const Dynamics& d, const S& spike, int64_t steps, const T* g, const T* x, T* gx, int64_t ts,
                                 typename Io::V* buf) {
  using P = PolicyFor<T>;
  using V = typename Io::V;
  V* hs = buf;
  V* ss = buf + steps;
  V v = splat<V>(d.soft ? 0.0 : d.vReset);
  for (int64_t t = 0; t < steps; ++t) {
    const V h = charge<T>(d, v, Io::load(x + t * ts));
    const V out = round_to<T>(spike.fwd.template apply<P>(round_to<T>(h - d.vth)));
    hs[t] = h;
    ss[t] = out;
    v = reset<T>(d, h, out);
  }
  V gv{};  // dL/dv[t] from the steps after t
  for (int64_t t = steps - 1; t >= 0; --t) {
    const V h = hs[t];
    const V s = ss[t];
    V gs = Io::load(g + t * ts);
    // v[t] = h(1 − s) + v_reset·s (hard) or h − v_th·s (soft): ∂v/∂s = v_reset − h or −v_th.
    if (!d.detach) gs = gs + gv * (d.soft ? splat<V>(-d.vth) : d.vReset - h);
    const V gh = (d.soft ? gv : gv * (1.0 - s)) + spike.bwd.template apply<P>(gs, round_to<T>(h - d.vth));
    Io::store(gx + t * ts, gh * d.dhdx);
    gv = gh * d.dhdv;
  }
}

// Runs `f(x, s, ..., ts)` on every vector of a chunk of n elements; the last partial vector goes
// through zero-padded buffers of T vectors (time stride L), so every element sees the same arithmetic.
template <class Io, typename T, class F>
HTAF_INLINE void over_chunk(int64_t steps, int64_t n, int64_t stride, const F& f, const T* a, const T* b, T* out) {
  constexpr int L = kLanes<typename Io::V>;
  int64_t i = 0;
  for (; i + L <= n; i += L) f(a ? a + i : nullptr, b + i, out + i, stride);
  if (i == n) return;
  const int64_t m = n - i;
  std::vector<T> pa(a ? steps * L : 0), pb(steps * L), po(steps * L);
  for (int64_t t = 0; t < steps; ++t) {
    for (int64_t j = 0; j < m; ++j) {
      if (a) pa[t * L + j] = a[t * stride + i + j];
      pb[t * L + j] = b[t * stride + i + j];
    }
  }
  f(a ? pa.data() : nullptr, pb.data(), po.data(), L);
  for (int64_t t = 0; t < steps; ++t) {
    for (int64_t j = 0; j < m; ++j) out[t * stride + i + j] = po[t * L + j];
  }
}

template <class Io, typename T, class S>
HTAF_INLINE void forward_chunk(const Dynamics& d, const S& spike, int64_t steps, int64_t stride, const T* x, T* s, int64_t n) {
  over_chunk<Io, T>(steps, n, stride, [&](const T*, const T* xp, T* sp, int64_t ts) { forward_vector<Io>(d, spike, steps, xp, sp, ts); },
                    static_cast<const T*>(nullptr), x, s);
}

template <class Io, typename T, class S>
HTAF_INLINE void backward_chunk(const Dynamics& d, const S& spike, int64_t steps, int64_t stride, const T* g, const T* x, T* gx, int64_t n) {
  // 2·T vectors for the recomputed forward. Not a std::vector<V>: GCC drops a vector type's alignment
  // in template arguments, so its storage could be misaligned for the aligned moves; a double buffer with
  // one spare vector is aligned by hand instead.
  using V = typename Io::V;
  std::vector<double> storage((2 * steps + 1) * kLanes<V>);
  auto addr = reinterpret_cast<std::uintptr_t>(storage.data());
  addr = (addr + sizeof(V) - 1) / sizeof(V) * sizeof(V);
  V* buf = reinterpret_cast<V*>(addr);
  over_chunk<Io, T>(steps, n, stride, [&](const T* gp, const T* xp, T* op, int64_t ts) { backward_vector<Io>(d, spike, steps, gp, xp, op, ts, buf); },
                    g, x, gx);
}

// Per-ISA entry points (see fused_simd.h).
template <typename T, class S>
HTAF_ENTRY void forward_baseline(const Dynamics& d, const S& sp, int64_t steps, int64_t stride, const T* x, T* s, int64_t n) {
  forward_chunk<IoBaseline>(d, sp, steps, stride, x, s, n);
}
template <typename T, class S>
HTAF_ENTRY void backward_baseline(const Dynamics& d, const S& sp, int64_t steps, int64_t stride, const T* g, const T* x, T* gx, int64_t n) {
  backward_chunk<IoBaseline>(d, sp, steps, stride, g, x, gx, n);
}
#if HTAF_X86
template <typename T, class S>
HTAF_ENTRY HTAF_TARGET_AVX2 void forward_avx2(const Dynamics& d, const S& sp, int64_t steps, int64_t stride, const T* x, T* s, int64_t n) {
  forward_chunk<IoAvx2>(d, sp, steps, stride, x, s, n);
}
template <typename T, class S>
HTAF_ENTRY HTAF_TARGET_AVX2 void backward_avx2(const Dynamics& d, const S& sp, int64_t steps, int64_t stride, const T* g, const T* x, T* gx, int64_t n) {
  backward_chunk<IoAvx2>(d, sp, steps, stride, g, x, gx, n);
}
template <typename T, class S>
HTAF_ENTRY HTAF_TARGET_AVX512 void forward_avx512(const Dynamics& d, const S& sp, int64_t steps, int64_t stride, const T* x, T* s, int64_t n) {
  forward_chunk<IoAvx512>(d, sp, steps, stride, x, s, n);
}
template <typename T, class S>
HTAF_ENTRY HTAF_TARGET_AVX512 void backward_avx512(const Dynamics& d, const S& sp, int64_t steps, int64_t stride, const T* g, const T* x, T* gx, int64_t n) {
  backward_chunk<IoAvx512>(d, sp, steps, stride, g, x, gx, n);
}
#endif

// Elements per parallel task: each costs T steps of the spike function.
int64_t grain_for(int64_t steps) { return std::max<int64_t>(256, kGrainCompute / std::max<int64_t>(1, steps)); }

template <class S>
at::Tensor forward_tensor(const Dynamics& d, const S& spike, const at::Tensor& x) {
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
at::Tensor backward_tensor(const Dynamics& d, const S& spike, const at::Tensor& grad, const at::Tensor& x) {
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

// The constants as the data's dtype holds them: a float32 tensor op with a number computes with the
// number rounded to float32 (v_reset = -0.2 is -0.2000000030 there), and so does the composed neuron.
Dynamics dynamics_of(const NeuronParams& p, bool float32) {
  const auto as_data = [&](double v) { return float32 ? static_cast<double>(static_cast<float>(v)) : v; };
  const bool lif = p.neuron == "lif";
  const double tau = as_data(p.tau);
  const double vReset = as_data(p.vReset);
  return {lif, tau, p.softReset ? 0.0 : vReset, as_data(p.vThreshold), vReset, p.softReset, p.detachReset, lif ? 1.0 / tau : 1.0, lif ? 1.0 - 1.0 / tau : 1.0};
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
    return with_spike(p, x.scalar_type() == at::kFloat, [&](const auto& spike) { return forward_tensor(dynamics_of(p, x.scalar_type() == at::kFloat), spike, x); });
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
    at::Tensor gx = with_spike(p, x.scalar_type() == at::kFloat, [&](const auto& spike) { return backward_tensor(dynamics_of(p, x.scalar_type() == at::kFloat), spike, g, x); });
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
    return with_spike(p, x.scalar_type() == at::kFloat, [&](const auto& spike) { return forward_tensor(dynamics_of(p, x.scalar_type() == at::kFloat), spike, xc); });
  }
  return NeuronFunction::apply(xc, p);
}

}  // namespace htaf
