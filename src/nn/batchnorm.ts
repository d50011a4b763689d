// BatchNorm1d and BatchNorm2d. In training they normalize with the batch's statistics and fold them into
// running_mean/running_var (libtorch's batch_norm updates those buffers in place, with momentum); in
// eval they normalize with the running statistics. Buffer names are PyTorch's.
// With `syncStats` set (SyncBatchNorm, src/distributed/sync_batch_norm.ts), training normalizes with the
// statistics of the batch over every rank: the local per-channel sums go through syncStats (a sum across
// ranks that autograd differentiates) and the rest is the same formula, in batch_norm_sync.ts.
import { batchNorm, ones, zeros } from '../tensor/functions.generated.js';
import { batchNormSynced, type StatsReducer } from './batch_norm_sync.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import { ones_, zeros_ } from './init.js';
import { checkOptions, checkPositiveInt, FACTORY_KEYS, type FactoryOptions } from './layer_options.js';
import { Module } from './module.js';

export interface BatchNormOptions extends FactoryOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1); null: a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale (weight) and shift (bias) (default true). */
  affine?: boolean;
  /** Keep running statistics for eval (default true); false: eval uses batch statistics too. */
  trackRunningStats?: boolean;
}

const BN_KEYS = ['eps', 'momentum', 'affine', 'trackRunningStats', ...FACTORY_KEYS];

abstract class BatchNormNd extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  /** int64 scalar: training batches seen (PyTorch's num_batches_tracked). */
  readonly numBatchesTracked: Tensor | null;
  readonly #layer: string;
  /** Set: training uses the batch statistics over every rank (SyncBatchNorm); null: this process's batch (default). */
  syncStats: StatsReducer | null = null;

  constructor(layer: string, numFeatures: number, options: BatchNormOptions) {
    super();
    this.#layer = layer;
    checkOptions(layer, options, BN_KEYS);
    this.numFeatures = checkPositiveInt(layer, 'numFeatures', numFeatures);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (typeof this.eps !== 'number' || !(this.eps >= 0)) throw new Error(`${layer}: eps must be a non-negative number; got ${JSON.stringify(options.eps)}`);
    if (this.momentum !== null && (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum <= 1))) {
      throw new Error(`${layer}: momentum must be a number in [0, 1] or null; got ${JSON.stringify(options.momentum)}`);
    }
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const factory = { dtype: options.dtype, device: options.device };
    this.weight = this.registerParameter('weight', this.affine ? ones([numFeatures], factory) : null);
    this.bias = this.registerParameter('bias', this.affine ? zeros([numFeatures], factory) : null);
    const track = this.trackRunningStats;
    this.runningMean = this.registerBuffer('running_mean', track ? zeros([numFeatures], factory) : null);
    this.runningVar = this.registerBuffer('running_var', track ? ones([numFeatures], factory) : null);
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: 'int64', device: options.device }) : null);
  }

  /** Running statistics back to mean 0, variance 1, no batches seen. */
  resetRunningStats(): void {
    if (this.runningMean) zeros_(this.runningMean);
    if (this.runningVar) ones_(this.runningVar);
    if (this.numBatchesTracked) zeros_(this.numBatchesTracked);
  }

  /** Running statistics reset, weight 1, bias 0. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  /** Throws unless the input has a rank this layer takes. */
  protected abstract checkInput(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked) {
      noGrad(() => this.numBatchesTracked!.add_(1));
      if (this.momentum === null) factor = 1 / Number(this.numBatchesTracked.item());
    }
    if (this.training && this.syncStats) {
      return batchNormSynced(input, this, factor, this.syncStats);
    }
    // Batch statistics in training, and in eval too when there are no running statistics.
    const useBatchStats = this.training || this.runningMean === null;
    const updateRunning = !this.training || this.trackRunningStats;
    return batchNorm(input, updateRunning ? this.runningMean : null, updateRunning ? this.runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
    });
  }

  protected rankError(input: Tensor, expected: string): Error {
    return new Error(`${this.#layer}: expected ${expected} input; got shape [${input.shape.join(', ')}]`);
  }

  extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch norm over [N, C] or [N, C, L], per channel C. */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }

  protected checkInput(input: Tensor): void {
    if (input.shape.length !== 2 && input.shape.length !== 3) throw this.rankError(input, '2D or 3D');
  }
}

/** Batch norm over [N, C, H, W], per channel C. */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
  }

  protected checkInput(input: Tensor): void {
    if (input.shape.length !== 4) throw this.rankError(input, '4D');
  }
}
