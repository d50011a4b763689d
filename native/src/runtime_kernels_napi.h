// The runtime's kernels as addon functions (rtConvFloat, rtConvBits, rtConvBinary, rtStep, the light ops rtLif …, rtIsa, rtIsas, rtSetIsa).
#pragma once
#include <napi.h>

namespace htaf {

void registerRuntimeKernels(Napi::Env env, Napi::Object exports);

}  // namespace htaf
