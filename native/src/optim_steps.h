// One optimizer update of one parameter, in place and outside autograd, following PyTorch 1.13's
// single-tensor implementations op for op so results match torch.optim to float rounding.
// State tensors are owned by the TypeScript optimizer (so they can be checkpointed).
#pragma once
#include <ATen/ATen.h>
#include <c10/util/Optional.h>

namespace htaf {

// Returns the momentum buffer when this step created it (the first step with momentum), else an undefined
// tensor: later steps update the given buffer in place.
at::Tensor sgdStep(const at::Tensor& param, const at::Tensor& grad, const c10::optional<at::Tensor>& momentumBuffer,
                   double lr, double momentum, double dampening, double weightDecay, bool nesterov, bool maximize);

// step is the step number after this update (1 on the first call). decoupled = AdamW.
void adamStep(const at::Tensor& param, const at::Tensor& grad, const at::Tensor& expAvg, const at::Tensor& expAvgSq,
              const c10::optional<at::Tensor>& maxExpAvgSq, int64_t step, double lr, double beta1, double beta2,
              double eps, double weightDecay, bool decoupled, bool maximize);

}  // namespace htaf
