// Fused CPU kernels for HTAF, scaled sigmoid and Heaviside/STE (docs/method.md §1).
//
// Why this file exists: the composed ATen graph sigmoid(beta * tanh(alpha * x))
// makes ~10 passes over memory in forward + backward and allocates as many
// temporaries. Here each direction is one pass: read x (and grad), write one output.
//
// Numerics. HTAF is computed in float64, also for float32 tensors: in the lower
// tail HTAF(x) = sigmoid(-u) ~ exp(-u) with u up to ~90 before the result
// underflows, so a relative error d in u becomes a relative error u*d in the
// result; plain float32 arithmetic (d ~ 6e-8) would give ~5e-6, and a float32
// variant with u in two floats was no faster (docs/method.md §1). SS and the STE's
// sigmoid and tanh surrogates are well conditioned, and run in float32 arithmetic
// for float32 data (fused_simd.h, "Float32 arithmetic"). The formulas avoid every
// cancellation:
//   - tanh(a), a = alpha*|x| >= 0:  tanh(a) = -expm1(-2a) / (1 + w), w = exp(-2a).
//     expm1 is exact near a = 0, where 1 - w would cancel; w itself is computed
//     directly (not as 1 + expm1) so it keeps full relative precision when tiny.
//   - sech^2(a) = 1 - tanh^2(a) = 4w / (1 + w)^2: no 1 - t*t cancellation.
//   - sigmoid(+-v), v = |u|, from e = exp(-v) <= 1: sigmoid(v) = 1 / (1 + e),
//     sigmoid(-v) = e / (1 + e), sigmoid(u) sigmoid(-u) = e / (1 + e)^2:
//     no y * (1 - y) cancellation and exp never overflows.
// The sign of x is applied last (HTAF and sigmoid are odd around 1/2, their
// derivatives even), so every exp argument is <= 0.
//
// Speed. The math is written once with GCC/Clang vector extensions and compiled
// three times: for AVX-512 (8 doubles or 16 floats per vector), AVX2 + FMA (4 or 8)
// and the baseline ISA (2 or 4; SSE2 on x86-64, NEON elsewhere). The wider versions are built
// with function-level target attributes and chosen at run time from CPUID, so the
// file needs no -mavx2 / -mfma / -fopenmp. exp and expm1 are our own: Cody-Waite
// range reduction to |r| <= ln2/2, a near-minimax polynomial with short dependency
// chains, and 2^k built in the exponent field (ATen's vectorized exp needs Sleef,
// absent from this libtorch build); float32 data get lower-degree polynomials than
// float64 data. The kernels are bound by vector-instruction throughput, so the
// formulas are arranged to use few operations. Parallelism comes from
// TensorIterator::for_each, whose parallel_for is compiled inside libtorch with
// OpenMP (an inline at::parallel_for here would run serially without -fopenmp);
// TensorIterator also handles every memory layout. HTAF_SIMD=avx2|baseline in the
// environment caps the ISA (for tests and timing).
//
// Measured (2 threads, float32 128x64x28x28, AVX-512 machine): HTAF forward +
// backward 6.3 ms against 15.2 ms for the composed ATen graph through autograd
// (ReLU: 2.7 ms); see native/bench.
#include "fused_simd.h"

namespace htaf {
namespace {

// y = op(x). The output has x's layout when x is dense (contiguous, channels_last,
// ...), else it is contiguous.
template <class Op>
at::Tensor map_unary(const char* fn, const at::Tensor& x, const Op& op, int64_t grain_size) {
  check_tensor(fn, "x", x);
  const at::Tensor y = at::empty_like(x);
  at::TensorIterator iter = at::TensorIteratorConfig().add_output(y).add_input(x).build();
  dispatch_floating(x.scalar_type(), [&](auto tag) {
    using T = decltype(tag);
    // TensorIterator hands us runs of n elements (`outer` of them); strides[0..1]
    // step within a run (y, x), strides[2..3] from run to run.
    iter.for_each(
        [&](char** data, const int64_t* strides, int64_t n, int64_t outer) {
          for (int64_t j = 0; j < outer; ++j) {
            char* yp = data[0] + j * strides[2];
            char* xp = data[1] + j * strides[3];
            if (strides[0] == sizeof(T) && strides[1] == sizeof(T)) {
              unary_block(op, reinterpret_cast<const T*>(xp), reinterpret_cast<T*>(yp), n);
              continue;
            }
            for (int64_t i0 = 0; i0 < n; i0 += kTile) {
              const int64_t m = std::min(kTile, n - i0);
              T xb[kTile], yb[kTile];
              for (int64_t i = 0; i < m; ++i) xb[i] = elem<T>(xp, strides[1], i0 + i);
              unary_block(op, xb, yb, m);
              for (int64_t i = 0; i < m; ++i) elem<T>(yp, strides[0], i0 + i) = yb[i];
            }
          }
        },
        grain(grain_size));
  });
  return y;
}

// y = op(grad, x), y laid out like x. A grad of the other floating dtype is converted.
template <class Op>
at::Tensor map_binary(const char* fn, const at::Tensor& grad, const at::Tensor& x, const Op& op) {
  check_grad_and_x(fn, grad, x);
  const at::Tensor g = grad.scalar_type() == x.scalar_type() ? grad : grad.to(x.scalar_type());
  const at::Tensor y = at::empty_like(x);
  at::TensorIterator iter = at::TensorIteratorConfig().add_output(y).add_input(g).add_input(x).build();
  dispatch_floating(x.scalar_type(), [&](auto tag) {
    using T = decltype(tag);
    // As in map_unary, with operands (y, g, x): strides[0..2] inner, [3..5] outer.
    iter.for_each(
        [&](char** data, const int64_t* strides, int64_t n, int64_t outer) {
          for (int64_t j = 0; j < outer; ++j) {
            char* yp = data[0] + j * strides[3];
            char* gp = data[1] + j * strides[4];
            char* xp = data[2] + j * strides[5];
            if (strides[0] == sizeof(T) && strides[1] == sizeof(T) && strides[2] == sizeof(T)) {
              binary_block(op, reinterpret_cast<const T*>(gp), reinterpret_cast<const T*>(xp),
                           reinterpret_cast<T*>(yp), n);
              continue;
            }
            for (int64_t i0 = 0; i0 < n; i0 += kTile) {
              const int64_t m = std::min(kTile, n - i0);
              T gb[kTile], xb[kTile], yb[kTile];
              for (int64_t i = 0; i < m; ++i) {
                gb[i] = elem<T>(gp, strides[1], i0 + i);
                xb[i] = elem<T>(xp, strides[2], i0 + i);
              }
              binary_block(op, gb, xb, yb, m);
              for (int64_t i = 0; i < m; ++i) elem<T>(yp, strides[0], i0 + i) = yb[i];
            }
          }
        },
        grain(kGrainCompute));
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
  if (beta > kCheapTanhMaxBeta) return map_unary("htaf_forward", x, HtafForward<true>{alpha, beta}, kGrainCompute);
  return map_unary("htaf_forward", x, HtafForward<false>{alpha, beta}, kGrainCompute);
}

at::Tensor htaf_backward(const at::Tensor& grad, const at::Tensor& x, double alpha, double beta) {
  check_param("htaf_backward", "alpha", alpha);
  check_param("htaf_backward", "beta", beta);
  if (beta > kCheapTanhMaxBeta) return map_binary("htaf_backward", grad, x, HtafBackward<true>{alpha, beta});
  return map_binary("htaf_backward", grad, x, HtafBackward<false>{alpha, beta});
}

at::Tensor ss_forward(const at::Tensor& x, double gamma) {
  check_param("ss_forward", "gamma", gamma);
  return map_unary("ss_forward", x, SigmoidForward{gamma}, kGrainCompute);
}

at::Tensor ss_backward(const at::Tensor& grad, const at::Tensor& x, double gamma) {
  check_param("ss_backward", "gamma", gamma);
  return map_binary("ss_backward", grad, x, SigmoidBackward{gamma});
}

at::Tensor heaviside_forward(const at::Tensor& x) {
  return map_unary("heaviside_forward", x, HeavisideForward{}, kGrainMemory);
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
