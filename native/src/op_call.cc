#include "op_call.h"

#include <c10/util/Exception.h>
#include <cmath>
#include <sstream>

#include "tensor_box.h"

namespace htaf {

std::string describeTensor(const at::Tensor& t) {
  if (!t.defined()) return "<undefined tensor>";
  std::ostringstream s;
  s << dtypeName(t.scalar_type()) << "[";
  for (int64_t d = 0; d < t.dim(); ++d) s << (d ? ", " : "") << t.size(d);
  s << "]";
  if (!t.device().is_cpu()) s << "@" << t.device().str();
  return s.str();
}

namespace {

std::string describeValue(Napi::Env env, const Napi::Value& v, int depth = 0) {
  if (TensorBox* box = boxOf(env, v)) {
    return box->tensor.defined() ? describeTensor(box->tensor) : "<disposed tensor>";
  }
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? "true" : "false";
  if (v.IsNumber()) {
    std::ostringstream s;
    s << v.As<Napi::Number>().DoubleValue();
    return s.str();
  }
  if (v.IsString()) {
    std::string str = v.As<Napi::String>().Utf8Value();
    if (str.size() > 40) str = str.substr(0, 40) + "...";
    return "'" + str + "'";
  }
  if (v.IsArray()) {
    if (depth > 1) return "[...]";
    auto arr = v.As<Napi::Array>();
    std::string out = "[";
    uint32_t n = arr.Length();
    for (uint32_t k = 0; k < n && k < 8; ++k) out += (k ? ", " : "") + describeValue(env, arr.Get(k), depth + 1);
    if (n > 8) out += ", ... (" + std::to_string(n) + " items)";
    return out + "]";
  }
  if (v.IsFunction()) return "function";
  return "object";
}

const char* typeOfValue(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsBoolean()) return "boolean";
  if (v.IsNumber()) return "number";
  if (v.IsString()) return "string";
  if (v.IsArray()) return "array";
  if (v.IsFunction()) return "function";
  if (v.IsExternal()) return "a foreign handle";
  if (v.IsTypedArray()) return "a typed array";
  if (v.IsPromise()) return "a Promise";
  if (v.IsSymbol()) return "symbol";
  if (v.IsBigInt()) return "bigint";
  return "object";
}

// A whole number past 2^53, where doubles no longer hold every integer (and int64 may overflow).
bool isTooBig(double d) { return std::isfinite(d) && std::floor(d) == d && std::fabs(d) > 9007199254740991.0; }

bool isIntegral(double d) { return std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740991.0; }

}  // namespace

void OpCall::bad(size_t i, const char* expected) const {
  Napi::Value v = arg(i);
  std::string got = typeOfValue(v);
  if (v.IsNumber() || v.IsString()) got += " " + describeValue(env_, v);
  if (TensorBox* box = boxOf(env_, v)) got = box->tensor.defined() ? describeTensor(box->tensor) : "a disposed tensor";
  throw ArgError(std::string("argument '") + (i < arity_ ? names_[i] : "?") + "' must be " + expected + ", got " + got);
}

at::Tensor OpCall::tensor(size_t i) const {
  TensorBox* box = boxOf(env_, arg(i));
  if (!box || !box->tensor.defined()) bad(i, "a live Tensor");
  return box->tensor;
}

c10::optional<at::Tensor> OpCall::optTensor(size_t i) const {
  Napi::Value v = arg(i);
  if (v.IsNull() || v.IsUndefined()) return c10::nullopt;
  return tensor(i);
}

std::vector<at::Tensor> OpCall::tensorList(size_t i) const {
  Napi::Value v = arg(i);
  if (!v.IsArray()) bad(i, "an array of Tensors");
  auto arr = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    TensorBox* box = boxOf(env_, arr.Get(k));
    if (!box || !box->tensor.defined()) bad(i, ("an array of live Tensors (item " + std::to_string(k) + " is not)").c_str());
    out.push_back(box->tensor);
  }
  return out;
}

at::Tensor OpCall::tensorOrScalar(size_t i) const {
  Napi::Value v = arg(i);
  if (v.IsNumber() || v.IsBoolean()) {
    // Python wraps its numbers the same way, so `intTensor * 2` stays integral and `x * 0.5` keeps x's dtype.
    at::Tensor t = c10::scalar_to_tensor(scalar(i));
    t.unsafeGetTensorImpl()->set_wrapped_number(true);
    return t;
  }
  return tensor(i);
}

at::Scalar OpCall::scalar(size_t i) const {
  Napi::Value v = arg(i);
  if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
  if (!v.IsNumber()) bad(i, "a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (isIntegral(d)) return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
}

c10::optional<at::Scalar> OpCall::optScalar(size_t i) const {
  Napi::Value v = arg(i);
  if (v.IsNull() || v.IsUndefined()) return c10::nullopt;
  return scalar(i);
}

int64_t OpCall::integer(size_t i) const {
  Napi::Value v = arg(i);
  if (v.IsNumber() && isTooBig(v.As<Napi::Number>().DoubleValue())) bad(i, "an integer within +-2^53");
  if (!v.IsNumber() || !isIntegral(v.As<Napi::Number>().DoubleValue())) bad(i, "an integer");
  return v.As<Napi::Number>().Int64Value();
}

c10::optional<int64_t> OpCall::optInteger(size_t i) const {
  Napi::Value v = arg(i);
  if (v.IsNull() || v.IsUndefined()) return c10::nullopt;
  return integer(i);
}

std::vector<int64_t> OpCall::intList(size_t i) const {
  Napi::Value v = arg(i);
  if (v.IsNumber()) return {integer(i)};
  if (!v.IsArray()) bad(i, "an integer or an array of integers");
  auto arr = v.As<Napi::Array>();
  std::vector<int64_t> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    Napi::Value e = arr.Get(k);
    if (e.IsNumber() && isTooBig(e.As<Napi::Number>().DoubleValue())) bad(i, "an array of integers within +-2^53");
    if (!e.IsNumber() || !isIntegral(e.As<Napi::Number>().DoubleValue())) bad(i, "an array of integers");
    out.push_back(e.As<Napi::Number>().Int64Value());
  }
  return out;
}

c10::optional<std::vector<int64_t>> OpCall::optIntList(size_t i) const {
  Napi::Value v = arg(i);
  if (v.IsNull() || v.IsUndefined()) return c10::nullopt;
  return intList(i);
}

double OpCall::number(size_t i) const {
  Napi::Value v = arg(i);
  if (!v.IsNumber()) bad(i, "a number");
  return v.As<Napi::Number>().DoubleValue();
}

c10::optional<double> OpCall::optNumber(size_t i) const {
  Napi::Value v = arg(i);
  if (v.IsNull() || v.IsUndefined()) return c10::nullopt;
  return number(i);
}

bool OpCall::boolean(size_t i) const {
  Napi::Value v = arg(i);
  if (!v.IsBoolean()) bad(i, "a boolean");
  return v.As<Napi::Boolean>().Value();
}

std::string OpCall::string(size_t i) const {
  Napi::Value v = arg(i);
  if (!v.IsString()) bad(i, "a string");
  return v.As<Napi::String>().Utf8Value();
}

at::ScalarType OpCall::dtype(size_t i) const {
  Napi::Value v = arg(i);
  const char* allowed = "one of 'float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'";
  if (!v.IsString()) bad(i, allowed);
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s == "float32") return at::kFloat;
  if (s == "float64") return at::kDouble;
  if (s == "float16") return at::kHalf;
  if (s == "bfloat16") return at::kBFloat16;
  if (s == "int64") return at::kLong;
  if (s == "int32") return at::kInt;
  if (s == "int16") return at::kShort;
  if (s == "int8") return at::kChar;
  if (s == "uint8") return at::kByte;
  if (s == "bool") return at::kBool;
  bad(i, allowed);
}

c10::optional<at::ScalarType> OpCall::optDtype(size_t i) const {
  Napi::Value v = arg(i);
  if (v.IsNull() || v.IsUndefined()) return c10::nullopt;
  return dtype(i);
}

at::Device OpCall::device(size_t i) const {
  Napi::Value v = arg(i);
  if (!v.IsString()) bad(i, "a device string ('cpu', 'cuda' or 'cuda:N')");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s != "cpu" && s != "cuda" && s.rfind("cuda:", 0) != 0) bad(i, "a device string ('cpu', 'cuda' or 'cuda:N')");
  at::Device dev(s);
  if (dev.is_cuda() && !at::hasCUDA()) {
    throw ArgError("device '" + s + "' is not available: the linked libtorch has no CUDA support "
                   "(build htaf with LIBTORCH=/path/to/a CUDA libtorch on a machine with a GPU)");
  }
  return dev;
}

int64_t OpCall::reduction(size_t i) const {
  Napi::Value v = arg(i);
  std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (s == "none") return at::Reduction::None;
  if (s == "mean") return at::Reduction::Mean;
  if (s == "sum") return at::Reduction::Sum;
  bad(i, "one of 'none', 'mean', 'sum'");
}

Napi::Value OpCall::result(const at::Tensor& t) const {
  if (!t.defined()) return env_.Null();
  return wrapTensor(env_, t);
}

Napi::Value OpCall::result(const std::vector<at::Tensor>& ts) const {
  auto arr = Napi::Array::New(env_, ts.size());
  for (size_t k = 0; k < ts.size(); ++k) arr.Set(static_cast<uint32_t>(k), result(ts[k]));
  return arr;
}

Napi::Value OpCall::result(const std::tuple<at::Tensor, at::Tensor>& ts) const {
  return result(std::vector<at::Tensor>{std::get<0>(ts), std::get<1>(ts)});
}

Napi::Value OpCall::result(const std::tuple<at::Tensor, at::Tensor, at::Tensor>& ts) const {
  return result(std::vector<at::Tensor>{std::get<0>(ts), std::get<1>(ts), std::get<2>(ts)});
}

Napi::Value OpCall::result(double v) const { return Napi::Number::New(env_, v); }
Napi::Value OpCall::result(int64_t v) const { return Napi::Number::New(env_, static_cast<double>(v)); }
Napi::Value OpCall::result(bool v) const { return Napi::Boolean::New(env_, v); }
Napi::Value OpCall::result(const std::string& v) const { return Napi::String::New(env_, v); }

Napi::Value OpCall::result(const std::vector<int64_t>& v) const {
  auto arr = Napi::Array::New(env_, v.size());
  for (size_t k = 0; k < v.size(); ++k) arr.Set(static_cast<uint32_t>(k), Napi::Number::New(env_, static_cast<double>(v[k])));
  return arr;
}

Napi::Value OpCall::result(const at::Scalar& v) const {
  if (v.isBoolean()) return Napi::Boolean::New(env_, v.toBool());
  if (v.isIntegral(false)) return Napi::Number::New(env_, static_cast<double>(v.toLong()));
  return Napi::Number::New(env_, v.toDouble());
}

std::string OpCall::describeArgs() const {
  std::string out;
  size_t n = std::max(arity_, static_cast<size_t>(info_.Length()));
  for (size_t i = 0; i < n; ++i) {
    if (i >= info_.Length() && i < arity_) break;  // trailing missing arguments say nothing useful
    out += (i ? ", " : "");
    out += (i < arity_ ? names_[i] : "extra") + std::string("=") + describeValue(env_, arg(i));
  }
  return out;
}

Napi::Value OpCall::fail() const {
  std::string reason;
  try {
    throw;
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();  // already a JS error (e.g. from a callback): pass it on unchanged
    return env_.Undefined();
  } catch (const c10::Error& e) {
    reason = e.what_without_backtrace();
  } catch (const std::exception& e) {
    reason = e.what();
  } catch (...) {
    reason = "unknown native error";
  }
  Napi::Error err = Napi::Error::New(env_, std::string(op_) + "(" + describeArgs() + "): " + reason);
  err.Set("op", Napi::String::New(env_, op_));
  err.ThrowAsJavaScriptException();
  return env_.Undefined();
}

}  // namespace htaf
