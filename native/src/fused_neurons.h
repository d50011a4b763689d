// The fused multi-step spiking neurons (docs/method.md §3; src/models/spiking_neuron.ts holds the
// composed reference): over x[T, B, ...], per element and time step
//   charge  LIF: h = v + (x − (v − v_rest))/τ (v_rest = v_reset, 0 with the soft reset); IF: h = v + x
//   fire    s = Θ(h − v_th)
//   reset   hard: v = h·(1 − s) + v_reset·s; soft: v = h − v_th·s
// with v = v_reset (0 soft) before the first step, in one pass over time, and the backward (BPTT through
// charge, spike function and reset; detachReset drops the reset's path through s) in one pass too, the
// forward recomputed per element from x: nothing is saved but x itself. Θ is the spike function's smooth
// form (htaf, ss) or the Heaviside step with a surrogate derivative (STE: sigmoid, tanh, rect); 'heaviside'
// (the exact mode) gives spikes without a gradient.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace htaf {

struct NeuronParams {
  /** 'lif' or 'if'. */
  std::string neuron;
  /** LIF's time constant τ > 1 (unused by IF). */
  double tau;
  /** 'htaf' (p1 = α, p2 = β), 'ss' (p1 = γ), 'sigmoid' | 'tanh' (p1 = k) | 'rect' (p1 = a): the STE surrogates, 'heaviside'. */
  std::string spike;
  double p1, p2;
  double vThreshold;
  /** The hard reset's potential; ignored with softReset. */
  double vReset;
  bool softReset;
  bool detachReset;
};

// Spikes [T, B, ...] of a multi-step neuron over x [T, B, ...] (float32 or float64, CPU), differentiable
// (one custom autograd node) unless the spike function is 'heaviside'.
at::Tensor neuron_multi_step(const at::Tensor& x, const NeuronParams& p);

}  // namespace htaf
