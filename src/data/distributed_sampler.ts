// PyTorch's DistributedSampler (docs/distributed.md): each rank visits a disjoint shard of one seeded
// permutation per epoch. The permutation is the one a single process draws (every rank computes it from
// (seed, epoch), nothing is sent), padded by repeating its start to a multiple of the world size, and
// rank r takes positions r, r + W, r + 2W, ... So batch k of every rank together is batch k of one process
// with a W times larger batch: what makes a W-process run equal to a 1-process run (test/unit/ddp_*).
import { checkOptionsObject } from '../core/options.js';
import { hashSeed, mulberry32, randomPermutation } from './random.js';

export interface DistributedSamplerOptions {
  rank: number;
  worldSize: number;
  /** A new seeded order each epoch (default true); false: 0..n-1. */
  shuffle?: boolean;
  seed?: number;
  /** Drop the tail instead of padding, so that the shards divide the data exactly (default false). */
  dropLast?: boolean;
}

const SAMPLER_KEYS = ['rank', 'worldSize', 'shuffle', 'seed', 'dropLast'];
const SAMPLER_SALT = 0x5a3b1e07;

/** Rank `rank`'s share of an order: positions rank, rank + W, ... of the order padded (or cut) to a multiple of W. */
export function shardOrder(order: Int32Array, rank: number, worldSize: number, dropLast = false): Int32Array {
  checkRank('shardOrder', rank, worldSize);
  const n = order.length;
  const per = dropLast ? Math.floor(n / worldSize) : Math.ceil(n / worldSize);
  const out = new Int32Array(per);
  for (let i = 0; i < per; i++) out[i] = order[(rank + i * worldSize) % n];
  return out;
}

/** How many items a rank's shard of n holds. */
export function shardLength(n: number, worldSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / worldSize) : Math.ceil(n / worldSize);
}

function checkRank(owner: string, rank: unknown, worldSize: unknown): void {
  if (!Number.isSafeInteger(worldSize) || (worldSize as number) < 1) throw new Error(`${owner}: worldSize must be a positive integer; got ${String(worldSize)}`);
  if (!Number.isSafeInteger(rank) || (rank as number) < 0 || (rank as number) >= (worldSize as number)) {
    throw new Error(`${owner}: rank must be an integer in 0..${(worldSize as number) - 1}; got ${String(rank)}`);
  }
}

export class DistributedSampler {
  readonly rank: number;
  readonly worldSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  #epoch = 0;

  constructor(readonly size: number, options: DistributedSamplerOptions) {
    const o = checkOptionsObject('DistributedSampler', options, SAMPLER_KEYS);
    if (!Number.isSafeInteger(size) || size < 1) throw new Error(`DistributedSampler: size must be a positive integer; got ${String(size)}`);
    checkRank('DistributedSampler', o.rank, o.worldSize);
    this.rank = o.rank;
    this.worldSize = o.worldSize;
    this.shuffle = o.shuffle ?? true;
    this.seed = o.seed ?? 0;
    this.dropLast = o.dropLast ?? false;
    if (!Number.isSafeInteger(this.seed)) throw new Error(`DistributedSampler: seed must be an integer; got ${String(o.seed)}`);
    if (this.dropLast && size < this.worldSize) throw new Error(`DistributedSampler: with dropLast, ${size} items give ${this.worldSize} ranks nothing`);
  }

  /** The epoch the next indices() are for (PyTorch's set_epoch: call it before each epoch). */
  setEpoch(epoch: number): void {
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`DistributedSampler.setEpoch: epoch must be an integer >= 0; got ${String(epoch)}`);
    this.#epoch = epoch;
  }

  /** Items per rank and epoch. */
  get length(): number {
    return shardLength(this.size, this.worldSize, this.dropLast);
  }

  /** This rank's indices for the current epoch. */
  indices(): Int32Array {
    const order = this.shuffle
      ? randomPermutation(this.size, mulberry32(hashSeed(SAMPLER_SALT, this.seed, this.#epoch)))
      : Int32Array.from({ length: this.size }, (_, i) => i);
    return shardOrder(order, this.rank, this.worldSize, this.dropLast);
  }
}
