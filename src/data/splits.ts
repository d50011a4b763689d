// Seeded random train/validation/test splits (docs/method.md §5: 70/10/20, repeated with 5 seeds).
import { hashSeed, mulberry32, randomPermutation } from './random.js';
import type { Split } from './tabular_types.js';

export const DEFAULT_FRACTIONS: readonly [number, number, number] = [0.7, 0.1, 0.2];

/** The name of the scheme (a different scheme would give other splits for the same seed). */
export const SPLIT_SCHEME = 'mulberry32(mix(seed)) Fisher-Yates, largest-remainder sizes, sorted parts v1';

/**
 * Whole sizes from exact shares by the largest-remainder method: each share rounded down, then the
 * `total` − Σ⌊share⌋ units left go one each to the largest remainders (ties to the lower index). With
 * shares that sum to `total`, the sizes sum to it and each is within 1 of its share.
 */
export function largestRemainder(shares: readonly number[], total: number): number[] {
  const sizes = shares.map(Math.floor);
  let left = total - sizes.reduce((a, b) => a + b, 0);
  const order = shares.map((_, k) => k).sort((a, b) => (shares[b] - sizes[b]) - (shares[a] - sizes[a]) || a - b);
  for (const k of order) {
    if (left <= 0) break;
    sizes[k]++;
    left--;
  }
  return sizes;
}

/** Part sizes by the largest-remainder method: they sum to n and each is within 1 of n·fraction. */
export function splitSizes(n: number, fractions: readonly [number, number, number]): [number, number, number] {
  return largestRemainder(fractions.map((f) => n * f), n) as [number, number, number];
}

/**
 * A seeded random split of rows 0..n-1 into train/val/test (default fractions 0.7/0.1/0.2). The same
 * (n, seed, fractions) always gives the same split; each part is sorted ascending. Sizes follow the
 * fractions by the largest-remainder method (n = 7043: 4930/704/1409). Throws when n or the seed is not
 * an integer, the fractions are not three non-negative numbers summing to 1, or a part with a positive
 * fraction would be empty.
 */
export function randomSplit(n: number, seed: number, fractions: [number, number, number] = [...DEFAULT_FRACTIONS]): Split {
  if (!Number.isInteger(n) || n < 1) throw new Error(`randomSplit: n must be a positive integer (the number of rows), got ${String(n)}`);
  if (!Number.isSafeInteger(seed)) throw new Error(`randomSplit: seed must be an integer, got ${String(seed)}`);
  if (!Array.isArray(fractions) || fractions.length !== 3 || !fractions.every((f) => typeof f === 'number' && Number.isFinite(f) && f >= 0)) {
    throw new Error(`randomSplit: fractions must be three non-negative numbers [train, val, test], got ${JSON.stringify(fractions)}`);
  }
  const total = fractions[0] + fractions[1] + fractions[2];
  if (Math.abs(total - 1) > 1e-9) throw new Error(`randomSplit: fractions must sum to 1, got ${JSON.stringify(fractions)} (sum ${total})`);
  const sizes = splitSizes(n, fractions);
  const names = ['train', 'val', 'test'];
  sizes.forEach((size, k) => {
    if (size === 0 && fractions[k] > 0) {
      throw new Error(`randomSplit: ${n} rows are too few for fractions ${JSON.stringify(fractions)}: the ${names[k]} part would be empty`);
    }
  });
  const perm = randomPermutation(n, mulberry32(hashSeed(0x2545f491, seed)));
  const part = (from: number, to: number): number[] => Array.from(perm.subarray(from, to)).sort((a, b) => a - b);
  return {
    train: part(0, sizes[0]),
    val: part(sizes[0], sizes[0] + sizes[1]),
    test: part(sizes[0] + sizes[1], n),
  };
}
