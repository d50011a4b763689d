#include "optim_steps.h"

#include <cmath>

namespace htaf {
namespace {

void checkHyper(const char* name, double v, bool allowZero) {
  TORCH_CHECK(std::isfinite(v) && (allowZero ? v >= 0 : v > 0), name, " must be a finite number ",
              allowZero ? ">= 0" : "> 0", ", got ", v);
}

void checkPair(const at::Tensor& param, const at::Tensor& grad) {
  TORCH_CHECK(param.sizes() == grad.sizes(), "the gradient's shape ", grad.sizes(), " differs from the parameter's ",
              param.sizes());
}

}  // namespace

at::Tensor sgdStep(const at::Tensor& param, const at::Tensor& grad, const c10::optional<at::Tensor>& momentumBuffer,
                   double lr, double momentum, double dampening, double weightDecay, bool nesterov, bool maximize) {
  checkHyper("lr", lr, true);
  checkHyper("momentum", momentum, true);
  checkHyper("weightDecay", weightDecay, true);
  TORCH_CHECK(std::isfinite(dampening), "dampening must be finite, got ", dampening);
  TORCH_CHECK(!nesterov || (momentum > 0 && dampening == 0), "nesterov needs momentum > 0 and dampening 0");
  checkPair(param, grad);
  at::NoGradGuard noGrad;
  at::Tensor d = maximize ? grad.neg() : grad;
  if (weightDecay != 0) d = d.add(param, weightDecay);
  at::Tensor buf, created;
  if (momentum != 0) {
    if (!momentumBuffer || !momentumBuffer->defined()) {
      buf = created = d.clone().detach();
    } else {
      buf = *momentumBuffer;
      buf.mul_(momentum).add_(d, 1 - dampening);
    }
    d = nesterov ? d.add(buf, momentum) : buf;
  }
  param.add_(d, -lr);
  return created;
}

void adamStep(const at::Tensor& param, const at::Tensor& grad, const at::Tensor& expAvg, const at::Tensor& expAvgSq,
              const c10::optional<at::Tensor>& maxExpAvgSq, int64_t step, double lr, double beta1, double beta2,
              double eps, double weightDecay, bool decoupled, bool maximize) {
  checkHyper("lr", lr, true);
  checkHyper("eps", eps, true);
  checkHyper("weightDecay", weightDecay, true);
  TORCH_CHECK(std::isfinite(beta1) && beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got ", beta1);
  TORCH_CHECK(std::isfinite(beta2) && beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got ", beta2);
  TORCH_CHECK(step >= 1, "step must be >= 1, got ", step);
  checkPair(param, grad);
  at::NoGradGuard noGrad;
  at::Tensor g = maximize ? grad.neg() : grad;
  if (decoupled) {
    param.mul_(1 - lr * weightDecay);
  } else if (weightDecay != 0) {
    g = g.add(param, weightDecay);
  }
  expAvg.mul_(beta1).add_(g, 1 - beta1);
  expAvgSq.mul_(beta2).addcmul_(g, g, 1 - beta2);
  const double biasCorrection1 = 1 - std::pow(beta1, static_cast<double>(step));
  const double biasCorrection2 = 1 - std::pow(beta2, static_cast<double>(step));
  const double stepSize = lr / biasCorrection1;
  const double biasCorrection2Sqrt = std::sqrt(biasCorrection2);
  at::Tensor denom;
  if (maxExpAvgSq) {
    at::Tensor maxSq = *maxExpAvgSq;  // a second handle on the same storage, updated in place
    at::maximum_out(maxSq, maxSq, expAvgSq);
    denom = (maxSq.sqrt() / biasCorrection2Sqrt).add_(eps);
  } else {
    denom = (expAvgSq.sqrt() / biasCorrection2Sqrt).add_(eps);
  }
  param.addcdiv_(expAvg, denom, -stepSize);
}

}  // namespace htaf
