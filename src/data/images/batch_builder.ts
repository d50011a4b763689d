// How one batch is made from uint8 pixels: the epoch's order, augmentation, standardization to float32
// and int64 labels. Plain JavaScript with no tensors, so the loader's worker thread and the calling
// thread run this same code: a batch depends only on (seed, epoch, batch index), wherever it is made.
import { shardOrder, shardLength } from '../distributed_sampler.js';
import { hashSeed, mulberry32, randomPermutation } from '../random.js';
import { augmentImage, augmentIsActive, drawAugmentation } from './augment.js';
import type { AugmentOptions } from './types.js';

const ORDER_SALT = 0x0b5e7a11;
const AUGMENT_SALT = 0x3a6e1f27;

/** Everything that decides the batches, besides the pixels (plain data: it is posted to the worker). */
export interface BatchPlan {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly augment?: AugmentOptions;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** Distributed training: this rank's shard of each epoch's order (shardOrder); absent: the whole order. */
  readonly shard?: { readonly rank: number; readonly worldSize: number };
}

/** A batch as arrays: standardized pixels [B, C, H, W], labels [B], and which images they are. */
export interface BuiltBatch {
  readonly x: Float32Array;
  readonly y: BigInt64Array;
  readonly indices: Int32Array;
}

/** Batches in an epoch of n images: ceil(n / batchSize), or floor with dropLast. */
export function countBatches(n: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/** Images per epoch under a plan: all n, or a rank's shard of them. */
export function planLength(n: number, plan: Pick<BatchPlan, 'shard'>): number {
  return plan.shard ? shardLength(n, plan.shard.worldSize) : n;
}

/** Makes batches of one dataset's pixels under one plan; caches the current epoch's order. */
export class BatchBuilder {
  private readonly lut: Float32Array;
  private readonly imageSize: number;
  private readonly scratch: Uint8Array;
  private orderEpoch = -1;
  private order: Int32Array | undefined;

  constructor(private readonly images: Uint8Array, private readonly labels: Int32Array, private readonly plan: BatchPlan) {
    const { channels, height, width, mean, std } = plan;
    this.imageSize = channels * height * width;
    this.scratch = new Uint8Array(this.imageSize);
    // Standardized value of each byte per channel: (p/255 - mean)/std, the same float for every batch.
    this.lut = new Float32Array(channels * 256);
    for (let c = 0; c < channels; c++) for (let p = 0; p < 256; p++) this.lut[c * 256 + p] = (p / 255 - mean[c]) / std[c];
  }

  get batchesPerEpoch(): number {
    return countBatches(planLength(this.labels.length, this.plan), this.plan.batchSize, this.plan.dropLast);
  }

  /** The order images are visited in an epoch: a seeded permutation of (seed, epoch), or 0..n-1. */
  epochOrder(epoch: number): Int32Array {
    if (this.order === undefined || this.orderEpoch !== epoch) {
      const n = this.labels.length;
      const order = this.plan.shuffle ? randomPermutation(n, mulberry32(hashSeed(ORDER_SALT, this.plan.seed, epoch))) : Int32Array.from({ length: n }, (_, i) => i);
      const shard = this.plan.shard;
      this.order = shard ? shardOrder(order, shard.rank, shard.worldSize) : order;
      this.orderEpoch = epoch;
    }
    return this.order;
  }

  /** Batch `batch` (0-based) of `epoch`. */
  build(epoch: number, batch: number): BuiltBatch {
    const { channels, height, width, batchSize, augment } = this.plan;
    const order = this.epochOrder(epoch);
    const indices = order.slice(batch * batchSize, Math.min((batch + 1) * batchSize, order.length));
    const size = this.imageSize;
    const plane = height * width;
    const x = new Float32Array(indices.length * size);
    const y = new BigInt64Array(indices.length);
    // Each rank draws its own augmentations (the same batch index holds other images on each).
    const salt = this.plan.shard ? [this.plan.shard.rank] : [];
    const random = augmentIsActive(augment) ? mulberry32(hashSeed(AUGMENT_SALT, this.plan.seed, epoch, batch, ...salt)) : undefined;
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j];
      let pixels = this.images.subarray(i * size, (i + 1) * size);
      if (random !== undefined) pixels = augmentImage(pixels, channels, height, width, drawAugmentation(augment!, random), this.scratch);
      const out = j * size;
      for (let c = 0; c < channels; c++) {
        const lut = c * 256;
        const from = c * plane;
        for (let k = 0; k < plane; k++) x[out + from + k] = this.lut[lut + pixels[from + k]];
      }
      y[j] = BigInt(this.labels[i]);
    }
    return { x, y, indices };
  }
}
