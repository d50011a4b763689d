// evaluateAnnToSnn (src/train/ann2snn_eval.ts), the library side of `htaf images convert`, and its
// Markdown/CSV rendering (src/report/ann2snn.ts): the rows per model and T, the checks on the models and
// the data (OptionErrors naming ann, snn, test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/index.js';
import { OptionError } from '../../src/core/options.js';
import { buildImageModel, resolveImageModelSpec, describeImageModel, type ImageModelOptions } from '../../src/models/image_zoo.js';
import { IMAGE_TRAIN_DEFAULTS, type ImageModelMeta } from '../../src/train/image_trainer.js';
import { checkAnnToSnnModels, evaluateAnnToSnn, type LoadedImageModel } from '../../src/train/ann2snn_eval.js';
import { annToSnnCsv, annToSnnMarkdown } from '../../src/report/ann2snn.js';
import { quadrants } from '../helpers/images.js';

const STATS = { mean: [0.4], std: [0.3] };

function loaded(options: ImageModelOptions): LoadedImageModel {
  const spec = resolveImageModelSpec({ ...options, inChannels: 1, imageSize: 8, numClasses: 4 });
  const meta: ImageModelMeta = {
    kind: 'htaf-image-model', version: 1, model: spec, description: describeImageModel(spec), config: { ...IMAGE_TRAIN_DEFAULTS, model: spec } as ImageModelMeta['config'],
    dataset: 'quadrants', classes: ['tl', 'tr', 'bl', 'br'], stats: STATS, epoch: 1, valAccuracy: null,
  };
  return { model: buildImageModel(spec), meta };
}

test('evaluateAnnToSnn: the ANN, the converted network per T and the SNN, with accuracy, time and throughput; rendered as Markdown and CSV', () => {
  manualSeed(0);
  const ann = loaded({ kind: 'standard', depth: 10, baseWidth: 4 });
  const snn = loaded({ kind: 'snn', method: 'htaf', depth: 10, baseWidth: 4, T: 2 });
  try {
    const r = evaluateAnnToSnn({ ann, snn, calibration: quadrants(16, 1, 'calib'), test: quadrants(12, 2, 'test'), T: [1, 4], percentile: 99, batch: 8 });
    assert.equal(r.testImages, 12);
    assert.equal(r.calibrationImages, 16);
    assert.equal(r.percentile, 99);
    assert.deepEqual(r.perT.map((p) => p.T), [1, 4]);
    assert.deepEqual(r.rows.map((x) => [x.model, x.T]), [
      ['ANN (WRN-10-1 (base 4), ReLU)', null], ['ANN-to-SNN (IF, rate coded)', 1], ['ANN-to-SNN (IF, rate coded)', 4],
      ['HTAF SNN (SEW-ResNet-10 (base 4, LIF, T=2), htaf:alpha=2,beta=11, exact steps)', 2],
    ]);
    assert.equal(r.rows[0].accuracy, r.ann.accuracy);
    for (const x of r.rows) {
      assert.ok(x.accuracy >= 0 && x.accuracy <= 1 && x.accuracy * 12 === Math.round(x.accuracy * 12), JSON.stringify(x));
      assert.ok(x.seconds > 0 && Math.abs(x.imagesPerSecond - 12 / x.seconds) < 1e-6 * x.imagesPerSecond, JSON.stringify(x));
    }
    assert.ok(r.sites.length > 0);
    const md = annToSnnMarkdown(r, 'quadrants');
    assert.match(md, /^### ANN-to-SNN conversion on quadrants \(12 test images\)\n\n\| Model \| T \| Accuracy \(%\) \|/);
    assert.match(md, /\| ANN-to-SNN \(IF, rate coded\) \| 4 \| \d+\.\d \|/);
    assert.match(md, new RegExp(`Thresholds: the 99th percentile of each ReLU's outputs on 16 training images; ${r.sites.length} ReLU call sites`));
    const csv = annToSnnCsv(r).split('\n');
    assert.equal(csv[0], 'model,T,accuracy,seconds,imagesPerSecond');
    assert.equal(csv[1], `"ANN (WRN-10-1 (base 4), ReLU)",,${r.rows[0].accuracy},${r.rows[0].seconds},${r.rows[0].imagesPerSecond}`);
    assert.equal(csv[3].split(',').slice(2, 3)[0], '4');
    assert.equal(csv.length, 6);
  } finally {
    ann.model.dispose();
    snn.model.dispose();
  }
});

test('evaluateAnnToSnn: a non-ReLU ANN, a non-SNN snn and test images of another shape are OptionErrors naming the option', () => {
  const dhn = loaded({ kind: 'dhn', depth: 10, baseWidth: 4 });
  const ann = loaded({ kind: 'standard', depth: 10, baseWidth: 4 });
  try {
    const fails = (f: () => void, option: string, detail: RegExp) => assert.throws(f, (e: unknown) => e instanceof OptionError && e.option === option && detail.test(e.detail) && e.message === `evaluateAnnToSnn: ${option} ${e.detail}`);
    fails(() => checkAnnToSnnModels(dhn), 'ann', /^holds a dhn WRN-10-1 \(base 4\), htaf:alpha=2,beta=11 model; ANN-to-SNN conversion needs a standard ReLU network$/);
    fails(() => checkAnnToSnnModels(ann, dhn), 'snn', /model, not an SNN$/);
    const rgb = { ...quadrants(4, 1, 'x'), channels: 3, images: new Uint8Array(4 * 3 * 64) };
    fails(() => evaluateAnnToSnn({ ann, calibration: quadrants(4, 1, 'c'), test: rgb, T: [1], percentile: 99, batch: 4 }), 'test',
      /^has 3×8×8 images in 4 classes, but the checkpoint's model takes 1×8×8 in 4$/);
  } finally {
    dhn.model.dispose();
    ann.model.dispose();
  }
});
