// The glue every bound op goes through: argument conversion with checks, result conversion, and the
// rule that no C++ exception crosses the boundary (docs/design.md rule 2). Any failure becomes a JS Error that
// names the op, describes every argument (tensors as dtype[shape]) and carries libtorch's whole message.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>
#include <c10/util/Optional.h>
#include <string>
#include <tuple>
#include <vector>

#include "dtype_names.h"

namespace htaf {

// Thrown by argument conversion; reported like a libtorch error.
struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class OpCall {
 public:
  OpCall(const Napi::CallbackInfo& info, const char* op, const char* const* names, size_t arity)
      : info_(info), env_(info.Env()), op_(op), names_(names), arity_(arity) {}

  Napi::Env env() const { return env_; }

  // Argument conversions; each throws ArgError naming the argument when the JS value does not fit.
  at::Tensor tensor(size_t i) const;
  c10::optional<at::Tensor> optTensor(size_t i) const;
  std::vector<at::Tensor> tensorList(size_t i) const;
  at::Tensor tensorOrScalar(size_t i) const;  // a JS number becomes a wrapped scalar, promoted like Python's
  at::Scalar scalar(size_t i) const;
  c10::optional<at::Scalar> optScalar(size_t i) const;
  int64_t integer(size_t i) const;
  c10::optional<int64_t> optInteger(size_t i) const;
  std::vector<int64_t> intList(size_t i) const;  // a single integer counts as a one-element list
  c10::optional<std::vector<int64_t>> optIntList(size_t i) const;
  double number(size_t i) const;
  c10::optional<double> optNumber(size_t i) const;
  bool boolean(size_t i) const;
  std::string string(size_t i) const;
  at::ScalarType dtype(size_t i) const;
  c10::optional<at::ScalarType> optDtype(size_t i) const;
  at::Device device(size_t i) const;
  int64_t reduction(size_t i) const;  // 'none' | 'mean' | 'sum'

  // Result conversions.
  Napi::Value result(const at::Tensor& t) const;  // undefined tensor -> null
  Napi::Value result(const std::vector<at::Tensor>& ts) const;
  Napi::Value result(const std::tuple<at::Tensor, at::Tensor>& ts) const;
  Napi::Value result(const std::tuple<at::Tensor, at::Tensor, at::Tensor>& ts) const;
  Napi::Value result(double v) const;
  Napi::Value result(int64_t v) const;
  Napi::Value result(bool v) const;
  Napi::Value result(const std::string& v) const;
  Napi::Value result(const std::vector<int64_t>& v) const;
  Napi::Value result(const at::Scalar& v) const;
  Napi::Value none() const { return env_.Undefined(); }

  // Call from a catch(...) block: turns the exception in flight into a thrown JS Error.
  Napi::Value fail() const;

 private:
  Napi::Value arg(size_t i) const { return i < info_.Length() ? info_[i] : env_.Undefined(); }
  [[noreturn]] void bad(size_t i, const char* expected) const;
  std::string describeArgs() const;

  const Napi::CallbackInfo& info_;
  Napi::Env env_;
  const char* op_;
  const char* const* names_;
  size_t arity_;
};

// "float32[2, 3]" (and the device when it is not the CPU).
std::string describeTensor(const at::Tensor& t);

}  // namespace htaf
