// The seeded generator behind every split, batch order and study in htaf's tabular code: small, fast and
// the same on every machine (libtorch's generator is not used, so data order never depends on tensors).

/** One round of a 32-bit hash (murmur3's finalizer over h ^ v): folds v into the state h. */
export function mix32(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A generator state from a salt (one per use, so uses never share a stream), a seed (any safe integer) and extra integers. */
export function hashSeed(salt: number, seed: number, ...extra: number[]): number {
  let h = mix32(mix32(salt, seed % 4294967296), Math.floor(seed / 4294967296));
  for (const e of extra) h = mix32(h, e);
  return h;
}

/** mulberry32: a 32-bit generator; returns floats in [0, 1). */
export function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random permutation of 0..n-1 (Fisher–Yates, drawing from `random`). */
export function randomPermutation(n: number, random: () => number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm;
}
