// The addon's entry point: the generated op table plus the few functions that move data between
// JS buffers and tensors or manage handles, which the table's types cannot express.
#include <napi.h>
#include <ATen/ATen.h>

#include <cstring>

#include "cpu_allocator.h"
#include "distributed.h"
#include "gen/ops_generated.h"
#include "op_call.h"
#include "runtime_kernels_napi.h"
#include "tensor_box.h"

namespace {

const char* const kDisposeNames[] = {"tensor"};
const char* const kFromBufferNames[] = {"data", "shape", "dtype"};
const char* const kToBufferNames[] = {"tensor"};

// dispose(handle) -> true if it freed the tensor, false if it was already disposed.
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  htaf::OpCall c(info, "dispose", kDisposeNames, 1);
  try {
    return Napi::Boolean::New(info.Env(), htaf::disposeHandle(info.Env(), info[0]));
  } catch (...) {
    return c.fail();
  }
}

size_t bytesPerElement(at::ScalarType t) { return c10::elementSize(t); }

// fromBuffer(typedArray, shape, dtype) -> handle. Copies, so the JS buffer may change afterwards.
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  htaf::OpCall c(info, "fromBuffer", kFromBufferNames, 3);
  try {
    if (!info[0].IsTypedArray()) throw htaf::ArgError("argument 'data' must be a TypedArray");
    auto arr = info[0].As<Napi::TypedArray>();
    std::vector<int64_t> shape = c.intList(1);
    at::ScalarType dtype = c.dtype(2);
    int64_t numel = 1;
    for (int64_t d : shape) {
      if (d < 0) throw htaf::ArgError("argument 'shape' must not hold negative sizes");
      numel *= d;
    }
    size_t bytes = static_cast<size_t>(numel) * bytesPerElement(dtype);
    if (arr.ByteLength() != bytes) {
      throw htaf::ArgError("the data holds " + std::to_string(arr.ByteLength()) + " bytes but shape and dtype need " +
                           std::to_string(bytes));
    }
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    auto* src = static_cast<const uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
    if (bytes) std::memcpy(t.data_ptr(), src, bytes);
    if (dtype == at::kBool) {
      // A bool byte other than 0 or 1 is undefined behaviour in libtorch's kernels: store 0/1 only.
      auto* p = static_cast<uint8_t*>(t.data_ptr());
      for (size_t k = 0; k < bytes; ++k) p[k] = p[k] != 0;
    }
    return htaf::wrapTensor(info.Env(), t);
  } catch (...) {
    return c.fail();
  }
}

// toBuffer(handle) -> ArrayBuffer holding a contiguous CPU copy of the tensor's elements.
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  htaf::OpCall c(info, "toBuffer", kToBufferNames, 1);
  try {
    at::Tensor t = c.tensor(0).detach().to(at::kCPU).contiguous();
    size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
    auto buf = Napi::ArrayBuffer::New(info.Env(), bytes);
    if (bytes) std::memcpy(buf.Data(), t.data_ptr(), bytes);
    return buf;
  } catch (...) {
    return c.fail();
  }
}

Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(htaf::liveTensorCount()));
}

Napi::Value PeakTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(htaf::peakTensorCount()));
}

Napi::Value ResetPeakTensors(const Napi::CallbackInfo& info) {
  htaf::resetPeakTensorCount();
  return info.Env().Undefined();
}

// cpuCache() -> { cachedBytes, allocatedBytes, enabled }
Napi::Value CpuCache(const Napi::CallbackInfo& info) {
  htaf::CpuCacheStats s = htaf::cpuCacheStats();
  auto out = Napi::Object::New(info.Env());
  out.Set("cachedBytes", Napi::Number::New(info.Env(), static_cast<double>(s.cachedBytes)));
  out.Set("allocatedBytes", Napi::Number::New(info.Env(), static_cast<double>(s.allocatedBytes)));
  out.Set("enabled", Napi::Boolean::New(info.Env(), s.enabled));
  return out;
}

Napi::Value EmptyCpuCache(const Napi::CallbackInfo& info) {
  htaf::emptyCpuCache();
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  htaf::installCachingCpuAllocator();
  htafRegisterOps(env, exports);
  htaf::registerRuntimeKernels(env, exports);
  htaf::registerDistributed(env, exports);
  exports.Set("cpuCache", Napi::Function::New(env, CpuCache, "cpuCache"));
  exports.Set("emptyCpuCache", Napi::Function::New(env, EmptyCpuCache, "emptyCpuCache"));
  exports.Set("dispose", Napi::Function::New(env, Dispose, "dispose"));
  exports.Set("fromBuffer", Napi::Function::New(env, FromBuffer, "fromBuffer"));
  exports.Set("toBuffer", Napi::Function::New(env, ToBuffer, "toBuffer"));
  exports.Set("liveTensors", Napi::Function::New(env, LiveTensors, "liveTensors"));
  exports.Set("peakTensors", Napi::Function::New(env, PeakTensors, "peakTensors"));
  exports.Set("resetPeakTensors", Napi::Function::New(env, ResetPeakTensors, "resetPeakTensors"));
  return exports;
}

}  // namespace

NODE_API_MODULE(htaf_native, Init)
