// One JS handle owns one native tensor (DESIGN rule 3).
// A handle is a napi External tagged as ours, pointing to a TensorBox. Ops return fresh handles and never
// free their inputs; dispose() drops the reference at once and is idempotent; the External's finalizer is
// only a safety net for handles the program forgot.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>
#include <cstdint>

namespace htaf {

struct TensorBox {
  at::Tensor tensor;        // undefined once disposed
  int64_t reportedBytes = 0; // what we told V8 about, given back on release
};

// Wraps a tensor in a new handle and reports its bytes to V8 so GC pressure reflects native memory.
Napi::Value wrapTensor(Napi::Env env, at::Tensor t);
// The box behind a handle, or nullptr when the value is not one of our handles.
TensorBox* boxOf(Napi::Env env, const Napi::Value& v);
// Frees the native tensor now; returns false if it was already disposed.
bool disposeBox(Napi::Env env, TensorBox* box);

// Handles created and not yet disposed or finalized.
int64_t liveTensorCount();
int64_t peakTensorCount();
void resetPeakTensorCount();

}  // namespace htaf
