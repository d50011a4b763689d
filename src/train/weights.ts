// Kept copies of a model's weights: the best epoch's state while training goes on.
import { tidy } from '../core/scope.js';
import type { Module } from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';

export type Weights = Map<string, Tensor>;

/** A kept copy of the model's state dict (survives every scope; dispose with disposeWeights). */
export function snapshot(model: Module): Weights {
  const out: Weights = new Map();
  tidy(() => {
    for (const [k, t] of model.stateDict()) out.set(k, t.clone().keep());
  });
  return out;
}

export function disposeWeights(w: Weights | undefined): void {
  if (w) for (const t of w.values()) t.dispose();
}
