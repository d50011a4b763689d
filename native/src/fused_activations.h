// Fused CPU kernels for the activation functions of docs/method.md §1 (HTAF, scaled
// sigmoid, Heaviside with straight-through surrogate gradients).
//
// Raw kernels take float32 or float64 CPU tensors of any shape and strides and
// return a new tensor of the same dtype and shape (and layout, when x is dense,
// e.g. channels_last), from cancellation-free formulas. Stated bound for float32:
// relative error <= 1e-6 wherever the true value is a normal float32, for |x| up to
// 1e4 and parameters up to 1e4, forward and derivative; a result underflows only
// where the true value is below float32's range. Measured max relative error
// against a long-double reference (native/bench): HTAF, computed in float64, < 1e-7
// (the output rounding alone is 6e-8); SS and the sigmoid and tanh surrogates,
// computed in float32 (fused_simd.h says why they may be), < 4e-7; float64 data,
// < 4e-14. Never NaN or Inf from finite inputs (unless grad * derivative itself
// overflows).
// No -mavx2 / -fopenmp needed to build: the
// SIMD code (AVX-512, AVX2, baseline) is picked at run time, threads come from
// libtorch (at::set_num_threads).
//
// Invalid arguments (parameter not finite or <= 0, non-floating dtype, shape
// mismatch, non-CPU tensor) throw std::invalid_argument with a message that
// names the function, the parameter and the offending value.
#pragma once

#include <ATen/ATen.h>

namespace htaf {

enum class Surrogate { Sigmoid, Tanh, Rect };

// ---- raw kernels (no autograd) ----

// sigmoid(beta * tanh(alpha * x)); NaN stays NaN.
at::Tensor htaf_forward(const at::Tensor& x, double alpha, double beta);
// grad * d/dx sigmoid(beta * tanh(alpha * x))
at::Tensor htaf_backward(const at::Tensor& grad, const at::Tensor& x, double alpha, double beta);

// sigmoid(gamma * x); NaN stays NaN.
at::Tensor ss_forward(const at::Tensor& x, double gamma);
// grad * gamma * sigmoid(gamma x) * sigmoid(-gamma x)
at::Tensor ss_backward(const at::Tensor& grad, const at::Tensor& x, double gamma);

// 1 if x >= 0 (also for -0.0) else 0; NaN stays NaN.
at::Tensor heaviside_forward(const at::Tensor& x);

// grad * surrogate'(x):
//   Sigmoid, param k: k * sigmoid(kx) * sigmoid(-kx)
//   Tanh,    param k: (k/2) * (1 - tanh^2(kx))
//   Rect,    param a: (1/a) * 1[|x| < a/2]   (0 for NaN x)
at::Tensor surrogate_backward(const at::Tensor& grad, const at::Tensor& x, Surrogate kind, double param);

// ---- autograd-aware versions (save x only; backward recomputes from x) ----
// When the backward runs with grad mode on (create_graph=true), it is computed
// with differentiable ATen ops instead, so double backward is supported too.

at::Tensor htaf(const at::Tensor& x, double alpha, double beta);
at::Tensor scaled_sigmoid(const at::Tensor& x, double gamma);
// Forward: Heaviside; backward: the chosen surrogate derivative.
at::Tensor heaviside_ste(const at::Tensor& x, Surrogate kind, double param);

}  // namespace htaf
