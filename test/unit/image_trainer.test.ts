// The image trainer, evaluator, model zoo and Table 1 comparison on tiny synthetic images (1×8×8, the class
// is the bright quadrant): the loss falls, a checkpoint is written atomically after every epoch, a run
// interrupted and resumed equals an uninterrupted one, a NaN loss stops the run keeping the best
// weights, exact and smooth accuracies and per-layer share of ones / firing rates are reported, saved
// models reload, specs are checked, and a comparison resumes without redoing a finished run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchNorm2d, Conv2d, Dropout, Module, Sequential, Tensor, loadCheckpoint, memory, noGrad, setStepMode, tidy } from '../../src/index.js';
import { channelStats, evalBatches } from '../../src/images.js';
import { recomputeBatchNormStats } from '../../src/train/image_precise_bn.js';
import { buildImageModel, familySpec, resolveImageModelSpec, type ImageModelSpec } from '../../src/models/image_zoo.js';
import { evaluateImageModel } from '../../src/train/image_eval.js';
import {
  imageTrainConfig, loadImageModel, trainImageModel, type ImageTrainConfig, type ImageTrainData, type ImageTrainEvent, type ImageTrainOptions, type ImageTrainResult,
} from '../../src/train/image_trainer.js';
import { runImageCompare, type ImageCompareEvent } from '../../src/train/image_compare.js';
import { writeImageCompareReport } from '../../src/report/compare_report.js';
import { throwsWith } from '../helpers/errors.js';
import { quadrants } from '../helpers/images.js';

const data = { train: quadrants(96, 1, 'train'), test: quadrants(40, 2, 'test'), name: 'quadrants' };
const tiny = { kind: 'dhn' as const, method: 'htaf', depth: 10, width: 1, baseWidth: 8 };
const base: Partial<ImageTrainConfig> & { model: typeof tiny } = { model: tiny, epochs: 3, batch: 16, lr: 1e-2, seed: 5 };

const tmp = () => mkdtempSync(join(tmpdir(), 'htaf-img-'));

/** A result without wall-clock quantities, for bit-for-bit comparisons. */
function timeless(r: ImageTrainResult): unknown {
  return {
    ...r,
    seconds: 0,
    trainImagesPerSecond: 0,
    files: undefined,
    history: r.history.map((h) => ({ ...h, seconds: 0, imagesPerSecond: 0 })),
    test: { ...r.test, imagesPerSecond: 0 },
  };
}

test('trainImageModel: the loss falls and the model learns the quadrants; exact and smooth accuracy and share of ones are reported', async () => {
  const events: ImageTrainEvent[] = [];
  const live = memory().liveTensors;
  const r = await trainImageModel({ ...base, epochs: 6 }, data, { onEvent: (e) => events.push(e) });
  assert.equal(memory().liveTensors, live, 'every tensor of the run is freed');
  assert.equal(r.epochsRun, 6);
  assert.equal(r.history.length, 6);
  assert.ok(r.history[5].trainLoss < r.history[0].trainLoss * 0.7, `loss ${r.history.map((h) => h.trainLoss.toFixed(3)).join(' → ')}`);
  assert.ok(r.test.accuracy >= 0.6, `test accuracy (exact) ${r.test.accuracy}`);
  assert.ok(r.test.smoothAccuracy >= 0 && r.test.smoothAccuracy <= 1);
  assert.equal(r.data.train + r.data.val, 96);
  assert.equal(r.data.val, 10);
  assert.equal(r.model.method, 'htaf:alpha=2,beta=11');
  // Every activation of the WRN is binary: one share of ones per activation module, in [0, 1].
  assert.equal(r.test.layers.length, 2 * 3 + 1);
  for (const l of r.test.layers) {
    assert.equal(l.kind, 'share-of-ones');
    assert.ok(l.value >= 0 && l.value <= 1 && l.outputs > 0, JSON.stringify(l));
  }
  // Progress: one start, a batch event per batch with running loss/accuracy/images/s, an epoch event per epoch.
  assert.equal(events[0].kind, 'start');
  const batchEvents = events.filter((e) => e.kind === 'batch');
  assert.equal(batchEvents.length, 6 * 5, '86 training images, batch 16, the incomplete last batch dropped');
  for (const e of batchEvents) assert.ok(e.kind === 'batch' && Number.isFinite(e.loss) && e.accuracy >= 0 && e.imagesPerSecond > 0);
  assert.equal(events.filter((e) => e.kind === 'epoch').length, 6);
  // The cosine schedule: the lr falls from the base value.
  assert.equal(r.history[0].lr, 1e-2);
  assert.ok(r.history[5].lr < r.history[1].lr && r.history[1].lr < 1e-2);
});

test('trainImageModel: the loss falls for every model family (BNN with ApproxSign and HTAF, SNN with HTAF spikes, the standard network)', async () => {
  for (const model of [
    { kind: 'bnn' as const, depth: 10, baseWidth: 8 },
    { kind: 'bnn' as const, method: 'htaf', depth: 10, baseWidth: 8 },
    { kind: 'snn' as const, method: 'htaf', depth: 10, baseWidth: 8, T: 2 },
    { kind: 'standard' as const, depth: 10, baseWidth: 8 },
  ]) {
    const r = await trainImageModel({ model, epochs: 4, batch: 16, lr: 1e-2, seed: 5 }, data);
    const losses = r.history.map((h) => h.trainLoss);
    assert.ok(losses[3] < losses[0] * 0.8, `${r.description}: loss ${losses.map((l) => l.toFixed(3)).join(' → ')}`);
  }
});

test('evaluateImageModel: exact accuracy is that of the model with every step exact, smooth that with smooth steps', async () => {
  const spec = resolveImageModelSpec({ ...tiny, inChannels: 1, imageSize: 8, numClasses: 4 });
  const model = buildImageModel(spec);
  try {
    const stats = channelStats(data.train);
    const manual = (mode: 'exact' | 'smooth') => {
      setStepMode(model, mode);
      model.eval();
      let correct = 0;
      for (const b of evalBatches(data.test, 7, stats)) {
        correct += tidy(() => noGrad(() => model.call(b.x).argmax(1).eq(b.y).sum().item() as number));
        b.x.dispose();
        b.y.dispose();
      }
      setStepMode(model, 'smooth');
      model.train();
      return correct / 40;
    };
    const r = evaluateImageModel(model, data.test, { stats, batchSize: 16 });
    assert.equal(r.accuracy, manual('exact'));
    assert.equal(r.smoothAccuracy, manual('smooth'));
    assert.ok(model.training, 'the model is back in training mode');
    // With exact steps every activation output is exactly 0 or 1: the share of ones times the outputs is whole.
    for (const l of r.layers) assert.ok(Math.abs(l.value * l.outputs - Math.round(l.value * l.outputs)) < 1e-6, JSON.stringify(l));
  } finally {
    model.dispose();
  }
});

test('evaluateImageModel: the standard network has no binary layer (smooth = exact); an SNN reports firing rates; a BNN its share of +1', () => {
  const stats = channelStats(data.train);
  const sizes = { inChannels: 1, imageSize: 8, numClasses: 4 };
  const standard = buildImageModel({ kind: 'standard', depth: 10, baseWidth: 4, ...sizes });
  const snn = buildImageModel({ kind: 'snn', method: 'htaf', depth: 10, baseWidth: 4, T: 2, ...sizes });
  const bnn = buildImageModel({ kind: 'bnn', method: 'htaf', depth: 10, baseWidth: 4, ...sizes });
  try {
    const s = evaluateImageModel(standard, data.test, { stats });
    assert.deepEqual(s.layers, []);
    assert.equal(s.smoothAccuracy, s.accuracy);
    const n = evaluateImageModel(snn, data.test, { stats });
    assert.ok(n.layers.length >= 5);
    for (const l of n.layers) {
      assert.equal(l.kind, 'firing-rate');
      assert.ok(l.value >= 0 && l.value <= 1);
      assert.equal(l.outputs % (2 * 40), 0, 'T × images × units');
    }
    assert.ok(n.layers.some((l) => l.path === 'sn1'));
    const b = evaluateImageModel(bnn, data.test, { stats });
    assert.equal(b.layers.length, 8, 'one sign activation per binary unit of Bi-Real-10');
    for (const l of b.layers) assert.ok(l.kind === 'share-of-ones' && l.value >= 0 && l.value <= 1);
  } finally {
    standard.dispose();
    snn.dispose();
    bnn.dispose();
  }
});

test('trainImageModel: a checkpoint is written atomically after every epoch; best.safetensors reloads to the reported model', async () => {
  const dir = tmp();
  try {
    const seen: number[] = [];
    const r = await trainImageModel(base, data, {
      outDir: dir,
      onEvent: (e) => {
        if (e.kind !== 'epoch') return;
        // The epoch's checkpoint is on disk when its event fires, and no temporary file is left beside it.
        const meta = tidy(() => loadCheckpoint<unknown, { epoch: number; history: unknown[] }>(join(dir, 'checkpoint.safetensors')).meta!);
        seen.push(meta.epoch);
        assert.equal(meta.history.length, e.epoch);
        assert.deepEqual(readdirSync(dir).sort(), ['best.safetensors', 'checkpoint.safetensors']);
      },
    });
    assert.deepEqual(seen, [1, 2, 3]);
    const { model, meta } = loadImageModel(join(dir, 'best.safetensors'));
    try {
      assert.equal(meta.epoch, r.bestEpoch);
      assert.deepEqual(meta.model, r.model);
      assert.deepEqual(meta.stats, r.data.stats);
      assert.deepEqual(meta.classes, ['tl', 'tr', 'bl', 'br']);
      const again = evaluateImageModel(model, data.test, { stats: meta.stats });
      assert.equal(again.accuracy, r.test.accuracy);
      assert.equal(again.smoothAccuracy, r.test.smoothAccuracy);
    } finally {
      model.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('trainImageModel: interrupted after epoch 2 and resumed, the result equals an uninterrupted run (dropout and augmentation on)', async () => {
  const dir = tmp();
  try {
    const config = { ...base, epochs: 4, model: { ...tiny, dropout: 0.2 }, augment: { cropPadding: 1, horizontalFlip: true } };
    const whole = await trainImageModel(config, data, { outDir: join(dir, 'whole') });
    await assert.rejects(
      trainImageModel(config, data, {
        outDir: join(dir, 'cut'),
        onEvent: (e) => {
          if (e.kind === 'epoch' && e.epoch === 2) throw new Error('interrupted');
        },
      }),
      /interrupted/,
    );
    const events: ImageTrainEvent[] = [];
    const resumed = await trainImageModel(config, data, { outDir: join(dir, 'cut'), resume: true, onEvent: (e) => events.push(e) });
    const start = events.find((e) => e.kind === 'start');
    assert.ok(start && start.kind === 'start' && start.resumed && start.firstEpoch === 3);
    assert.equal(events.filter((e) => e.kind === 'epoch').length, 2, 'only epochs 3 and 4 are trained');
    assert.deepEqual(timeless(resumed), timeless(whole));
    // Resuming a finished run trains nothing and reports the same.
    const done = await trainImageModel(config, data, { outDir: join(dir, 'cut'), resume: true });
    assert.deepEqual(timeless(done), timeless(whole));
    // Another config cannot resume that checkpoint.
    await assert.rejects(trainImageModel({ ...config, lr: 0.5 }, data, { outDir: join(dir, 'cut'), resume: true }), /config differs \(lr: checkpoint 0\.01, now 0\.5\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The zoo's model, poisoned: from its `at`-th training forward on, the logits are NaN. */
class PoisonAfter extends Module {
  calls = 0;
  readonly inner: Module;
  constructor(spec: ImageModelSpec, readonly at: number) {
    super();
    this.inner = this.registerModule('inner', buildImageModel(spec));
  }
  forward(x: Tensor): Tensor {
    const out = this.inner.call(x) as Tensor;
    if (this.training && ++this.calls >= this.at) return out.mul(NaN);
    return out;
  }
}

test('trainImageModel: a NaN loss stops the run, names the epoch and batch, and keeps the best checkpoint', async () => {
  const dir = tmp();
  try {
    // 5 batches per epoch: the 8th training forward is epoch 2, batch 3.
    const events: ImageTrainEvent[] = [];
    const r = await trainImageModel(base, data, { outDir: dir, createModel: (spec) => new PoisonAfter(spec, 8), onEvent: (e) => events.push(e) });
    assert.deepEqual(r.stoppedOnNaN && { epoch: r.stoppedOnNaN.epoch, batch: r.stoppedOnNaN.batch }, { epoch: 2, batch: 3 });
    assert.match(r.stoppedOnNaN!.message, /stopped at epoch 2, batch 3: the loss became NaN or infinite .*keeping the best weights \(epoch 1\)/);
    assert.equal(r.epochsRun, 1);
    assert.equal(r.bestEpoch, 1);
    assert.ok(events.some((e) => e.kind === 'nan'));
    const best = tidy(() => loadCheckpoint<unknown, { epoch: number }>(join(dir, 'best.safetensors')).meta!);
    assert.equal(best.epoch, 1);
    const last = tidy(() => loadCheckpoint<unknown, { finished: string; stoppedOnNaN: { epoch: number; batch: number } }>(join(dir, 'checkpoint.safetensors')).meta!);
    assert.equal(last.finished, 'nan');
    assert.equal(last.stoppedOnNaN.batch, 3);
    assert.ok(Number.isFinite(r.test.accuracy), 'the best weights are evaluated (not NaN ones)');
    // NaN in the very first batch: the initial weights are the best there are, and are saved.
    const dir2 = join(dir, 'first');
    const r2 = await trainImageModel(base, data, { outDir: dir2, createModel: (spec) => new PoisonAfter(spec, 1) });
    assert.equal(r2.bestEpoch, 0);
    assert.match(r2.stoppedOnNaN!.message, /epoch 1, batch 1: .*the initial weights/);
    assert.ok(existsSync(join(dir2, 'best.safetensors')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('recomputeBatchNormStats: the running statistics become the average of the batch statistics; nothing else changes', () => {
  const model = new Sequential(new Conv2d(1, 3, 3, { padding: 1 }), new BatchNorm2d(3), new Dropout(0.5));
  try {
    const stats = channelStats(data.train);
    const bn = [...model.modules()].find((m): m is BatchNorm2d => m instanceof BatchNorm2d)!;
    const conv = [...model.modules()].find((m): m is Conv2d => m instanceof Conv2d)!;
    // Expected: per batch of 32, the channel means and unbiased variances of the conv outputs, averaged over 3 batches.
    const expected = { mean: [0, 0, 0], var: [0, 0, 0] };
    let k = 0;
    for (const b of evalBatches(data.train, 32, stats)) {
      if (k < 3) {
        tidy(() => noGrad(() => {
          const y = (conv.call(b.x) as Tensor).transpose(0, 1).flatten(1).toDtype('float64');
          const n = y.shape[1];
          const mean = y.mean([1]);
          const v = y.sub(mean.unsqueeze(1)).square().sum([1]).div(n - 1);
          mean.toFlatArray().forEach((m, c) => (expected.mean[c] += m / 3));
          v.toFlatArray().forEach((x, c) => (expected.var[c] += x / 3));
        }));
      }
      k++;
      b.x.dispose();
      b.y.dispose();
    }
    const weights = tidy(() => [...model.parameters()].map((p) => p.toFlatArray()));
    const tracked = tidy(() => bn.numBatchesTracked!.item());
    model.eval();
    const used = recomputeBatchNormStats(model, evalBatches(data.train, 32, stats), 3);
    assert.equal(used, 3);
    const close = (a: number[], b: number[]) => a.every((x, i) => Math.abs(x - b[i]) < 1e-5 * Math.max(1, Math.abs(b[i])));
    const got = tidy(() => ({ mean: bn.runningMean!.toFlatArray(), var: bn.runningVar!.toFlatArray() }));
    assert.ok(close(got.mean, expected.mean), `${got.mean} vs ${expected.mean}`);
    assert.ok(close(got.var, expected.var), `${got.var} vs ${expected.var}`);
    assert.deepEqual(tidy(() => [...model.parameters()].map((p) => p.toFlatArray())), weights);
    assert.equal(tidy(() => bn.numBatchesTracked!.item()), tracked);
    assert.ok([...model.modules()].every((m) => !m.training), 'every module back in eval mode');
    assert.equal(recomputeBatchNormStats(model, evalBatches(data.train, 32, stats), 0), 0);
  } finally {
    model.dispose();
  }
});

test('trainImageModel: with stale BatchNorm statistics an SNN predicts one class in eval mode; precise BN (the default) fixes it', async () => {
  const model = { kind: 'snn' as const, method: 'ste:sigmoid', depth: 10, baseWidth: 8, T: 2 };
  const stale = await trainImageModel({ model, epochs: 5, batch: 16, lr: 1e-2, seed: 5, preciseBn: 0 }, data);
  const precise = await trainImageModel({ model, epochs: 5, batch: 16, lr: 1e-2, seed: 5 }, data);
  assert.equal(precise.config.preciseBn, 20);
  assert.deepEqual(precise.history.map((h) => h.trainLoss), stale.history.map((h) => h.trainLoss), 'training itself is unchanged');
  assert.equal(stale.test.accuracy, 0.25);
  assert.ok(precise.test.accuracy >= 0.8, `with precise BN: ${precise.test.accuracy}`);
});

test('trainImageModel and the zoo: bad configs and specs give errors naming the field and the valid values', async () => {
  throwsWith(() => imageTrainConfig({ ...base, lr: -1 }), 'config.lr must be a finite number > 0; got -1');
  throwsWith(() => imageTrainConfig({ ...base, valFraction: 1 }), 'config.valFraction must be a number in (0, 1)');
  throwsWith(() => imageTrainConfig({ ...base, optimizer: 'rmsprop' as 'adam' }), "config.optimizer must be one of adam, sgd; got \"rmsprop\"");
  throwsWith(() => imageTrainConfig({ ...base, epoch: 3 } as never), 'config.epoch is not an ImageTrainConfig key');
  const sizes = { inChannels: 1, imageSize: 28, numClasses: 10 };
  throwsWith(() => resolveImageModelSpec({ kind: 'dhn', method: 'htfa', ...sizes }), 'method "htfa" is not valid for a dhn model', "unknown activation 'htfa'", 'valid methods: htaf:alpha=2,beta=11, ss:gamma=22, ste:sigmoid,k=4');
  throwsWith(() => resolveImageModelSpec({ kind: 'dhn', method: 'relu', ...sizes }), 'is not a binary activation', 'valid methods for a dhn model');
  throwsWith(() => resolveImageModelSpec({ kind: 'snn', method: 'approxsign', ...sizes }), 'sign (±1) form', 'spikes are 0/1');
  throwsWith(() => resolveImageModelSpec({ kind: 'dhn', method: 'heaviside', ...sizes }), 'no gradient');
  throwsWith(() => resolveImageModelSpec({ kind: 'standard', method: 'htaf', ...sizes }), 'binary activation', 'use --model dhn, bnn or snn');
  throwsWith(() => resolveImageModelSpec({ kind: 'dhn', T: 8, ...sizes }), 'T does not apply to a dhn model with backbone wrn (it applies to sew)');
  throwsWith(() => resolveImageModelSpec({ kind: 'dhn', depth: 12, ...sizes }), 'depth must be 6n + 4');
  throwsWith(() => resolveImageModelSpec({ kind: 'bnn', backbone: 'wrn', ...sizes }), 'backbone "wrn" is not one of a bnn model\'s: bireal');
  throwsWith(() => resolveImageModelSpec({ kind: 'cnn' as 'dhn', ...sizes }), 'kind must be one of dhn, bnn, snn, standard');
  throwsWith(() => resolveImageModelSpec({ kind: 'standard', backbone: 'vit', patchSize: 5, ...sizes }), 'patchSize must be a divisor of the image size 28');
  // Defaults: the method families per kind, and the CPU sizes.
  assert.equal(familySpec('bnn', 'ste'), 'approxsign');
  assert.equal(familySpec('snn', 'ste'), 'ste:sigmoid,k=4');
  assert.deepEqual(resolveImageModelSpec({ kind: 'dhn', ...sizes }), { kind: 'dhn', backbone: 'wrn', method: 'htaf:alpha=2,beta=11', ...sizes, depth: 16, width: 1, baseWidth: 16, dropout: 0 });
  assert.deepEqual(resolveImageModelSpec({ kind: 'snn', ...sizes }), { kind: 'snn', backbone: 'sew', method: 'htaf:alpha=2,beta=11', ...sizes, depth: 10, baseWidth: 16, T: 4 });
  assert.equal(resolveImageModelSpec({ kind: 'bnn', method: 'sign:ss', ...sizes }).method, 'ss:gamma=22');
  await assert.rejects(trainImageModel(base, { ...data, test: quadrants(4, 3, 'odd') && { ...quadrants(4, 3, 'odd'), height: 4, width: 16 } }), /data.test images are 1×4×16 but data.train's are 1×8×8/);
});

test('runImageCompare: Table 1 layout, mean (se) over seeds, the lr chosen on validation; --resume redoes no finished run', async () => {
  const dir = tmp();
  try {
    let trained = 0;
    const options = {
      data,
      models: ['dhn' as const, 'standard' as const],
      methods: ['htaf', 'ste'],
      modelOptions: { dhn: { depth: 10, baseWidth: 4 }, standard: { depth: 10, baseWidth: 4 } },
      seeds: 2,
      seed: 1,
      lrs: [1e-2, 3e-3],
      train: { epochs: 1, batch: 16 },
      outDir: dir,
      trainRun: (config: ImageTrainConfig, d: ImageTrainData, o: ImageTrainOptions) => {
        trained++;
        return trainImageModel(config, d, o);
      },
    };
    const events: ImageCompareEvent[] = [];
    const a = await runImageCompare({ ...options, onEvent: (e) => events.push(e) });
    const aReport = writeImageCompareReport(options.outDir, a);
    assert.equal(readFileSync(aReport.files.markdown, 'utf8'), aReport.markdown);
    assert.equal(trained, (2 + 1) * 2 * 2, '(dhn × 2 methods + standard) × 2 seeds × 2 lrs');
    assert.match(aReport.markdown, /^### quadrants test accuracy \(%\), exact steps \(Table 1\)\n\n\| Model \| HTAF Accuracy \| STE Accuracy \| ReLU Accuracy \|/);
    assert.match(aReport.markdown, /\| DHN \| \d+\.\d \(\d+\.\d\) \| \d+\.\d \(\d+\.\d\) \|  \|/);
    assert.match(aReport.markdown, /\| Standard \|  \|  \| \d+\.\d \(\d+\.\d\) \|/);
    assert.match(aReport.markdown, /smooth steps/);
    const dhnHtaf = a.results.cells.find((c) => c.model === 'dhn' && c.method === 'htaf')!;
    assert.equal(dhnHtaf.spec, 'htaf:alpha=2,beta=11');
    assert.equal(dhnHtaf.accuracy.n, 2);
    for (const s of dhnHtaf.seeds) {
      const runs = a.results.runs.filter((r) => r.model === 'dhn' && r.method === 'htaf' && r.seedIndex === s.seedIndex);
      assert.equal(s.val, Math.max(...runs.map((r) => r.val.accuracy)), 'the chosen lr has the best validation accuracy');
    }
    assert.equal(a.results.cells.find((c) => c.model === 'dhn' && c.method === 'ste')!.spec, 'ste:sigmoid,k=4');
    // Without --resume an existing journal is refused; with it nothing is retrained and the tables are the same.
    await assert.rejects(runImageCompare(options), /runs\.jsonl exists .*add --resume/);
    trained = 0;
    const b = await runImageCompare({ ...options, resume: true });
    assert.equal(trained, 0);
    assert.equal(writeImageCompareReport(options.outDir, b).markdown, aReport.markdown);
    // Another command cannot resume this journal.
    await assert.rejects(runImageCompare({ ...options, resume: true, train: { epochs: 2, batch: 16 } }), /written by a different command \(differs in: train\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
