// Proposition 3.1 (docs/method.md §2): for eps in (0, 1/2) and delta > 0, with L = ln((1 − eps)/eps),
//   if β > L and α ≥ atanh(L/β)/δ, then |HTAF(x) − H(x)| ≤ eps for every |x| ≥ δ.
// (For x ≥ δ: 1 − HTAF(x) = σ(−β·tanh(αx)) ≤ σ(−β·tanh(αδ)) ≤ eps ⇔ β·tanh(αδ) ≥ L; x ≤ −δ is the mirror image.)
// Table 6 (eps = δ = 0.1) and Figure 2 (β·α_min falls toward L/δ ≈ 22) are reproduced by `htaf bounds`.
import { epsilon, positive } from './checks.js';
import { sigmoid } from '../activations/float64.js';

/** L = ln((1 − eps)/eps), the logit of 1 − eps. */
export function logitBound(eps: number): number {
  epsilon('logitBound', eps);
  return Math.log((1 - eps) / eps);
}

/** The infimum of admissible β: β must exceed L = ln((1 − eps)/eps) (2.197… for eps = 0.1, printed "2.20"). */
export function betaMin(eps: number): number {
  epsilon('betaMin', eps);
  return logitBound(eps);
}

/** The least α for a given β: atanh(L/β)/δ. Throws (naming beta) when β ≤ L, where no α works. */
export function alphaMin(beta: number, eps: number, delta: number): number {
  positive('alphaMin', 'beta', beta);
  epsilon('alphaMin', eps);
  positive('alphaMin', 'delta', delta);
  const L = logitBound(eps);
  if (!(beta > L)) {
    throw new RangeError(`alphaMin: beta must exceed beta_min = ln((1 - eps)/eps) = ${L} for eps = ${eps} (no alpha works otherwise), got ${beta}`);
  }
  return Math.atanh(L / beta) / delta;
}

/** The next float64 above a positive finite number. */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

/**
 * The least β for a given α: L/tanh(α·δ) (this β satisfies both β > L and α ≥ atanh(L/β)/δ). Where
 * tanh(α·δ) rounds to 1 in float64 (α·δ > about 19), the exact value is above L by less than an ulp:
 * the float64 just above L is returned, so that the result is always admissible.
 */
export function betaMinForAlpha(alpha: number, eps: number, delta: number): number {
  positive('betaMinForAlpha', 'alpha', alpha);
  epsilon('betaMinForAlpha', eps);
  positive('betaMinForAlpha', 'delta', delta);
  const L = logitBound(eps);
  const b = L / Math.tanh(alpha * delta);
  return b > L ? b : nextUp(L);
}

/** Relative slack of `holds`: sup and eps are both float64 results of tanh/atanh/exp, a few ulps apart at α = α_min. */
export const APPROXIMATION_TOLERANCE = 1e-12;

/** |HTAF(x) − H(x)| without cancellation: σ(−β·tanh(αx)) for x ≥ 0 (H = 1), σ(β·tanh(αx)) for x < 0 (H = 0). */
function approximationError(x: number, alpha: number, beta: number): number {
  const u = beta * Math.tanh(alpha * x);
  return x >= 0 ? sigmoid(-u) : sigmoid(u);
}

/**
 * The measured sup over |x| ≥ δ of |HTAF(x) − H(x)|, found numerically: a grid of 4,001 points on each side,
 * from ±δ out to where tanh(α·x) is 1 in float64 (|x| = max(δ, 20/α); beyond it the error is the constant
 * σ(−β), also evaluated), then a golden-section search around the best grid point. By monotonicity the sup
 * is attained at |x| = δ (value σ(−β·tanh(αδ))); `at` is where the search found it (+δ, the first side
 * scanned, on a tie). `holds` is sup ≤ eps, with a relative tolerance of APPROXIMATION_TOLERANCE for rounding.
 */
export function checkApproximation(alpha: number, beta: number, eps: number, delta: number): { sup: number; at: number; holds: boolean } {
  positive('checkApproximation', 'alpha', alpha);
  positive('checkApproximation', 'beta', beta);
  epsilon('checkApproximation', eps);
  positive('checkApproximation', 'delta', delta);

  const far = Math.max(delta, 20 / alpha);
  const n = 4000;
  let sup = -Infinity;
  let at = NaN;
  let bracket: [number, number] = [delta, delta];
  for (const side of [1, -1]) {
    // xs[i] = side·(δ + i·h), i = 0..n; then one point far beyond, in the constant tail.
    const h = (far - delta) / n;
    for (let i = 0; i <= n + 1; i++) {
      const r = i <= n ? delta + i * h : 2 * far + 1;
      const e = approximationError(side * r, alpha, beta);
      if (e > sup) {
        sup = e;
        at = side * r;
        bracket = i <= n ? [Math.max(delta, r - h), Math.min(far, r + h)] : [r, r];
      }
    }
  }
  // Golden-section search for a maximum of the error in |x| on the bracket around the best grid point.
  const side = Math.sign(at);
  let [a, b] = bracket;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 100 && b - a > 1e-15 * Math.max(1, b); k++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (approximationError(side * c, alpha, beta) >= approximationError(side * d, alpha, beta)) b = d;
    else a = c;
  }
  for (const r of [a, b]) {
    const e = approximationError(side * r, alpha, beta);
    if (e > sup) {
      sup = e;
      at = side * r;
    }
  }
  return { sup, at, holds: sup <= eps * (1 + APPROXIMATION_TOLERANCE) };
}

/**
 * The rounding of Table 6: round UP (never understate a lower bound) to two decimals, or to the fewest
 * further decimals needed when two would overstate the value by more than 25%. This reproduces every
 * entry of Table 6 (eps = δ = 0.1): 4.7154 → 4.72, 0.7337 → 0.74, 0.0439 → 0.05 (+14%, kept),
 * 0.02197 → 0.022 (0.03 would be +37%), 0.00439 → 0.005 (0.01 would be +128%), and β_min 2.1972 → "2.20".
 * Any threshold between 14% and 36% gives the same table; 25% is the middle. The ceiling forgives a
 * relative 1e-12, so that a value like 0.07 (7.000000000000001 after scaling) is not bumped to 0.08.
 */
export function roundUpForTable(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`roundUpForTable: value must be a finite number >= 0, got ${value}`);
  if (value === 0) return '0.00';
  for (let d = 2; d <= 100; d++) {
    const scale = 10 ** d;
    const up = Math.ceil(value * scale * (1 - 1e-12)) / scale;
    if (up <= 1.25 * value) return up.toFixed(d);
  }
  return value.toExponential(3);
}
