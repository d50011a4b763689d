// The image batch loader (issue 5: "prepares the next batch while the current one trains"): a
// worker_threads Worker builds the next batches (order, augmentation, standardization) while the caller
// trains on the current one; the main thread only wraps the transferred arrays in tensors. Batches
// depend only on (seed, epoch, batch index), so batches() and batchesSync() give the same ones.
import { Worker } from 'node:worker_threads';
import { fromTypedArray } from '../../tensor/creation.js';
import { checkAugmentOptions } from './augment.js';
import { BatchBuilder, countBatches, planLength, type BatchPlan, type BuiltBatch } from './batch_builder.js';
import { checkImageDataset } from './dataset_ops.js';
import type { LoaderWorkerData, BatchReply, BatchRequest } from './loader_worker.js';
import type { AugmentOptions, ChannelStats, ImageBatch, ImageDataset } from './types.js';
import { checkOptionsObject } from '../../core/options.js';

export interface ImageLoaderOptions {
  batchSize: number;
  /** Standardization: x = (p/255 - mean[c]) / std[c] (see channelStats; use the training set's). */
  stats: ChannelStats;
  /** Visit the images in a seeded random order each epoch (default true). */
  shuffle?: boolean;
  /** Seeds the order and the augmentation (default 0). */
  seed?: number;
  /** Augmentation (default none). */
  augment?: AugmentOptions;
  /** Leave out the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Build batches in a worker thread ahead of use (default true); false builds them on the calling thread. */
  prefetch?: boolean;
  /** Distributed training: visit only this rank's shard of each epoch's order (DistributedSampler's). */
  shard?: { rank: number; worldSize: number };
}

/** How many batches the worker builds ahead of the one the caller trains on. */
const PREFETCH_DEPTH = 2;

const OPTION_NAMES = ['batchSize', 'stats', 'shuffle', 'seed', 'augment', 'dropLast', 'prefetch', 'shard'];

function checkBatchSize(where: string, batchSize: unknown): asserts batchSize is number {
  if (!Number.isInteger(batchSize) || (batchSize as number) < 1) throw new Error(`${where}: batchSize must be a positive integer, got ${String(batchSize)}`);
}

function checkStats(where: string, stats: ChannelStats, channels: number): void {
  if (stats === null || typeof stats !== 'object' || !Array.isArray(stats.mean) || !Array.isArray(stats.std)) {
    throw new Error(`${where}: stats must be { mean: number[], std: number[] } (see channelStats)`);
  }
  for (const key of ['mean', 'std'] as const) {
    const v = stats[key];
    if (v.length !== channels) throw new Error(`${where}: stats.${key} has ${v.length} values but the images have ${channels} channel${channels > 1 ? 's' : ''}`);
    v.forEach((s, c) => {
      if (typeof s !== 'number' || !Number.isFinite(s) || (key === 'std' && s <= 0)) {
        throw new Error(`${where}: stats.${key}[${c}] must be a finite number${key === 'std' ? ' > 0' : ''}, got ${String(s)}${key === 'std' ? ' (a constant channel cannot be standardized)' : ''}`);
      }
    });
  }
}

function checkShard(where: string, shard: { rank: number; worldSize: number }): void {
  if (shard === null || typeof shard !== 'object') throw new Error(`${where}: shard must be { rank, worldSize }`);
  const { rank, worldSize } = shard;
  if (!Number.isSafeInteger(worldSize) || worldSize < 1) throw new Error(`${where}: shard.worldSize must be a positive integer, got ${String(worldSize)}`);
  if (!Number.isSafeInteger(rank) || rank < 0 || rank >= worldSize) throw new Error(`${where}: shard.rank must be an integer in 0..${worldSize - 1}, got ${String(rank)}`);
}

function checkEpoch(where: string, epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`${where}: epoch must be an integer >= 0, got ${String(epoch)}`);
}

function toBatch(built: BuiltBatch, plan: BatchPlan): ImageBatch {
  const x = fromTypedArray(built.x, [built.indices.length, plan.channels, plan.height, plan.width]);
  try {
    return { x, y: fromTypedArray(built.y, [built.indices.length]), indices: built.indices };
  } catch (err) {
    x.dispose();
    throw err;
  }
}

interface Pending {
  resolve(batch: BuiltBatch): void;
  reject(err: Error): void;
}

export class ImageLoader {
  readonly batchesPerEpoch: number;
  private readonly plan: BatchPlan;
  private readonly builder: BatchBuilder;
  private readonly prefetch: boolean;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  // The worker stays unref'd: a timer holds the process open while a batch is awaited instead. A worker
  // handle that is being terminated does not hold the event loop, so with worker.ref()/unref() a reply
  // arriving during termination could let the process exit before the 'exit' event rejected the rest.
  private keepAlive: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly dataset: ImageDataset, options: ImageLoaderOptions) {
    const where = 'ImageLoader';
    checkImageDataset(dataset, where);
    if (options === undefined) throw new Error(`${where}: options { batchSize, stats, ... } are required`);
    checkOptionsObject(where, options, OPTION_NAMES);
    const { batchSize, stats, shuffle = true, seed = 0, augment, dropLast = false, prefetch = true, shard } = options;
    checkBatchSize(where, batchSize);
    checkStats(where, stats, dataset.channels);
    for (const [key, v] of [['shuffle', shuffle], ['dropLast', dropLast], ['prefetch', prefetch]] as const) {
      if (typeof v !== 'boolean') throw new Error(`${where}: ${key} must be a boolean, got ${String(v)}`);
    }
    if (!Number.isSafeInteger(seed)) throw new Error(`${where}: seed must be an integer, got ${String(seed)}`);
    if (augment !== undefined) checkAugmentOptions(augment, where);
    if (shard !== undefined) checkShard(where, shard);
    const n = planLength(dataset.labels.length, { shard });
    if (n === 0) throw new Error(`${where}: ${dataset.source} has no images`);
    if (dropLast && n < batchSize) {
      throw new Error(`${where}: with dropLast, ${n} images of ${dataset.source} make no batch of ${batchSize}; use a smaller batchSize or dropLast: false`);
    }
    this.plan = {
      channels: dataset.channels, height: dataset.height, width: dataset.width, batchSize, shuffle, seed, dropLast,
      ...(augment !== undefined ? { augment: { ...augment } } : {}),
      mean: [...stats.mean], std: [...stats.std],
      ...(shard !== undefined ? { shard: { rank: shard.rank, worldSize: shard.worldSize } } : {}),
    };
    this.builder = new BatchBuilder(dataset.images, dataset.labels, this.plan);
    this.batchesPerEpoch = countBatches(n, batchSize, dropLast);
    this.prefetch = prefetch;
  }

  /**
   * The batches of an epoch, each prepared in a worker thread while the caller uses the one before.
   * The caller disposes each batch's tensors. A failure of the worker is thrown from the iteration.
   * Leaving the loop early is fine: batches prepared ahead are dropped (they hold no tensors).
   */
  batches(epoch: number): AsyncIterableIterator<ImageBatch> {
    checkEpoch('ImageLoader.batches', epoch);
    this.checkOpen('batches');
    if (!this.prefetch) return this.syncAsAsync(epoch);
    return this.prefetched(epoch);
  }

  /** The same batches as batches(epoch), in the same order with the same augmentation, made on this thread. */
  batchesSync(epoch: number): IterableIterator<ImageBatch> {
    checkEpoch('ImageLoader.batchesSync', epoch);
    this.checkOpen('batchesSync');
    return this.syncBatches(epoch);
  }

  /** Ends the worker thread (idempotent); batches still being prepared are dropped. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closed = true;
      const worker = this.worker;
      this.worker = undefined;
      this.rejectPending(new Error('ImageLoader: closed while a batch was being prepared'));
      if (worker === undefined) this.closing = Promise.resolve();
      else {
        // Held open until the worker has stopped, so `await close()` always returns.
        const hold = setInterval(() => undefined, 2 ** 30);
        this.closing = worker.terminate().then(() => undefined).finally(() => clearInterval(hold));
      }
    }
    return this.closing;
  }

  private checkOpen(method: string): void {
    if (this.closed) throw new Error(`ImageLoader.${method}: the loader is closed`);
  }

  private *syncBatches(epoch: number): IterableIterator<ImageBatch> {
    for (let b = 0; b < this.batchesPerEpoch; b++) yield toBatch(this.builder.build(epoch, b), this.plan);
  }

  private async *syncAsAsync(epoch: number): AsyncIterableIterator<ImageBatch> {
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      this.checkOpen('batches');
      yield toBatch(this.builder.build(epoch, b), this.plan);
    }
  }

  private async *prefetched(epoch: number): AsyncIterableIterator<ImageBatch> {
    const ahead: Promise<BuiltBatch>[] = [];
    let requested = 0;
    const requestNext = (): void => {
      if (requested < this.batchesPerEpoch) ahead.push(this.request(epoch, requested++));
    };
    for (let k = 0; k < PREFETCH_DEPTH; k++) requestNext();
    for (let b = 0; b < this.batchesPerEpoch; b++) {
      const built = await ahead.shift()!;
      requestNext();
      yield toBatch(built, this.plan);
    }
  }

  /** Asks the worker for one batch. The promise never goes unhandled: its failure shows when it is awaited. */
  private request(epoch: number, batch: number): Promise<BuiltBatch> {
    let promise: Promise<BuiltBatch>;
    if (this.failure !== undefined) promise = Promise.reject(this.failure);
    else if (this.closed) promise = Promise.reject(new Error('ImageLoader.batches: the loader is closed'));
    else {
      const worker = this.startWorker();
      const id = this.nextId++;
      promise = new Promise<BuiltBatch>((resolve, reject) => this.pending.set(id, { resolve, reject }));
      // Only awaited work keeps the process alive: an idle worker (after a loop left early, or without
      // close()) must not stop the program from exiting.
      this.holdOpen();
      const request: BatchRequest = { id, epoch, batch };
      worker.postMessage(request);
    }
    promise.catch(() => undefined);
    return promise;
  }

  private startWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    // One copy of the pixels into shared memory, read by the worker for every batch after.
    const images = new Uint8Array(new SharedArrayBuffer(this.dataset.images.length));
    images.set(this.dataset.images);
    // The labels are sliced: posting a view would copy its whole underlying buffer.
    const workerData: LoaderWorkerData = { images, labels: this.dataset.labels.slice(), plan: this.plan };
    // The worker inherits the process's Node options, less --input-type, which a worker refuses (it only
    // applies to `node -e` text, and would stop the loader in a script run that way).
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const worker = new Worker(new URL('./loader_worker.js', import.meta.url), { workerData, execArgv });
    worker.unref();
    worker.on('message', (reply: BatchReply) => this.onReply(reply));
    worker.on('error', (err: Error) => this.fail(new Error(`ImageLoader: the batch worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code: number) => {
      if (this.worker === worker) this.worker = undefined;
      if (!this.closed) this.fail(new Error(`ImageLoader: the batch worker stopped (exit code ${code}) before the epoch's batches were made`));
    });
    this.worker = worker;
    return worker;
  }

  private onReply(reply: BatchReply): void {
    const entry = this.pending.get(reply.id);
    if (entry === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.release();
    if ('error' in reply) entry.reject(new Error(`ImageLoader: the batch worker failed: ${reply.error}`));
    else entry.resolve({ x: reply.x, y: reply.y, indices: reply.indices });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.rejectPending(this.failure);
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) void worker.terminate();
  }

  private holdOpen(): void {
    this.keepAlive ??= setInterval(() => undefined, 2 ** 30);
  }

  private release(): void {
    if (this.keepAlive !== undefined) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    this.worker?.unref(); // messaging refs the worker's handle again
  }

  private rejectPending(err: Error): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    this.release();
    for (const entry of entries) entry.reject(err);
  }
}

/** The dataset in order, in batches of batchSize (the last one may be smaller), standardized, not augmented. */
export function evalBatches(dataset: ImageDataset, batchSize: number, stats: ChannelStats): IterableIterator<ImageBatch> {
  const where = 'evalBatches';
  checkImageDataset(dataset, where);
  checkBatchSize(where, batchSize);
  checkStats(where, stats, dataset.channels);
  const plan: BatchPlan = {
    channels: dataset.channels, height: dataset.height, width: dataset.width, batchSize,
    shuffle: false, seed: 0, dropLast: false, mean: [...stats.mean], std: [...stats.std],
  };
  const builder = new BatchBuilder(dataset.images, dataset.labels, plan);
  return (function* () {
    for (let b = 0; b < builder.batchesPerEpoch; b++) yield toBatch(builder.build(0, b), plan);
  })();
}
