// Theorem 3.2 (docs/method.md §1): the gradient of HTAF(x) = σ(β·tanh(α·x)).
//   (a) tail: HTAF'(x) ≈ C·e^(−2α|x|) for large |x|, with C = 4·α·β·σ(β)·σ(−β);
//   (b) slope at zero: HTAF'(0) = α·β/4.
// Against the scaled sigmoid SS(x) = σ(γ·x) with γ = α·β (the same slope at zero), the ratio
// HTAF'(x)/SS'(x) grows like e^((αβ − 2α)|x|) (Figure 1c).
//
// Plain float64 math, written so that nothing cancels: σ(u)·σ(−u) = e^(−|u|)/(1 + e^(−|u|))² and
// 1 − tanh²(y) = 4·e^(−2|y|)/(1 + e^(−2|y|))², both exact to a few ulps however far into the tail
// (the textbook 1 − tanh² is exactly 0 once |y| > 19). Logs are available for values below float64's range.
import { finite, positive } from './checks.js';
import { sech2, sigmoid } from '../activations/float64.js';

/** σ(u)·σ(−u) = σ'(u), relative accuracy kept in the tails. */
function sigmoidSlope(u: number): number {
  const e = Math.exp(-Math.abs(u));
  return e / ((1 + e) * (1 + e));
}

/** log(σ(u)·σ(−u)), finite for every finite u. */
function logSigmoidSlope(u: number): number {
  const a = Math.abs(u);
  return -a - 2 * Math.log1p(Math.exp(-a));
}

/** log(sech²(y)). */
function logSech2(y: number): number {
  const a = Math.abs(y);
  return Math.log(4) - 2 * a - 2 * Math.log1p(Math.exp(-2 * a));
}

/** HTAF(x) = σ(β·tanh(α·x)), in float64. HTAF(0) = 1/2; the range is (σ(−β), σ(β)). */
export function htafValue(x: number, alpha: number, beta: number): number {
  finite('htafValue', 'x', x);
  positive('htafValue', 'alpha', alpha);
  positive('htafValue', 'beta', beta);
  return sigmoid(beta * Math.tanh(alpha * x));
}

/** log HTAF'(x) = log α + log β + log σ'(β·tanh(αx)) + log sech²(αx): finite even where HTAF'(x) underflows. */
export function htafLogDerivative(x: number, alpha: number, beta: number): number {
  finite('htafLogDerivative', 'x', x);
  positive('htafLogDerivative', 'alpha', alpha);
  positive('htafLogDerivative', 'beta', beta);
  return Math.log(alpha) + Math.log(beta) + logSigmoidSlope(beta * Math.tanh(alpha * x)) + logSech2(alpha * x);
}

/** HTAF'(x) = α·β·σ(u)·σ(−u)·(1 − tanh²(αx)), u = β·tanh(αx); accurate in the tails (0 only where it underflows). */
export function htafDerivative(x: number, alpha: number, beta: number): number {
  finite('htafDerivative', 'x', x);
  positive('htafDerivative', 'alpha', alpha);
  positive('htafDerivative', 'beta', beta);
  const direct = alpha * beta * sigmoidSlope(beta * Math.tanh(alpha * x)) * sech2(alpha * x);
  // A factor may underflow while the product does not (e.g. a huge α·β times a tiny sech²): go through logs.
  if (direct < 1e-290) return Math.exp(htafLogDerivative(x, alpha, beta));
  return direct;
}

/** Theorem 3.2(b): HTAF'(0) = α·β/4. */
export function slopeAtZero(alpha: number, beta: number): number {
  positive('slopeAtZero', 'alpha', alpha);
  positive('slopeAtZero', 'beta', beta);
  return (alpha * beta) / 4;
}

/** Theorem 3.2(a): C(α, β) = 4·α·β·σ(β)·σ(−β), so that HTAF'(x) ≈ C·e^(−2α|x|) for large |x|. */
export function tailConstant(alpha: number, beta: number): number {
  positive('tailConstant', 'alpha', alpha);
  positive('tailConstant', 'beta', beta);
  return 4 * alpha * beta * sigmoidSlope(beta);
}

/** log C(α, β), finite where C underflows (β beyond about 700). */
export function logTailConstant(alpha: number, beta: number): number {
  positive('logTailConstant', 'alpha', alpha);
  positive('logTailConstant', 'beta', beta);
  return Math.log(4 * alpha * beta) + logSigmoidSlope(beta);
}

/** SS'(x) = γ·σ(γx)·σ(−γx), the derivative of the scaled sigmoid σ(γx). */
export function scaledSigmoidDerivative(x: number, gamma: number): number {
  finite('scaledSigmoidDerivative', 'x', x);
  positive('scaledSigmoidDerivative', 'gamma', gamma);
  const direct = gamma * sigmoidSlope(gamma * x);
  if (direct < 1e-290) return Math.exp(Math.log(gamma) + logSigmoidSlope(gamma * x));
  return direct;
}

/**
 * HTAF'(x)/SS'(x) with γ = α·β (the same slope at zero): 1 at x = 0, growing like e^((αβ − 2α)|x|) in the
 * tail (Figure 1c). Computed as a difference of logs, so it stays exact where both derivatives underflow;
 * Infinity only where the ratio itself exceeds float64's range.
 */
export function tailRatioVsScaledSigmoid(x: number, alpha: number, beta: number): number {
  finite('tailRatioVsScaledSigmoid', 'x', x);
  positive('tailRatioVsScaledSigmoid', 'alpha', alpha);
  positive('tailRatioVsScaledSigmoid', 'beta', beta);
  return Math.exp(logRatio(x, alpha, beta));
}

/** log(HTAF'(x)/SS'(x)), γ = α·β: finite where the ratio itself overflows (≈ log(C/γ) + (αβ − 2α)|x| in the tail). */
export function logTailRatioVsScaledSigmoid(x: number, alpha: number, beta: number): number {
  finite('logTailRatioVsScaledSigmoid', 'x', x);
  positive('logTailRatioVsScaledSigmoid', 'alpha', alpha);
  positive('logTailRatioVsScaledSigmoid', 'beta', beta);
  return logRatio(x, alpha, beta);
}

function logRatio(x: number, alpha: number, beta: number): number {
  const gamma = alpha * beta;
  const logSs = Math.log(gamma) + logSigmoidSlope(gamma * x);
  return Math.log(alpha) + Math.log(beta) + logSigmoidSlope(beta * Math.tanh(alpha * x)) + logSech2(alpha * x) - logSs;
}
