// The activations the engine benchmarks compare, by the names the CLI takes (issue 2's settings).
// htaf = HTAF(alpha 2, beta 11); ss = scaled sigmoid, gamma 22; ste = Heaviside with sigmoid surrogate, k 4.
import { heavisideSte, htaf, scaledSigmoid } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';

export const BENCH_ACTIVATIONS = {
  relu: (x: Tensor) => x.relu(),
  htaf: (x: Tensor) => htaf(x, 2, 11),
  ss: (x: Tensor) => scaledSigmoid(x, 22),
  ste: (x: Tensor) => heavisideSte(x, 'sigmoid', 4),
} as const;

export type BenchActivation = keyof typeof BENCH_ACTIVATIONS;

export function benchActivation(name: string): (x: Tensor) => Tensor {
  const fn = (BENCH_ACTIVATIONS as Record<string, (x: Tensor) => Tensor>)[name];
  if (!fn) throw new Error(`--activation must be one of ${Object.keys(BENCH_ACTIVATIONS).join(', ')}; got '${name}'`);
  return fn;
}
