// One ICBM run (issue 6, docs/method.md §4): trains the ICBM (a zoo backbone whose final Linear gives M concept
// pre-activations, the concept layer's binary activation, a linear head) and the standard model (the same
// network with ReLU in place of the binary activation, or one given with `baseline`), then reads both
// models' concept-layer outputs on the training and test images and writes what the concept tools need
// (run.json + concepts.safetensors, src/concepts/run_data.ts) and the Table 2/9/10 metrics:
//   standard  test accuracy; the binarity score of its ReLU features
//   icbm      accuracy with exact concepts, with smooth concepts, binarity score, concept accuracy
//   bm        the standard model with each feature binarized at its median over the training images
//             (BM): accuracy before (the standard model's) and after, binarity 1, concept accuracy
// Both trainings go through trainImageModel (checkpoints each epoch, resume, NaN stop), in
// <out>/icbm and <out>/standard.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Icbm, type ConceptLayerDesign } from '../models/index.js';
import { accuracy, binarityScore, conceptAccuracy, medianThresholds, binarize } from '../metrics/index.js';
import { evalBatches, takeImages, type ChannelStats, type ImageDataset } from '../data/images/index.js';
import { fromTypedArray } from '../tensor/creation.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tidy } from '../core/scope.js';
import { withStepMode } from '../activations/index.js';
import { writeIcbmRun, type IcbmRunData } from '../concepts/index.js';
import type { Module } from '../nn/index.js';
import { architectureName, buildImageModel, type ImageModelSpec } from '../models/image_zoo.js';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { loadImageModel, trainImageModel, type ImageDistributedOptions, type ImageTrainConfig, type ImageTrainData, type ImageTrainEvent, type ImageTrainResult } from './image_trainer.js';

/** The backbones an ICBM can use, by the names the CLI takes, and the zoo's name for each. */
export const ICBM_BACKBONES = { resnet: 'resnet18', wrn: 'wrn', vit: 'vit' } as const;
export type IcbmBackbone = keyof typeof ICBM_BACKBONES;

/** Test images kept in the run for the report's grids. */
export const SAMPLE_IMAGES = 1000;

export interface IcbmConfig {
  backbone: IcbmBackbone;
  /** M, the number of concepts. */
  concepts: number;
  /** The concept layer's binary activation spec (htaf, ss, ste:sigmoid, ...). */
  method: string;
  conceptLayer: ConceptLayerDesign;
  /** Backbone size options, as the image zoo takes them (depth, width, baseWidth, ...). */
  size?: { depth?: number; width?: number; baseWidth?: number; patchSize?: number; heads?: number };
  /** Training (both models): epochs, batch, lr, optimizer, seed, valFraction, augment, ... */
  train: Partial<Omit<ImageTrainConfig, 'model'>>;
}

export interface IcbmRunOptions {
  outDir: string;
  resume?: boolean;
  /** A standard model saved by an earlier run (<run>/standard/best.safetensors) instead of training one. */
  baseline?: string;
  onEvent?: (model: 'icbm' | 'standard', e: ImageTrainEvent) => void;
  prefetch?: boolean;
  /**
   * Data-parallel training of both models over a process group (trainImageModel's `distributed`). Every
   * rank trains; rank 0 alone then measures both models and writes the run, and the other ranks get null.
   */
  distributed?: ImageDistributedOptions;
}

export interface IcbmMetrics {
  standard: { accuracy: number; binarity: number };
  icbm: { accuracy: number; smoothAccuracy: number; binarity: number; conceptAccuracy: number };
  bm: { accuracyBefore: number; accuracy: number; binarity: number; conceptAccuracy: number };
}

export interface IcbmRunResult {
  metrics: IcbmMetrics;
  icbm: ImageTrainResult;
  /** The standard model's training result (absent with `baseline`). */
  standard?: ImageTrainResult;
  outDir: string;
}

/** A model factory for trainImageModel/loadImageModel: the zoo backbone with M outputs inside an Icbm. */
export function icbmFactory(concepts: number, activation: string, conceptLayer: ConceptLayerDesign): (spec: ImageModelSpec) => Module {
  return (spec) => new Icbm(buildImageModel({ ...spec, numClasses: concepts }), { concepts, numClasses: spec.numClasses, activation, conceptLayer });
}

/** What a concept layer gives on a dataset: its outputs (smooth, or ReLU features), exact bits, predictions. */
interface ConceptPass {
  values: Float32Array;
  bits?: Uint8Array;
  predictions: Int32Array;
}

/**
 * Runs `model` (an Icbm, eval mode) over a dataset: the concept layer's outputs in the model's smooth form
 * and, for a binary activation, the exact bits and the exact model's predictions.
 */
function conceptPass(model: Icbm, ds: ImageDataset, stats: ChannelStats, binary: boolean, batchSize = 256): ConceptPass {
  const n = ds.labels.length;
  const m = model.numConcepts;
  const values = new Float32Array(n * m);
  const bits = binary ? new Uint8Array(n * m) : undefined;
  const predictions = new Int32Array(n);
  let offset = 0;
  noGrad(() => {
    for (const batch of evalBatches(ds, batchSize, stats)) {
      tidy(() => {
        const b = batch.indices.length;
        const smooth = withStepMode(model, 'smooth', () => model.concepts(batch.x));
        values.set(smooth.toTypedArray() as Float32Array, offset * m);
        const z = binary ? withStepMode(model, 'exact', () => model.concepts(batch.x)) : smooth;
        if (bits) {
          const zs = z.toTypedArray() as Float32Array;
          for (let i = 0; i < zs.length; i++) bits[offset * m + i] = zs[i];
        }
        predictions.set(model.head.call(z).argmax(1).toDtype('int32').toTypedArray() as Int32Array, offset);
        offset += b;
      });
      batch.x.dispose();
      batch.y.dispose();
    }
  });
  return { values, bits, predictions };
}

/** The head's predictions on given bits (the BM: the standard model's head on its binarized features). */
function headPredictions(model: Icbm, bits: Uint8Array, n: number): Int32Array {
  return noGrad(() => tidy(() => {
    const z = fromTypedArray(Float32Array.from(bits), [n, model.numConcepts]);
    return model.head.call(z).argmax(1).toDtype('int32').toTypedArray() as Int32Array;
  }));
}

/** Evenly spread test images for the report's grids, and their indices in the test set. */
function sampleOf(test: ImageDataset, count: number): { images: Uint8Array; indices: Int32Array } {
  const n = test.labels.length;
  const s = Math.min(count, n);
  const indices = Int32Array.from({ length: s }, (_, i) => Math.floor((i * n) / s));
  return { images: takeImages(test, indices).images, indices };
}

/**
 * Trains an ICBM and its standard model, measures them (see the file header) and writes the run.
 * @example const r = await trainIcbm({ backbone: 'resnet', concepts: 64, method: 'htaf', conceptLayer: 'linear-bn', train: { epochs: 5 } }, data, { outDir: 'runs/icbm' });
 */
export async function trainIcbm(config: IcbmConfig, data: ImageTrainData & { name: string }, options: IcbmRunOptions & { distributed?: undefined }): Promise<IcbmRunResult>;
/** Data-parallel: every rank trains; rank 0 gets the result, the other ranks null. */
export async function trainIcbm(config: IcbmConfig, data: ImageTrainData & { name: string }, options: IcbmRunOptions): Promise<IcbmRunResult | null>;
export async function trainIcbm(config: IcbmConfig, data: ImageTrainData & { name: string }, options: IcbmRunOptions): Promise<IcbmRunResult | null> {
  const backbone = ICBM_BACKBONES[config.backbone];
  if (backbone === undefined) throw new Error(`trainIcbm: backbone must be one of ${Object.keys(ICBM_BACKBONES).join(', ')}; got ${JSON.stringify(config.backbone)}`);
  const model = { kind: 'standard' as const, backbone, ...(config.size ?? {}) };
  const trainConfig = { ...config.train, model };
  const run = (which: 'icbm' | 'standard', activation: string) =>
    trainImageModel(trainConfig, data, {
      outDir: join(options.outDir, which),
      resume: options.resume,
      prefetch: options.prefetch,
      onEvent: (e) => options.onEvent?.(which, e),
      createModel: icbmFactory(config.concepts, activation, config.conceptLayer),
      ...(options.distributed ? { distributed: options.distributed } : {}),
    });
  const rank = options.distributed?.group.rank ?? 0;

  checkSettings(options.outDir, config, !!options.resume, rank === 0);
  // A baseline is checked before anything trains: a wrong one must not cost an ICBM training first.
  const loadStandard = (path: string): Icbm => {
    try {
      return loadImageModel(path, icbmFactory(config.concepts, 'relu', config.conceptLayer)).model as Icbm;
    } catch (err) {
      throw new Error(`trainIcbm: the standard model ${path} is not a ${config.backbone} ICBM-shaped network with ${config.concepts} ReLU features (${config.conceptLayer}): ${(err as Error).message}`);
    }
  };
  let standardModel: Icbm | undefined = options.baseline === undefined ? undefined : loadStandard(options.baseline);
  let icbmModel: Icbm | undefined;
  let icbmResult: ImageTrainResult;
  let standardResult: ImageTrainResult | undefined;
  try {
    icbmResult = await run('icbm', config.method);
    if (standardModel === undefined) {
      standardResult = await run('standard', 'relu');
      if (rank !== 0) return null; // rank 0 measures and writes the run
      standardModel = loadStandard(join(options.outDir, 'standard', 'best.safetensors'));
    }
    if (rank !== 0) {
      standardModel.dispose();
      return null;
    }
    icbmModel = loadImageModel(join(options.outDir, 'icbm', 'best.safetensors'), icbmFactory(config.concepts, config.method, config.conceptLayer)).model as Icbm;
  } catch (err) {
    standardModel?.dispose();
    throw err;
  }
  try {
    const { stats, classes, shape } = icbmResult.data;
    const m = config.concepts;
    const k = classes.length;
    const train = data.train;
    const test = data.test;
    const icbmTrain = conceptPass(icbmModel, train, stats, true);
    const icbmTest = conceptPass(icbmModel, test, stats, true);
    const stdTrain = conceptPass(standardModel, train, stats, false);
    const stdTest = conceptPass(standardModel, test, stats, false);

    const thresholds = medianThresholds(stdTrain.values, train.labels.length, m);
    const bmTrainBits = binarize(stdTrain.values, thresholds, train.labels.length, m);
    const bmTestBits = binarize(stdTest.values, thresholds, test.labels.length, m);
    const standardAccuracy = accuracy(stdTest.predictions, test.labels);
    const metrics: IcbmMetrics = {
      standard: { accuracy: standardAccuracy, binarity: binarityScore(stdTest.values) },
      icbm: {
        accuracy: accuracy(icbmTest.predictions, test.labels),
        smoothAccuracy: icbmResult.test.smoothAccuracy,
        binarity: binarityScore(icbmTest.values),
        conceptAccuracy: conceptAccuracy(icbmTrain.bits!, train.labels, icbmTest.bits!, test.labels, m, k).mean,
      },
      bm: {
        accuracyBefore: standardAccuracy,
        accuracy: accuracy(headPredictions(standardModel, bmTestBits, test.labels.length), test.labels),
        binarity: 1,
        conceptAccuracy: conceptAccuracy(bmTrainBits, train.labels, bmTestBits, test.labels, m, k).mean,
      },
    };
    const sample = sampleOf(test, SAMPLE_IMAGES);
    const runData: IcbmRunData = {
      meta: {
        dataset: data.name, backbone: architectureName(icbmResult.model), method: config.method, conceptLayer: config.conceptLayer, concepts: m,
        classes: [...classes], imageShape: shape, stats: { mean: [...stats.mean], std: [...stats.std] }, seed: icbmResult.config.seed,
        createdAt: new Date().toISOString(),
      },
      metrics: { ...metrics, classSpecificityComputedOn: 'test', thresholdsBm: 'median of the standard features over the training images' },
      trainBits: icbmTrain.bits!, trainLabels: train.labels,
      testBits: icbmTest.bits!, testSmooth: icbmTest.values, testLabels: test.labels, testPredictions: icbmTest.predictions,
      headWeight: icbmModel.head.weight.toTypedArray() as Float32Array,
      headBias: icbmModel.head.bias!.toTypedArray() as Float32Array,
      standardTrainFeatures: stdTrain.values, standardTestFeatures: stdTest.values,
      sampleImages: sample.images, sampleIndices: sample.indices,
      conceptNames: [],
    };
    writeIcbmRun(options.outDir, runData);
    return { metrics, icbm: icbmResult, standard: standardResult, outDir: options.outDir };
  } finally {
    icbmModel.dispose();
    standardModel.dispose();
  }
}

/** What makes two ICBM runs the same model; kept in <out>/icbm_settings.json so --resume cannot relabel a run. */
export const SETTINGS_FILE = 'icbm_settings.json';
const SETTING_FLAGS: Record<string, string> = { backbone: '--backbone', size: 'the backbone size (--depth/--width/--base-width/...)', concepts: '--concepts', method: '--method', conceptLayer: '--concept-layer' };

/** Checks a resumed run's settings against `config`, or (`write`: rank 0 of a data-parallel run, or the one process) records them. */
function checkSettings(outDir: string, config: IcbmConfig, resume: boolean, write: boolean): void {
  const settings = { backbone: config.backbone, size: config.size ?? {}, concepts: config.concepts, method: config.method, conceptLayer: config.conceptLayer };
  const path = join(outDir, SETTINGS_FILE);
  if (resume && existsSync(path)) {
    let saved: Record<string, unknown>;
    try {
      saved = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`trainIcbm: cannot resume ${outDir}: ${path} is unreadable (${(err as Error).message})`);
    }
    const diff = Object.entries(settings)
      .filter(([k, v]) => JSON.stringify(saved[k]) !== JSON.stringify(v))
      .map(([k, v]) => `${SETTING_FLAGS[k]} was ${JSON.stringify(saved[k])}, now ${JSON.stringify(v)}`);
    if (diff.length) throw new Error(`trainIcbm: cannot resume ${outDir}: it holds another ICBM (${diff.join('; ')})`);
    return;
  }
  if (!write) return;
  mkdirSync(outDir, { recursive: true });
  writeBytesAtomically(path, JSON.stringify(settings, null, 2) + '\n', 'trainIcbm');
}
