// The ANN-to-SNN baseline (docs/method.md, Appendix E) evaluated: a trained standard ReLU network is
// converted into a rate-coded IF network (src/models/ann2snn.ts) with thresholds calibrated on training
// images, and its test accuracy and inference time are measured per number of time steps T, beside the
// ANN itself and, when given, an HTAF SNN at its own T. `htaf images convert` is this plus files
// (src/report/ann2snn.ts renders the table).
import type { Module } from '../nn/index.js';
import { OptionError } from '../core/options.js';
import { evalBatches, type ChannelStats, type ImageBatch, type ImageDataset } from '../data/images/index.js';
import { architectureName } from '../models/image_zoo.js';
import { convertToSnn, type SnnAccuracy, type SnnSite } from '../models/index.js';
import { evaluateImageModel } from './image_eval.js';
import type { ImageModelMeta } from './image_trainer.js';

/** A model with the metadata of its checkpoint (what loadImageModel returns). */
export interface LoadedImageModel {
  model: Module;
  meta: ImageModelMeta;
}

export interface AnnToSnnOptions {
  /** The trained standard ReLU network (`htaf images train --model standard`). */
  ann: LoadedImageModel;
  /** An HTAF SNN evaluated beside it at its own T, with exact steps. */
  snn?: LoadedImageModel;
  /** The images the thresholds are calibrated on (training images). */
  calibration: ImageDataset;
  /** The images every model is evaluated on. */
  test: ImageDataset;
  /** The time steps of the converted network (positive integers). */
  T: readonly number[];
  /** Each IF threshold is this percentile of its ReLU's outputs on the calibration images, in (0, 100]. */
  percentile: number;
  /** Batch size of calibration and evaluation. */
  batch: number;
}

/** One row of the table: a model (and its T), test accuracy, inference time and throughput. */
export interface AnnToSnnRow {
  model: string;
  T: number | null;
  accuracy: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface AnnToSnnResult {
  testImages: number;
  calibrationImages: number;
  percentile: number;
  ann: { description: string; accuracy: number; seconds: number };
  /** The converted network at each T. */
  perT: SnnAccuracy[];
  /** The ANN, the converted network per T, then the HTAF SNN if given. */
  rows: AnnToSnnRow[];
  /** The ReLU call sites that became IF neurons. */
  sites: SnnSite[];
}

const OWNER = 'evaluateAnnToSnn';

/** A dataset's evaluation batches, made afresh at each iteration, each disposed once the consumer moves on to the next. */
function batchesOf(ds: ImageDataset, batchSize: number, stats: ChannelStats): Iterable<ImageBatch> {
  return {
    *[Symbol.iterator]() {
      for (const b of evalBatches(ds, batchSize, stats)) {
        try {
          yield b;
        } finally {
          b.x.dispose();
          b.y.dispose();
        }
      }
    },
  };
}

/**
 * Checks the models of an evaluation before any data is read (evaluateAnnToSnn checks them too): an
 * OptionError naming `ann` when it is not a standard ReLU network, `snn` when it is not an SNN.
 */
export function checkAnnToSnnModels(ann: LoadedImageModel, snn?: LoadedImageModel): void {
  const meta = ann.meta;
  if (meta.model.kind !== 'standard' || meta.model.method !== 'relu') {
    throw new OptionError(OWNER, 'ann', `holds a ${meta.description} model; ANN-to-SNN conversion needs a standard ReLU network`);
  }
  if (snn !== undefined && snn.meta.model.kind !== 'snn') throw new OptionError(OWNER, 'snn', `holds a ${snn.meta.description} model, not an SNN`);
}

/**
 * Converts `ann` to a rate-coded IF network and evaluates it: the ANN's accuracy and time, the converted
 * network's per T, and the SNN's if given. The models stay the caller's (nothing is disposed). Throws an
 * OptionError naming the option: `ann` that is not a standard ReLU network, `snn` that is not an SNN,
 * `test` images that do not fit the ANN (channels, size, classes).
 */
export function evaluateAnnToSnn(o: AnnToSnnOptions): AnnToSnnResult {
  checkAnnToSnnModels(o.ann, o.snn);
  const meta = o.ann.meta;
  const shape = [o.test.channels, o.test.height, o.test.width];
  if (shape[0] !== meta.model.inChannels || shape[1] !== meta.model.imageSize || o.test.classes.length !== meta.model.numClasses) {
    throw new OptionError(OWNER, 'test', `has ${shape.join('×')} images in ${o.test.classes.length} classes, but the checkpoint's model takes ` +
      `${meta.model.inChannels}×${meta.model.imageSize}×${meta.model.imageSize} in ${meta.model.numClasses}`);
  }
  // convertToSnn holds on to the calibration batches until it returns: they are disposed after it.
  const calibration = [...evalBatches(o.calibration, o.batch, meta.stats)];
  let converted: ReturnType<typeof convertToSnn>;
  try {
    converted = convertToSnn(o.ann.model, calibration, { percentile: o.percentile });
  } finally {
    for (const b of calibration) {
      b.x.dispose();
      b.y.dispose();
    }
  }
  const annResult = converted.annAccuracy(batchesOf(o.test, o.batch, meta.stats));
  const perT = converted.accuracyOverT(batchesOf(o.test, o.batch, meta.stats), o.T);
  const n = o.test.labels.length;
  const rows: AnnToSnnRow[] = [
    { model: `ANN (${architectureName(meta.model)}, ReLU)`, T: null, accuracy: annResult.accuracy, seconds: annResult.seconds, imagesPerSecond: n / annResult.seconds },
    ...perT.map((p) => ({ model: 'ANN-to-SNN (IF, rate coded)', T: p.T, accuracy: p.accuracy, seconds: p.seconds, imagesPerSecond: n / p.seconds })),
  ];
  if (o.snn !== undefined) {
    const sm = o.snn;
    const r = evaluateImageModel(sm.model, o.test, { stats: sm.meta.stats, batchSize: o.batch, layers: false });
    rows.push({ model: `HTAF SNN (${architectureName(sm.meta.model)}, ${sm.meta.model.method}, exact steps)`, T: sm.meta.model.T ?? null, accuracy: r.accuracy, seconds: n / r.imagesPerSecond, imagesPerSecond: r.imagesPerSecond });
  }
  return {
    testImages: n, calibrationImages: o.calibration.labels.length, percentile: o.percentile,
    ann: { description: meta.description, accuracy: annResult.accuracy, seconds: annResult.seconds }, perT,
    rows, sites: converted.sites,
  };
}
