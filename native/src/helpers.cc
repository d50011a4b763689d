#include "helpers.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <dlfcn.h>
#include <thread>
#include <torch/version.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/variable.h>

#include "op_call.h"

namespace htaf {

namespace {
// Intra-op threads beyond a few per core only oversubscribe: OpenMP starts every thread asked for, and on
// 2 cores 1024 threads made one 256x256 matmul take 55 s (100000 hung the process). So the cap is 4 per
// hardware thread, and never below 16.
int64_t maxThreads() {
  return std::max<int64_t>(16, 4 * static_cast<int64_t>(std::thread::hardware_concurrency()));
}
}  // namespace

at::TensorOptions options(at::ScalarType dtype, at::Device device, bool requiresGrad) {
  return at::TensorOptions().dtype(dtype).device(device).requires_grad(requiresGrad);
}

void manualSeed(int64_t seed) {
  at::manual_seed(static_cast<uint64_t>(seed));
}

// OpenBLAS keeps a thread pool of its own (Debian's libblas.so.3 is OpenBLAS's pthread build), which
// at::set_num_threads does not reach: a "1 thread" run would still do its GEMMs on every core, and two
// worker processes would fight over them. The library is already loaded as libtorch's dependency (in the
// addon's local scope, so RTLD_DEFAULT cannot see it): RTLD_NOLOAD finds it without loading anything.
namespace {
void* openblasSymbol(const char* name) {
  for (const char* lib : {"libblas.so.3", "libopenblas.so.0", "libopenblas.so"}) {
    if (void* handle = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD)) {
      void* f = dlsym(handle, name);
      dlclose(handle);
      if (f) return f;
    }
  }
  return nullptr;
}
}  // namespace

void setNumThreads(int64_t n) {
  TORCH_CHECK(n >= 1, "the number of threads must be >= 1, got ", n);
  TORCH_CHECK(n <= maxThreads(), "the number of threads must be <= ", maxThreads(), " (4 per hardware thread) on this machine, got ", n);
  at::set_num_threads(static_cast<int>(n));
  static auto setBlas = reinterpret_cast<void (*)(int)>(openblasSymbol("openblas_set_num_threads"));
  if (setBlas) setBlas(static_cast<int>(n));
}

int64_t numThreads() { return at::get_num_threads(); }

int64_t blasThreads() {
  static auto getBlas = reinterpret_cast<int (*)()>(openblasSymbol("openblas_get_num_threads"));
  return getBlas ? getBlas() : -1;
}

void setGradEnabled(bool enabled) { at::GradMode::set_enabled(enabled); }
bool isGradEnabled() { return at::GradMode::is_enabled(); }
bool cudaAvailable() { return at::hasCUDA(); }
std::string libtorchVersion() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." + std::to_string(TORCH_VERSION_PATCH);
}

std::string dtypeOf(const at::Tensor& t) { return dtypeName(t.scalar_type()); }
std::string deviceOf(const at::Tensor& t) { return t.device().str(); }

void backward(const at::Tensor& t, const c10::optional<at::Tensor>& gradient, bool retainGraph, bool createGraph) {
  TORCH_CHECK(t.requires_grad(), "the tensor does not require grad and has no grad_fn: nothing to differentiate "
              "(did the forward run under noGrad, or do no parameters require grad?)");
  if (!gradient) {
    TORCH_CHECK(t.numel() == 1, "a gradient is only implied for a tensor with one element; pass one for shape ",
                t.sizes());
  }
  torch::autograd::backward({t}, {gradient ? *gradient : at::Tensor()}, retainGraph, createGraph);
}

at::Tensor gradOf(const at::Tensor& t) { return t.grad(); }

void setGrad(const at::Tensor& t, const c10::optional<at::Tensor>& g) {
  if (!g) {
    t.mutable_grad().reset();
    return;
  }
  TORCH_CHECK(g->sizes() == t.sizes(), "the gradient's shape ", g->sizes(), " must equal the tensor's ", t.sizes());
  TORCH_CHECK(g->scalar_type() == t.scalar_type(), "the gradient's dtype ", dtypeName(g->scalar_type()),
              " must equal the tensor's ", dtypeName(t.scalar_type()));
  t.mutable_grad() = *g;
}

std::string gradFnName(const at::Tensor& t) {
  auto fn = t.grad_fn();
  return fn ? fn->name() : "";
}

Surrogate parseSurrogate(const std::string& name) {
  if (name == "sigmoid") return Surrogate::Sigmoid;
  if (name == "tanh") return Surrogate::Tanh;
  if (name == "rect") return Surrogate::Rect;
  TORCH_CHECK(false, "unknown surrogate '", name, "': expected 'sigmoid', 'tanh' or 'rect'");
}

const at::Tensor& boolMask(const at::Tensor& mask) {
  TORCH_CHECK(mask.scalar_type() == at::kBool, "the mask must be a bool tensor (from a comparison such as x.gt(0)), got ",
              describeTensor(mask));
  return mask;
}

int64_t paddingIndex(const at::Tensor& weight, int64_t paddingIdx) {
  if (paddingIdx == -1) return paddingIdx;
  TORCH_CHECK(weight.dim() >= 1, "'weight' must be 2-D");
  TORCH_CHECK(paddingIdx >= 0 && paddingIdx < weight.size(0), "paddingIdx must be -1 (no padding row) or in [0, ",
              weight.size(0), ") for ", weight.size(0), " embeddings, got ", paddingIdx);
  return paddingIdx;
}

double unitInterval(const char* name, double v) {
  TORCH_CHECK(v >= 0.0 && v <= 1.0, name, " must be in [0, 1], got ", v);
  return v;
}

at::Tensor pow(const at::Tensor& self, const at::Tensor& exponent) {
  if (exponent.unsafeGetTensorImpl()->is_wrapped_number()) return at::pow(self, exponent.item());
  return at::pow(self, exponent);
}

at::Tensor toDtype(const at::Tensor& t, at::ScalarType dtype, bool copy) { return t.to(dtype, false, copy); }

at::Tensor toDevice(const at::Tensor& t, at::Device device, bool copy) { return t.to(device, false, copy); }

}  // namespace htaf
