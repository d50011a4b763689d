// Small C++ helpers that rows of native/ops.def call when one ATen call does not say it all.
#pragma once
#include <ATen/ATen.h>
#include <c10/util/Optional.h>
#include <string>
#include <vector>

#include "fused_activations.h"

namespace htaf {

inline at::OptionalIntArrayRef optRef(const c10::optional<std::vector<int64_t>>& v) {
  return v ? at::OptionalIntArrayRef(*v) : at::OptionalIntArrayRef(c10::nullopt);
}

at::TensorOptions options(at::ScalarType dtype, at::Device device, bool requiresGrad);

// Runtime
void manualSeed(int64_t seed);
void setNumThreads(int64_t n);
int64_t numThreads();
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

// Conversions
at::Tensor toDtype(const at::Tensor& t, at::ScalarType dtype, bool copy);
at::Tensor toDevice(const at::Tensor& t, at::Device device, bool copy);

}  // namespace htaf
