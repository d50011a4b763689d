// The trainer's seeded shuffles. Each epoch's order is a pure function of (seed, epoch), so a run that
// resumes at epoch e needs no generator state to draw the same batches as an uninterrupted one.

import { hashSeed, mulberry32, randomPermutation } from '../data/random.js';

/** The name of the scheme, stored in checkpoints so a future change cannot resume with other batches. */
export const SHUFFLE_SCHEME = 'mulberry32(hash(seed, epoch)) Fisher-Yates v1';

/** A seeded random permutation of 0..n-1 for one epoch (Fisher–Yates). */
export function epochPermutation(n: number, seed: number, epoch: number): Int32Array {
  return randomPermutation(n, mulberry32(hashSeed(0x9e3779b9, seed, epoch)));
}
