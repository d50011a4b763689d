#include "tensor_box.h"

#include <atomic>
#include <stdexcept>

namespace htaf {
namespace {

// Marks handles as ours, so a foreign object is rejected instead of reinterpreted.
const napi_type_tag kTensorTag = {0x6874616674656e73ULL, 0x6f72626f78763032ULL};

// Stands for every disposed handle: a tagged object that no longer wraps a box.
TensorBox gDisposed;

// Process-wide: worker threads each load the addon into their own env but share these counters.
std::atomic<int64_t> gLive{0};
std::atomic<int64_t> gPeak{0};

// Views share their base's storage; counting them again would overstate native memory.
int64_t ownedBytes(const at::Tensor& t) {
  if (!t.defined() || t.is_view()) return 0;
  return static_cast<int64_t>(t.numel()) * static_cast<int64_t>(t.element_size());
}

void releaseAndDelete(napi_env env, TensorBox* box) {
  if (box->reportedBytes != 0) {
    int64_t ignored;
    napi_adjust_external_memory(env, -box->reportedBytes, &ignored);
  }
  --gLive;
  delete box;
}

void finalize(napi_env env, void* data, void* /*hint*/) { releaseAndDelete(env, static_cast<TensorBox*>(data)); }

}  // namespace

Napi::Value wrapTensor(Napi::Env env, at::Tensor t) {
  auto* box = new TensorBox{std::move(t), 0};
  box->reportedBytes = ownedBytes(box->tensor);
  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok || napi_wrap(env, obj, box, finalize, nullptr, nullptr) != napi_ok) {
    delete box;
    throw std::runtime_error("cannot create a tensor handle");
  }
  napi_type_tag_object(env, obj, &kTensorTag);
  if (box->reportedBytes != 0) {
    int64_t ignored;
    napi_adjust_external_memory(env, box->reportedBytes, &ignored);
  }
  int64_t live = ++gLive;
  int64_t peak = gPeak.load();
  while (live > peak && !gPeak.compare_exchange_weak(peak, live)) {
  }
  return Napi::Value(env, obj);
}

TensorBox* boxOf(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject()) return nullptr;
  bool ours = false;
  if (napi_check_object_type_tag(env, v, &kTensorTag, &ours) != napi_ok || !ours) return nullptr;
  void* data = nullptr;
  if (napi_unwrap(env, v, &data) != napi_ok || !data) return &gDisposed;
  return static_cast<TensorBox*>(data);
}

bool disposeHandle(Napi::Env env, const Napi::Value& v) {
  TensorBox* box = boxOf(env, v);
  if (!box) throw std::invalid_argument("argument 'tensor' must be a Tensor handle");
  if (box == &gDisposed) return false;
  void* data = nullptr;
  napi_remove_wrap(env, v, &data);  // the finalizer will not run for this handle any more
  releaseAndDelete(env, box);
  return true;
}

int64_t liveTensorCount() { return gLive; }
int64_t peakTensorCount() { return gPeak; }
void resetPeakTensorCount() { gPeak = gLive.load(); }

}  // namespace htaf
