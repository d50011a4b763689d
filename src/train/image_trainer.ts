// One image training run (issue 5): a model of the zoo (standard / DHN / BNN / SNN, image_zoo.ts) trained
// with Adam or SGD under a cosine (or constant) learning-rate schedule on minibatches from the prefetching
// ImageLoader; a validation part split from the training set picks the best epoch by its accuracy with
// exact steps; the best weights are reported on the test set with exact and smooth steps (image_eval.ts).
//
// Files in outDir, each written atomically (temp file, fsync, rename):
//   checkpoint.safetensors  after every epoch: model, optimizer, schedule, epoch, history, best weights, config
//   best.safetensors        when an epoch improves the validation accuracy: the weights and what rebuilds
//                           the model (loadImageModel reads it; `htaf images convert` starts from it)
// BatchNorm running statistics are re-estimated with each epoch's final weights before validation
// (preciseBn; image_precise_bn.ts says why: spiking networks need it at small budgets).
// `resume` continues from checkpoint.safetensors to the same result as an uninterrupted run: the batch
// order and augmentation are functions of (seed, epoch) in the loader, and libtorch's generator (dropout)
// is reseeded from (seed, epoch) at the start of every epoch, so no generator state needs saving.
// A NaN or infinite loss stops the run before that step is taken; the best weights so far are kept and
// reported (the initial weights when no epoch finished), with a message naming the epoch and the batch.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Adam, CosineAnnealingLR, SGD } from '../optim/index.js';
import { ImageLoader, channelStats, evalBatches, splitTrainVal, type ChannelStats, type ImageDataset } from '../data/images/index.js';
import { Module } from '../nn/index.js';
import { crossEntropy } from '../tensor/functions.generated.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import type { ImageBatch } from '../data/images/index.js';
import { manualSeed } from '../core/runtime.js';
import { tidy } from '../core/scope.js';
import { hashSeed } from '../data/random.js';
import { buildImageModel, describeImageModel, resolveImageModelSpec, type ImageModelOptions, type ImageModelSpec } from '../models/image_zoo.js';
import { countCorrect, evaluateImageModel, type ImageEvalResult } from './image_eval.js';
import { recomputeBatchNormStats } from './image_precise_bn.js';
import { fit } from './fit.js';
import { RunState } from './run_state.js';
import { DistributedDataParallel } from '../distributed/ddp.js';
import type { ProcessGroup } from '../distributed/process_group.js';
import { convertSyncBatchNorm } from '../distributed/sync_batch_norm.js';
import { combineHooks, ddpHooks, rankZeroWrites } from './distributed_hooks.js';

export const IMAGE_OPTIMIZERS = ['adam', 'sgd'] as const;
export type ImageOptimizer = (typeof IMAGE_OPTIMIZERS)[number];
export const LR_SCHEDULES = ['cosine', 'constant'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

/** Everything that decides a run's result (with the data). JSON-able; stored in checkpoints. */
export interface ImageTrainConfig {
  /** The model (kind, backbone, method, sizes); the image shape and classes come from the data. */
  model: ImageModelOptions;
  epochs: number;
  batch: number;
  lr: number;
  optimizer: ImageOptimizer;
  /** SGD momentum (ignored by Adam). */
  momentum: number;
  weightDecay: number;
  schedule: LrSchedule;
  /** Seeds the weights, the validation split, the batch order, augmentation and dropout. */
  seed: number;
  /** Share of the training set held out for validation, in (0, 1). */
  valFraction: number;
  /** Training-time augmentation; null for none. */
  augment: { cropPadding: number; horizontalFlip: boolean } | null;
  /**
   * Before each validation, re-estimate every BatchNorm's running statistics with the epoch's final
   * weights on up to this many training batches (image_precise_bn.ts; 0: off, the plain running average).
   * Optional for configs written before it existed; imageTrainConfig always sets it (default 20).
   */
  preciseBn?: number;
}

/** Defaults of the optional config fields: Adam 1e-3, cosine, batch 128, 10% validation, precise BN on 20 batches. */
export const IMAGE_TRAIN_DEFAULTS = {
  epochs: 10,
  batch: 128,
  lr: 1e-3,
  optimizer: 'adam',
  momentum: 0.9,
  weightDecay: 0,
  schedule: 'cosine',
  seed: 0,
  valFraction: 0.1,
  augment: null,
  preciseBn: 20,
} as const satisfies Omit<ImageTrainConfig, 'model'>;

/** The training and test images; the validation part is split from train (config.valFraction). */
export interface ImageTrainData {
  train: ImageDataset;
  test: ImageDataset;
  /** A name for reports ('fashion-mnist', 'cifar10:/data/cifar'). */
  name?: string;
}

export type ImageTrainEvent =
  | { kind: 'start'; model: string; parameters: number; epochs: number; firstEpoch: number; batches: number; images: { train: number; val: number; test: number }; resumed: boolean; distributed?: { rank: number; worldSize: number; globalBatch: number } }
  | { kind: 'batch'; epoch: number; epochs: number; batch: number; batches: number; loss: number; accuracy: number; imagesPerSecond: number }
  | { kind: 'epoch'; epoch: number; epochs: number; trainLoss: number; trainAccuracy: number; valAccuracy: number; lr: number; imagesPerSecond: number; seconds: number; improved: boolean }
  | { kind: 'nan'; epoch: number; batch: number; message: string }
  | { kind: 'evaluate'; part: 'val' | 'test' };

export interface ImageTrainOptions {
  /** Where checkpoint.safetensors and best.safetensors go; created if missing. */
  outDir?: string;
  /** Continue from outDir/checkpoint.safetensors (same config and data); starts afresh when there is none. */
  resume?: boolean;
  /** Progress: run start, every batch, every epoch (after its checkpoint is written), a NaN stop, evaluation. */
  onEvent?: (e: ImageTrainEvent) => void;
  /** Prepare the next batch in a worker while the current one trains (default true). */
  prefetch?: boolean;
  /** Images per evaluation forward pass (default: config.batch). */
  evalBatch?: number;
  /** Builds the model from its resolved spec (default buildImageModel; tests pass tiny models). */
  createModel?: (spec: ImageModelSpec) => Module;
  /**
   * Data-parallel training over a process group (docs/distributed.md): config.batch is per rank (the global
   * batch is batch × world size), each rank trains on its shard of every epoch, gradients are averaged after
   * backward, rank 0 alone writes the checkpoint and best.safetensors. Every rank returns the same result.
   */
  distributed?: ImageDistributedOptions;
}

export interface ImageDistributedOptions {
  group: ProcessGroup;
  /** Batch norm with the statistics of the global batch (default false: per rank, as PyTorch's DDP). */
  syncBatchNorm?: boolean;
  /** DistributedDataParallel's bucket size (default 25 MiB). */
  bucketCapMB?: number;
}

export interface ImageEpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valAccuracy: number;
  lr: number;
  imagesPerSecond: number;
  seconds: number;
}

export interface ImageTrainResult {
  config: ImageTrainConfig;
  /** The resolved model spec (what buildImageModel was given) and its one-line description. */
  model: ImageModelSpec;
  description: string;
  parameters: number;
  data: { name: string; train: number; val: number; test: number; classes: readonly string[]; shape: [number, number, number]; stats: ChannelStats };
  /** The epoch whose weights are reported (0: the initial weights, after a NaN stop in epoch 1). */
  bestEpoch: number;
  epochsRun: number;
  history: ImageEpochRecord[];
  /** Validation accuracy of the reported weights, exact and smooth steps. */
  val: { accuracy: number; smoothAccuracy: number };
  test: ImageEvalResult;
  /** Mean training images per second over the epochs run. */
  trainImagesPerSecond: number;
  seconds: number;
  stoppedOnNaN?: { epoch: number; batch: number; message: string };
  files?: { checkpoint: string; best: string };
}

/** What best.safetensors holds beside the weights: enough to rebuild and use the model. */
export interface ImageModelMeta {
  kind: 'htaf-image-model';
  version: 1;
  model: ImageModelSpec;
  description: string;
  config: ImageTrainConfig;
  dataset: string;
  classes: string[];
  stats: ChannelStats;
  epoch: number;
  valAccuracy: number | null;
}

// ---- checks -----------------------------------------------------------------------------------------

const CONFIG_KEYS = ['model', 'epochs', 'batch', 'lr', 'optimizer', 'momentum', 'weightDecay', 'schedule', 'seed', 'valFraction', 'augment', 'preciseBn'] as const;

/** Fills the defaults and checks every field; the result is a plain JSON-able copy. Errors name the field. */
export function imageTrainConfig(config: Partial<ImageTrainConfig> & { model: ImageModelOptions }): ImageTrainConfig {
  const bad = (msg: string): never => {
    throw new Error(`trainImageModel: config.${msg}`);
  };
  if (config === null || typeof config !== 'object') throw new Error('trainImageModel: config must be an object (ImageTrainConfig)');
  for (const k of Object.keys(config)) if (!(CONFIG_KEYS as readonly string[]).includes(k)) bad(`${k} is not an ImageTrainConfig key; allowed: ${CONFIG_KEYS.join(', ')}`);
  const c = { ...IMAGE_TRAIN_DEFAULTS, ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) } as ImageTrainConfig;
  if (c.model === null || typeof c.model !== 'object' || typeof c.model.kind !== 'string') bad(`model must be an object with a kind (standard, dhn, bnn, snn); got ${JSON.stringify(c.model)}`);
  const posInt = (k: 'epochs' | 'batch') => (Number.isInteger(c[k]) && c[k] > 0) || bad(`${k} must be a positive integer; got ${String(c[k])}`);
  posInt('epochs');
  posInt('batch');
  if (!Number.isSafeInteger(c.seed) || c.seed < 0) bad(`seed must be an integer >= 0; got ${String(c.seed)}`);
  if (!Number.isSafeInteger(c.preciseBn) || c.preciseBn! < 0) bad(`preciseBn must be an integer >= 0 (training batches; 0: off); got ${String(c.preciseBn)}`);
  if (typeof c.lr !== 'number' || !Number.isFinite(c.lr) || c.lr <= 0) bad(`lr must be a finite number > 0; got ${String(c.lr)}`);
  for (const k of ['momentum', 'weightDecay'] as const) if (typeof c[k] !== 'number' || !Number.isFinite(c[k]) || c[k] < 0) bad(`${k} must be a finite number >= 0; got ${String(c[k])}`);
  if (!(IMAGE_OPTIMIZERS as readonly string[]).includes(c.optimizer)) bad(`optimizer must be one of ${IMAGE_OPTIMIZERS.join(', ')}; got ${JSON.stringify(c.optimizer)}`);
  if (!(LR_SCHEDULES as readonly string[]).includes(c.schedule)) bad(`schedule must be one of ${LR_SCHEDULES.join(', ')}; got ${JSON.stringify(c.schedule)}`);
  if (typeof c.valFraction !== 'number' || !(c.valFraction > 0 && c.valFraction < 1)) bad(`valFraction must be a number in (0, 1); got ${String(c.valFraction)}`);
  let augment: ImageTrainConfig['augment'] = null;
  if (c.augment !== null) {
    const a = c.augment as Partial<NonNullable<ImageTrainConfig['augment']>>;
    if (typeof a !== 'object') bad(`augment must be null or { cropPadding, horizontalFlip }; got ${JSON.stringify(a)}`);
    const cropPadding = a.cropPadding ?? 0;
    if (!Number.isInteger(cropPadding) || cropPadding < 0) bad(`augment.cropPadding must be an integer >= 0; got ${String(a.cropPadding)}`);
    if (a.horizontalFlip !== undefined && typeof a.horizontalFlip !== 'boolean') bad(`augment.horizontalFlip must be true or false; got ${String(a.horizontalFlip)}`);
    augment = cropPadding === 0 && !a.horizontalFlip ? null : { cropPadding, horizontalFlip: !!a.horizontalFlip };
  }
  return {
    model: JSON.parse(JSON.stringify(c.model)), epochs: c.epochs, batch: c.batch, lr: c.lr, optimizer: c.optimizer, momentum: c.momentum,
    weightDecay: c.weightDecay, schedule: c.schedule, seed: c.seed, valFraction: c.valFraction, augment, preciseBn: c.preciseBn,
  };
}

function checkDataset(where: string, ds: ImageDataset | undefined): ImageDataset {
  if (!ds || !(ds.images instanceof Uint8Array) || !(ds.labels instanceof Int32Array)) throw new Error(`trainImageModel: data.${where} must be an ImageDataset ({ images: Uint8Array, labels: Int32Array, channels, height, width, classes, source })`);
  if (ds.labels.length === 0) throw new Error(`trainImageModel: data.${where} (${ds.source}) holds no images`);
  return ds;
}

/** A fingerprint of a dataset's pixels and labels: a checkpoint is resumed only on the same data. */
function fingerprint(ds: ImageDataset): string {
  return createHash('sha256').update(ds.images).update(new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, ds.labels.byteLength)).digest('hex').slice(0, 16);
}

// ---- the run ----------------------------------------------------------------------------------------

const EPOCH_SEED_SALT = 0x5eed1a9e;
const LOADER_SEED_SALT = 0x10ade5;

/** The message of a NaN stop: where it happened and which weights are reported. */
export function imageNanMessage(epoch: number, batch: number, lr: number, bestEpoch: number): string {
  const kept = bestEpoch === 0 ? 'the initial weights (no epoch finished)' : `the best weights (epoch ${bestEpoch})`;
  return `training stopped at epoch ${epoch}, batch ${batch}: the loss became NaN or infinite (lr ${lr} may be too high); keeping ${kept}`;
}

/**
 * Trains an image model and reports it on the test set (see the file header): an adapter over the one fit
 * loop (fit.ts) — batches from the ImageLoader, cross-entropy, selection on validation accuracy.
 * @example const r = await trainImageModel({ model: { kind: 'dhn', method: 'htaf' }, epochs: 5 }, source, { outDir: 'runs/dhn' });
 */
export async function trainImageModel(
  configIn: Partial<ImageTrainConfig> & { model: ImageModelOptions },
  data: ImageTrainData,
  options: ImageTrainOptions = {},
): Promise<ImageTrainResult> {
  const config = imageTrainConfig(configIn);
  if (data === null || typeof data !== 'object') throw new Error('trainImageModel: data must be { train, test } image datasets');
  const fullTrain = checkDataset('train', data.train);
  const test = checkDataset('test', data.test);
  const shape: [number, number, number] = [fullTrain.channels, fullTrain.height, fullTrain.width];
  if (test.channels !== shape[0] || test.height !== shape[1] || test.width !== shape[2]) {
    throw new Error(`trainImageModel: data.test images are ${test.channels}×${test.height}×${test.width} but data.train's are ${shape.join('×')}`);
  }
  const classes = fullTrain.classes;
  if (classes.length < 2) throw new Error(`trainImageModel: data.train (${fullTrain.source}) has ${classes.length} class; at least 2 are needed`);
  if (shape[1] !== shape[2]) throw new Error(`trainImageModel: images must be square; data.train's are ${shape[1]}×${shape[2]}`);
  const spec = resolveImageModelSpec({ ...config.model, inChannels: shape[0], imageSize: shape[1], numClasses: classes.length });
  const { outDir, resume = false, onEvent = () => {}, distributed } = options;
  const rank = distributed?.group.rank ?? 0;
  const world = distributed?.group.worldSize ?? 1;
  if (resume && outDir === undefined) throw new Error('trainImageModel: resume needs outDir (where checkpoint.safetensors is)');
  const checkpointPath = outDir === undefined ? undefined : join(outDir, 'checkpoint.safetensors');
  const bestPath = outDir === undefined ? undefined : join(outDir, 'best.safetensors');
  if (outDir !== undefined) mkdirSync(outDir, { recursive: true });

  const { train, val } = splitTrainVal(fullTrain, config.valFraction, config.seed);
  if (train.labels.length === 0 || val.labels.length === 0) {
    throw new Error(`trainImageModel: ${fullTrain.labels.length} training images are too few for a ${config.valFraction} validation split with both parts non-empty`);
  }
  const stats = channelStats(train);
  const dataMeta = { train: fingerprint(fullTrain), test: fingerprint(test), trainImages: train.labels.length, testImages: test.labels.length, valImages: val.labels.length };
  const name = data.name ?? fullTrain.source;
  const runState = new RunState<ImageTrainConfig, ImageEpochRecord>(checkpointPath, {
    owner: 'trainImageModel', kind: 'htaf-image-train-run', version: 1, config, configKeys: CONFIG_KEYS, fields: { data: dataMeta, ...(world > 1 ? { worldSize: world } : {}) },
    mismatch: {
      data: (saved, now) => `it was trained on other data (${JSON.stringify(saved)}, now ${JSON.stringify(now)})`,
      worldSize: (saved, now) => `it was trained by ${saved ?? 1} process(es), now ${now ?? 1} (the batch order depends on it)`,
    },
  });

  let model: Module | undefined;
  let optimizer: Adam | SGD | undefined;
  let loader: ImageLoader | undefined;
  try {
    manualSeed(config.seed);
    const m = (model = (options.createModel ?? buildImageModel)(spec));
    const parameters = m.parameterCount();
    if (distributed?.syncBatchNorm) convertSyncBatchNorm(m, distributed.group);
    const ddp = distributed ? new DistributedDataParallel(m, { processGroup: distributed.group, bucketCapMB: distributed.bucketCapMB }) : undefined;
    const o = (optimizer = config.optimizer === 'adam'
      ? new Adam(m.parameters(), { lr: config.lr, weightDecay: config.weightDecay })
      : new SGD(m.parameters(), { lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay }));
    const scheduler = config.schedule === 'cosine' ? new CosineAnnealingLR(o, { tMax: config.epochs }) : null;

    // Batches with a single image break batch norm in training mode: an incomplete last batch is dropped.
    const nTrain = train.labels.length;
    const dropLast = nTrain > config.batch * world;
    const l = (loader = new ImageLoader(train, {
      batchSize: config.batch, stats, shuffle: true, seed: hashSeed(LOADER_SEED_SALT, config.seed), dropLast, prefetch: options.prefetch ?? true,
      ...(distributed ? { shard: { rank, worldSize: world } } : {}),
      ...(config.augment ? { augment: config.augment } : {}),
    }));
    const batches = l.batchesPerEpoch;
    const evalBatch = options.evalBatch ?? config.batch;
    let lr = config.lr;
    const { state } = await fit<ImageBatch, ImageEpochRecord>({
      model: m, optimizer: o, scheduler, epochs: config.epochs, runState: rankZeroWrites(runState, rank), resume, select: { higherIsBetter: true },
      batches: (epoch) => l.batches(epoch),
      forward(b) {
        const logits = m.call(b.x);
        return { loss: crossEntropy(logits, b.y), rows: b.indices.length, afterStep: () => countCorrect(logits, b.y) };
      },
      evaluate(t) {
        if (ddp) {
          // The epoch's figures over every rank; rank 0's buffers, so every rank validates the same model.
          [t.lossSum, t.rows, t.stepSum] = ddp.sumOverRanks([t.lossSum, t.rows, t.stepSum]);
          ddp.syncBuffers();
        }
        if (config.preciseBn! > 0) recomputeBatchNormStats(m, evalBatches(train, config.batch, stats), config.preciseBn!);
        const valAccuracy = evaluateImageModel(m, val, { stats, batchSize: evalBatch, smooth: false, layers: false }).accuracy;
        m.train();
        const record: ImageEpochRecord = {
          epoch: t.epoch, trainLoss: t.lossSum / t.rows, trainAccuracy: t.stepSum / t.rows, valAccuracy, lr, imagesPerSecond: t.rows / t.seconds, seconds: (performance.now() - t.started) / 1000,
        };
        return { record, value: valAccuracy };
      },
      nanRecord: (epoch, batch, s) => ({ batch, message: imageNanMessage(epoch, batch, lr, s.bestEpoch) }),
      saveBest(weights, s) {
        if (bestPath === undefined || rank !== 0) return;
        const meta: ImageModelMeta = {
          kind: 'htaf-image-model', version: 1, model: spec, description: describeImageModel(spec), config, dataset: name, classes: [...classes], stats,
          epoch: s.bestEpoch, valAccuracy: s.best,
        };
        saveCheckpoint(bestPath, { model: weights, meta });
      },
      hooks: combineHooks(ddp && ddpHooks<ImageBatch, ImageEpochRecord>(ddp), {
        start: (s, resumed) => onEvent({ kind: 'start', model: describeImageModel(spec), parameters, epochs: config.epochs, firstEpoch: s.epoch + 1, batches, images: { train: nTrain, val: val.labels.length, test: test.labels.length }, resumed, ...(distributed ? { distributed: { rank, worldSize: world, globalBatch: config.batch * world } } : {}) }),
        epochStart(epoch) {
          manualSeed(hashSeed(EPOCH_SEED_SALT, config.seed, epoch));
          lr = o.paramGroups[0].lr;
        },
        batchEnd(b) {
          b.x.dispose();
          b.y.dispose();
        },
        batchDone: (e) => onEvent({ kind: 'batch', epoch: e.epoch, epochs: config.epochs, batch: e.batch, batches, loss: e.lossSum / e.seen, accuracy: e.stepSum / e.seen, imagesPerSecond: (e.seen * world) / ((performance.now() - e.started) / 1000) }),
        epochDone: ({ record: r, improved }) => onEvent({ kind: 'epoch', epoch: r.epoch, epochs: config.epochs, trainLoss: r.trainLoss, trainAccuracy: r.trainAccuracy, valAccuracy: r.valAccuracy, lr: r.lr, imagesPerSecond: r.imagesPerSecond, seconds: r.seconds, improved }),
        nanStop: (s) => onEvent({ kind: 'nan', epoch: s.stoppedOnNaN!.epoch, batch: s.stoppedOnNaN!.batch as number, message: s.stoppedOnNaN!.message as string }),
      }),
    });
    const fitted = performance.now();
    await l.close();
    loader = undefined;

    // The reported model: the best epoch's weights (fit left them in the model).
    onEvent({ kind: 'evaluate', part: 'val' });
    const valResult = evaluateImageModel(m, val, { stats, batchSize: evalBatch, layers: false });
    onEvent({ kind: 'evaluate', part: 'test' });
    const testResult = evaluateImageModel(m, test, { stats, batchSize: evalBatch });
    const trained = state.history.filter((h) => Number.isFinite(h.imagesPerSecond));
    const result: ImageTrainResult = {
      config,
      model: spec,
      description: describeImageModel(spec),
      parameters,
      data: { name, train: nTrain, val: val.labels.length, test: test.labels.length, classes: [...classes], shape, stats },
      bestEpoch: state.bestEpoch,
      epochsRun: state.epoch,
      history: state.history,
      val: { accuracy: valResult.accuracy, smoothAccuracy: valResult.smoothAccuracy },
      test: testResult,
      trainImagesPerSecond: trained.length ? trained.reduce((s, h) => s + h.imagesPerSecond, 0) / trained.length : NaN,
      seconds: state.seconds + (performance.now() - fitted) / 1000, // fit's seconds (every session) and the evaluation's
    };
    if (state.stoppedOnNaN) result.stoppedOnNaN = { ...(state.stoppedOnNaN as { epoch: number; batch: number; message: string }) };
    if (checkpointPath !== undefined && bestPath !== undefined) result.files = { checkpoint: checkpointPath, best: bestPath };
    return result;
  } finally {
    if (loader) await loader.close();
    optimizer?.dispose();
    model?.dispose();
  }
}

/**
 * Loads a model saved by trainImageModel (best.safetensors): rebuilds it from its spec, loads the weights,
 * returns it in eval mode with what it was trained with (classes, standardization). Dispose the model.
 */
export function loadImageModel(path: string, createModel: (spec: ImageModelSpec) => Module = buildImageModel): { model: Module; meta: ImageModelMeta } {
  return tidy(() => {
    const ck = loadCheckpoint<unknown, ImageModelMeta>(path);
    const meta = ck.meta;
    if (!meta || meta.kind !== 'htaf-image-model' || meta.version !== 1) {
      throw new Error(`loadImageModel: ${path} is not an image model saved by trainImageModel (best.safetensors; checkpoint.safetensors is the training state)`);
    }
    const model = createModel(resolveImageModelSpec(meta.model));
    try {
      model.loadStateDict(ck.model);
    } catch (err) {
      model.dispose();
      throw new Error(`loadImageModel: ${path}: ${(err as Error).message}`);
    }
    model.eval();
    return { model, meta };
  });
}
