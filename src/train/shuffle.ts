// The trainer's seeded shuffles. Each epoch's order is a pure function of (seed, epoch), so a run that
// resumes at epoch e needs no generator state to draw the same batches as an uninterrupted one.

/** The name of the scheme, stored in checkpoints so a future change cannot resume with other batches. */
export const SHUFFLE_SCHEME = 'mulberry32(hash(seed, epoch)) Fisher-Yates v1';

function mix32(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: a small, fast 32-bit generator; returns floats in [0, 1). */
function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded random permutation of 0..n-1 for one epoch (Fisher–Yates). */
export function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  const low = seed % 4294967296;
  const high = Math.floor(seed / 4294967296);
  const random = mulberry32(mix32(mix32(mix32(0x9e3779b9, low), high), epoch));
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
