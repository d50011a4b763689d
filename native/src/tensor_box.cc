#include "tensor_box.h"

namespace htaf {
namespace {

// Marks Externals as TensorBoxes, so a foreign External is rejected instead of reinterpreted.
const napi_type_tag kTensorTag = {0x6874616674656e73ULL, 0x6f72626f78763031ULL};

int64_t gLive = 0;
int64_t gPeak = 0;

// Views share their base's storage; counting them again would overstate native memory.
int64_t ownedBytes(const at::Tensor& t) {
  if (!t.defined() || t.is_view()) return 0;
  return static_cast<int64_t>(t.numel()) * static_cast<int64_t>(t.element_size());
}

void release(Napi::Env env, TensorBox* box) {
  if (box->reportedBytes != 0) {
    int64_t ignored;
    napi_adjust_external_memory(env, -box->reportedBytes, &ignored);
    box->reportedBytes = 0;
  }
  box->tensor.reset();
  --gLive;
}

}  // namespace

Napi::Value wrapTensor(Napi::Env env, at::Tensor t) {
  auto* box = new TensorBox{std::move(t), 0};
  box->reportedBytes = ownedBytes(box->tensor);
  if (box->reportedBytes != 0) {
    int64_t ignored;
    napi_adjust_external_memory(env, box->reportedBytes, &ignored);
  }
  if (++gLive > gPeak) gPeak = gLive;
  auto ext = Napi::External<TensorBox>::New(env, box, [](Napi::Env env, TensorBox* b) {
    if (b->tensor.defined()) release(env, b);
    delete b;
  });
  napi_type_tag_object(env, ext, &kTensorTag);
  return ext;
}

TensorBox* boxOf(Napi::Env env, const Napi::Value& v) {
  if (!v.IsExternal()) return nullptr;
  bool ours = false;
  if (napi_check_object_type_tag(env, v, &kTensorTag, &ours) != napi_ok || !ours) return nullptr;
  return v.As<Napi::External<TensorBox>>().Data();
}

bool disposeBox(Napi::Env env, TensorBox* box) {
  if (!box->tensor.defined()) return false;
  release(env, box);
  return true;
}

int64_t liveTensorCount() { return gLive; }
int64_t peakTensorCount() { return gPeak; }
void resetPeakTensorCount() { gPeak = gLive; }

}  // namespace htaf
