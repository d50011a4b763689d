// libtorch's c10d process groups on the addon (docs/distributed.md): pgCreate, pgAllReduce, pgBroadcast,
// pgBarrier, pgAllReduceGrad (an all-reduce autograd sees), pgDestroy, pgBackends.
#pragma once
#include <napi.h>

namespace htaf {

void registerDistributed(Napi::Env env, Napi::Object exports);

}  // namespace htaf
