// Scalar float64 math the activations and the theory share, written so that nothing overflows or cancels.

/** σ(u) = 1/(1 + e^(−u)), without overflow for either sign of u. */
export function sigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/** 1 − tanh²(z) without cancellation: 4·e^(−2|z|)/(1 + e^(−2|z|))². */
export function sech2(z: number): number {
  const e = Math.exp(-2 * Math.abs(z));
  return (4 * e) / ((1 + e) * (1 + e));
}
