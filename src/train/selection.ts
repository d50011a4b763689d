// The one selection rule: which of two validation values is better. Used by the fit loop (best epoch,
// early stopping) and by the grid runs of `compare` and `images compare` (best grid point or lr).
// A NaN value never wins; anything that is not NaN beats a NaN (or the absence of a) best.

/** Does `value` beat `best` (null: nothing yet)? Ties keep the earlier one. */
export function improves(value: number, best: number | null | undefined, higherIsBetter: boolean): boolean {
  if (Number.isNaN(value)) return false;
  if (best === null || best === undefined || Number.isNaN(best)) return true;
  return higherIsBetter ? value > best : value < best;
}

/** The index of the best of `values` by this rule: the first on ties; 0 when all are NaN. */
export function bestIndex(values: readonly number[], higherIsBetter: boolean): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (improves(values[i], values[best], higherIsBetter)) best = i;
  return best;
}
