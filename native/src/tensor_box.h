// One JS handle owns one native tensor (docs/design.md rule 3).
// A handle is a plain JS object, tagged as ours, that wraps a TensorBox (napi_wrap). Ops return fresh
// handles and never free their inputs. dispose() drops the reference at once, is idempotent, and also
// unwraps the handle, so a disposed handle leaves nothing for the garbage collector to finalize: Node
// runs N-API finalizers only between event-loop turns, and a synchronous training loop would otherwise
// pile up one pending finalizer per tensor it ever made. The finalizer is only the safety net for
// handles the program forgot.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>
#include <cstdint>

namespace htaf {

struct TensorBox {
  at::Tensor tensor;         // undefined only in the shared box that stands for disposed handles
  int64_t reportedBytes = 0;  // what we told V8 about, given back on release
};

// Wraps a tensor in a new handle and reports its bytes to V8 so GC pressure reflects native memory.
Napi::Value wrapTensor(Napi::Env env, at::Tensor t);
// The box behind a handle; a box with an undefined tensor for a disposed handle; nullptr when the value
// is not one of our handles.
TensorBox* boxOf(Napi::Env env, const Napi::Value& v);
// Frees the handle's tensor now; returns false if it was already disposed. Throws ArgError-like
// std::invalid_argument when the value is not a handle.
bool disposeHandle(Napi::Env env, const Napi::Value& v);

// Handles created and not yet disposed or finalized.
int64_t liveTensorCount();
int64_t peakTensorCount();
void resetPeakTensorCount();

}  // namespace htaf
