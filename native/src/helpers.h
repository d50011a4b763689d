// Small C++ helpers that rows of native/ops.def call when one ATen call does not say it all.
#pragma once
#include <ATen/ATen.h>
// torch:: factories (unlike at:: ones) honour TensorOptions::requires_grad; the creation rows use them.
#include <torch/csrc/autograd/generated/variable_factories.h>
#include <c10/util/Optional.h>
#include <string>
#include <vector>

#include "fused_activations.h"

namespace htaf {

inline at::OptionalIntArrayRef optRef(const c10::optional<std::vector<int64_t>>& v) {
  return v ? at::OptionalIntArrayRef(*v) : at::OptionalIntArrayRef(c10::nullopt);
}

// A size given as one number means the same along both spatial dimensions, as in PyTorch's layers.
inline std::vector<int64_t> pair(const std::vector<int64_t>& v) {
  return v.size() == 1 ? std::vector<int64_t>{v[0], v[0]} : v;
}

at::TensorOptions options(at::ScalarType dtype, at::Device device, bool requiresGrad);

// Runtime
void manualSeed(int64_t seed);
void setNumThreads(int64_t n);
int64_t numThreads();
/** OpenBLAS's thread count, or -1 when the BLAS in use is not OpenBLAS. */
int64_t blasThreads();
void setGradEnabled(bool enabled);
bool isGradEnabled();
bool cudaAvailable();
std::string libtorchVersion();

// Tensor facts
std::string dtypeOf(const at::Tensor& t);
std::string deviceOf(const at::Tensor& t);

// Autograd
void backward(const at::Tensor& t, const c10::optional<at::Tensor>& gradient, bool retainGraph, bool createGraph);
at::Tensor gradOf(const at::Tensor& t);  // undefined when no gradient has been accumulated
void setGrad(const at::Tensor& t, const c10::optional<at::Tensor>& g);
std::string gradFnName(const at::Tensor& t);

// Fused activations: 'sigmoid' | 'tanh' | 'rect'
Surrogate parseSurrogate(const std::string& name);

// Argument checks the rows call where libtorch accepts a wrong value silently.
// The mask of maskedFill(_): libtorch 1.13 ignores a float mask (nothing is filled) and reads an int64
// mask as all-true when the fill value is a tensor, so anything but a bool mask is rejected.
const at::Tensor& boolMask(const at::Tensor& mask);
// embedding's paddingIdx: -1 (none) or a row of weight. at::embedding accepts any value (PyTorch checks it
// in Python).
int64_t paddingIndex(const at::Tensor& weight, int64_t paddingIdx);
// A number in [0, 1] (NaN is rejected; libtorch's own checks let NaN through).
double unitInterval(const char* name, double v);

// pow with a JS number exponent goes to the Scalar overload, as Python's `x ** 2` does: it is the one that
// rejects integer tensors to negative integer powers (the Tensor overload silently gives 0).
at::Tensor pow(const at::Tensor& self, const at::Tensor& exponent);

// Conversions
at::Tensor toDtype(const at::Tensor& t, at::ScalarType dtype, bool copy);
at::Tensor toDevice(const at::Tensor& t, at::Device device, bool copy);

}  // namespace htaf
