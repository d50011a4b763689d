// One ICBM run on tiny synthetic images: both models train, the run directory holds what the concept
// tools read (bits are exact 0/1, the head is the ICBM's), the metrics are the ones the run data gives
// when recomputed by hand, a --baseline standard model is reused instead of retrained, and a baseline
// of another shape is refused with a message naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binarityScore, binarize, conceptAccuracy, medianThresholds, memory } from '../../src/index.js';
import { readIcbmRun } from '../../src/concepts.js';
import { trainIcbm, type IcbmConfig } from '../../src/train/icbm_train.js';
import { quadrants } from '../helpers/images.js';

const data = { train: quadrants(96, 1, 'train'), test: quadrants(40, 2, 'test'), name: 'quadrants' };
const config: IcbmConfig = {
  backbone: 'wrn', concepts: 6, method: 'htaf', conceptLayer: 'linear-bn',
  size: { depth: 10, width: 1, baseWidth: 8 }, train: { epochs: 2, batch: 16, lr: 1e-2, seed: 3 },
};

test('trainIcbm: trains ICBM and the standard model, writes the run, and its metrics agree with the run data', async () => {
  const out = mkdtempSync(join(tmpdir(), 'htaf-icbm-'));
  const live = memory().liveTensors;
  try {
    const events: string[] = [];
    const r = await trainIcbm(config, data, { outDir: out, prefetch: false, onEvent: (which, e) => events.push(`${which}:${e.kind}`) });
    assert.ok(events.includes('icbm:epoch') && events.includes('standard:epoch'));
    for (const f of ['icbm/best.safetensors', 'standard/best.safetensors', 'run.json', 'concepts.safetensors']) assert.ok(existsSync(join(out, f)), f);
    const run = readIcbmRun(out);
    const m = 6;
    assert.equal(run.meta.concepts, m);
    assert.deepEqual(run.meta.classes, ['tl', 'tr', 'bl', 'br']);
    assert.equal(run.testBits.length, 40 * m);
    assert.ok(run.testBits.every((b) => b === 0 || b === 1));
    assert.ok(run.testSmooth.every((v) => v > 0 && v < 1), 'smooth HTAF outputs lie in (0, 1)');
    assert.ok(run.standardTestFeatures.every((v) => v >= 0), 'ReLU features');
    // The metrics are what the stored arrays give.
    assert.equal(r.metrics.icbm.binarity, binarityScore(run.testSmooth));
    const icbmAcc = run.testPredictions.reduce((s, p, i) => s + (p === run.testLabels[i] ? 1 : 0), 0) / 40;
    assert.equal(r.metrics.icbm.accuracy, icbmAcc);
    assert.equal(r.metrics.icbm.accuracy, r.icbm.test.accuracy, 'the exact accuracy equals the trainer\'s test accuracy');
    assert.equal(r.metrics.icbm.conceptAccuracy, conceptAccuracy(run.trainBits, run.trainLabels, run.testBits, run.testLabels, m, 4).mean);
    const t = medianThresholds(run.standardTrainFeatures, 96, m);
    const bm = binarize(run.standardTestFeatures, t, 40, m);
    assert.equal(r.metrics.bm.conceptAccuracy, conceptAccuracy(binarize(run.standardTrainFeatures, t, 96, m), run.trainLabels, bm, run.testLabels, m, 4).mean);
    assert.equal(r.metrics.bm.accuracyBefore, r.metrics.standard.accuracy);
    assert.equal(r.metrics.standard.accuracy, r.standard!.test.accuracy);
    assert.ok(r.icbm.history.length === 2 && r.standard!.history.length === 2);
    assert.equal(memory().liveTensors, live, 'no tensor left alive');

    // A second run reusing the standard model: nothing is retrained for it, and the BM figures agree.
    const out2 = mkdtempSync(join(tmpdir(), 'htaf-icbm-'));
    try {
      const r2 = await trainIcbm({ ...config, method: 'ste:sigmoid' }, data, { outDir: out2, prefetch: false, baseline: join(out, 'standard', 'best.safetensors') });
      assert.equal(r2.standard, undefined);
      assert.ok(!existsSync(join(out2, 'standard')));
      assert.deepEqual(r2.metrics.bm, r.metrics.bm);
      assert.equal(readIcbmRun(out2).meta.method, 'ste:sigmoid');
      await assert.rejects(
        trainIcbm({ ...config, concepts: 5 }, data, { outDir: out2, prefetch: false, baseline: join(out, 'standard', 'best.safetensors') }),
        /standard model .*best\.safetensors.*5 ReLU features/,
      );
    } finally {
      rmSync(out2, { recursive: true, force: true });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
