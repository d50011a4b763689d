// The binarity score of docs/method.md §4: how binary a layer's smooth outputs already are.
import { checkValues } from './check.js';

/**
 * Share of `values` that are > `high` or < `low` (default 0.99 and 0.01): 1 when every smooth step
 * output is already at 0 or 1. NaN values count as not binary. Throws on an empty array.
 */
export function binarityScore(values: ArrayLike<number>, low = 0.01, high = 0.99): number {
  checkValues('binarityScore', 'values', values);
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) {
    throw new Error(`binarityScore: low and high must be finite numbers with low <= high; got low=${low}, high=${high}`);
  }
  if (values.length === 0) throw new Error('binarityScore: no values (values is empty)');
  let binary = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > high || v < low) binary++;
  }
  return binary / values.length;
}
