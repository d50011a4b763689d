// TabularMlp and trainRun on small synthetic tasks: shapes and state-dict names, learning, bit-for-bit
// determinism, resume after an interruption, the NaN stop, exact-step model selection, every task kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HTAF, Linear, TabularMlp, loadCheckpoint, memory, noGrad, primaryMetric, randn, tidy, trainRun,
  type RunConfig, type RunResult, type TrainData,
} from '../../src/index.js';
import type { Encoded, Preprocessor } from '../../src/data/tabular_types.js';

/** A seeded LCG so the data do not depend on libtorch's generator. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

type Rule = (x: number[]) => number;

function encoded(rows: number, features: number, seed: number, rule: Rule): Encoded {
  const r = lcg(seed);
  const x = new Float32Array(rows * features);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v: number[] = [];
    for (let j = 0; j < features; j++) v.push((x[i * features + j] = r()));
    y[i] = rule(v);
  }
  return { x, y, rows, features };
}

function preprocessor(scale = 1, offset = 0): Preprocessor {
  return {
    featureNames: [],
    encode: () => {
      throw new Error('not used');
    },
    unscaleTarget: (y) => y * scale + offset,
    toJSON: () => ({ kind: 'test', scale, offset }),
  };
}

const binaryRule: Rule = (v) => (v[0] + v[1] * v[2] > 0.8 ? 1 : 0);

function binaryData(rows = 600): TrainData {
  return {
    train: encoded(rows, 5, 1, binaryRule),
    val: encoded(150, 5, 2, binaryRule),
    test: encoded(200, 5, 3, binaryRule),
    preprocessor: preprocessor(),
    classes: 2,
  };
}

const base: RunConfig = { task: 'binary', method: 'htaf', hidden: [16, 16], epochs: 6, lr: 5e-3, optimizer: 'adam', batch: 32, seed: 7, patience: 0 };

/** A result without its wall-clock time, for bit-for-bit comparisons. */
const timeless = ({ seconds: _s, ...rest }: RunResult) => rest;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'htaf-trainer-'));
}

test('TabularMlp: Linear, act, ..., Linear as layers.*; shapes, state-dict names, activations per hidden layer', async () => {
  const before = memory().liveTensors;
  const m = new TabularMlp(5, [8, 4], 3, 'htaf:alpha=2,beta=11');
  assert.equal(m.activations.length, 2);
  assert.ok(m.activations.every((a) => a instanceof HTAF));
  assert.equal(m.linears.length, 3);
  assert.ok(m.linears.every((l) => l instanceof Linear));
  assert.deepEqual(tidy(() => [...m.stateDict().keys()].sort()), [
    'layers.0.bias', 'layers.0.weight', 'layers.2.bias', 'layers.2.weight', 'layers.4.bias', 'layers.4.weight',
  ]);
  tidy(() => {
    const sd = m.stateDict();
    assert.deepEqual(sd.get('layers.0.weight')!.shape, [8, 5]);
    assert.deepEqual(sd.get('layers.2.weight')!.shape, [4, 8]);
    assert.deepEqual(sd.get('layers.4.weight')!.shape, [3, 4]);
    assert.deepEqual(noGrad(() => m.call(randn([7, 5]))).shape, [7, 3]);
  });
  assert.equal(m.parameterCount(), 5 * 8 + 8 + 8 * 4 + 4 + 4 * 3 + 3);
  assert.match(String(m), /5-8-4-3, activation=htaf:alpha=2,beta=11/);
  m.dispose();
  const linear = new TabularMlp(3, [], 1, 'relu');
  assert.equal(linear.activations.length, 0);
  assert.deepEqual(tidy(() => [...linear.stateDict().keys()]), ['layers.0.weight', 'layers.0.bias']);
  linear.dispose();
  assert.throws(() => new TabularMlp(3, [4, 0], 1, 'relu'), /TabularMlp: hidden\[1\] must be a positive integer; got 0/);
  assert.throws(() => new TabularMlp(3, [4], 1, 'htaf:alpha=0'), /alpha must be a finite number > 0/);
  assert.equal(memory().liveTensors, before);
});

test('primaryMetric: AUROC for binary, accuracy for multiclass, RMSE (lower is better) for regression', async () => {
  assert.deepEqual(primaryMetric('binary'), { name: 'auroc', higherIsBetter: true });
  assert.deepEqual(primaryMetric('multiclass'), { name: 'accuracy', higherIsBetter: true });
  assert.deepEqual(primaryMetric('regression'), { name: 'rmse', higherIsBetter: false });
});

test('trainRun learns a binary task: the loss falls, test AUROC is high, metrics exact and smooth, no tensor left', async () => {
  const before = memory().liveTensors;
  const losses: number[] = [];
  const r = await trainRun({ ...base, epochs: 12 }, binaryData(), { onEpoch: (e) => losses.push(e.trainLoss) });
  assert.equal(losses.length, 12);
  assert.ok(losses[11] < 0.6 * losses[0], `loss ${losses[0]} -> ${losses[11]}`);
  assert.ok(r.test.smooth.auroc > 0.9, `test AUROC (smooth) ${r.test.smooth.auroc}`);
  assert.ok(r.test.exact.auroc > 0.85, `test AUROC (exact) ${r.test.exact.auroc}`);
  for (const part of [r.val.exact, r.val.smooth, r.test.exact, r.test.smooth]) assert.deepEqual(Object.keys(part).sort(), ['accuracy', 'auroc']);
  assert.ok(r.binarity > 0 && r.binarity <= 1, `binarity ${r.binarity}`);
  assert.equal(r.epochsRun, 12);
  assert.ok(r.bestEpoch >= 1 && r.bestEpoch <= 12);
  assert.ok(r.seconds > 0);
  assert.equal(r.stoppedOnNaN, undefined);
  assert.equal(memory().liveTensors, before);
});

test('trainRun selects on validation metrics with exact steps and reports them for the kept weights', async () => {
  const seen = new Map<number, number>();
  const r = await trainRun({ ...base, epochs: 8 }, binaryData(), { onEpoch: (e) => seen.set(e.epoch, e.val.auroc) });
  const best = Math.max(...seen.values());
  assert.equal(seen.get(r.bestEpoch), best);
  assert.equal(r.val.exact.auroc, best); // the epoch's exact-step val AUROC is the reported one
  assert.notEqual(r.val.smooth.auroc, r.val.exact.auroc);
  // relu has no steps: exact and smooth are the same network
  const relu = await trainRun({ ...base, method: 'relu', epochs: 2 }, binaryData());
  assert.deepEqual(relu.test.exact, relu.test.smooth);
});

test('trainRun is deterministic: same config and seed, same result bit for bit; another seed differs', async () => {
  const a = await trainRun(base, binaryData());
  const b = await trainRun(base, binaryData());
  assert.deepEqual(timeless(a), timeless(b));
  const c = await trainRun({ ...base, seed: 8 }, binaryData());
  assert.notDeepEqual(c.test, a.test);
});

test('trainRun resumes after an interruption to the same result as an uninterrupted run', async () => {
  const straight = await trainRun(base, binaryData());
  const dir = tmp();
  try {
    const stop = new Error('interrupted');
    await assert.rejects(() => trainRun(base, binaryData(), { outDir: dir, onEpoch: (e) => { if (e.epoch === 3) throw stop; } }), /interrupted/);
    assert.deepEqual(readdirSync(dir).sort(), ['best.safetensors', 'checkpoint.safetensors']); // no temp files
    const epochs: number[] = [];
    const resumed = await trainRun(base, binaryData(), { outDir: dir, resume: true, onEpoch: (e) => epochs.push(e.epoch) });
    assert.deepEqual(epochs, [4, 5, 6]);
    assert.deepEqual(timeless(resumed), timeless(straight));
    // resuming a finished run trains nothing and reports the same
    const again = await trainRun(base, binaryData(), { outDir: dir, resume: true, onEpoch: () => assert.fail('no epoch expected') });
    assert.deepEqual(timeless(again), timeless(straight));
    // the best checkpoint holds the kept weights and what is needed to use them
    const best = tidy(() => {
      const ck = loadCheckpoint<unknown, { epoch: number; metric: string; preprocessor: object }>(join(dir, 'best.safetensors'));
      return { names: [...ck.model.keys()].sort(), meta: ck.meta! };
    });
    assert.equal(best.meta.epoch, straight.bestEpoch);
    assert.equal(best.meta.metric, 'auroc');
    assert.deepEqual(best.meta.preprocessor, { kind: 'test', scale: 1, offset: 0 });
    assert.deepEqual(best.names, ['layers.0.bias', 'layers.0.weight', 'layers.2.bias', 'layers.2.weight', 'layers.4.bias', 'layers.4.weight']);
    // another config cannot resume from it
    await assert.rejects(() => trainRun({ ...base, lr: 1e-3 }, binaryData(), { outDir: dir, resume: true }), /cannot resume from .*checkpoint\.safetensors: the config differs \(lr: checkpoint 0\.005, now 0\.001\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('trainRun stops on a NaN loss, keeps the best weights and says so', async () => {
  const before = memory().liveTensors;
  const dir = tmp();
  try {
    const epochs: number[] = [];
    const r = await trainRun(base, binaryData(), {
      outDir: dir,
      onEpoch: (e) => epochs.push(e.epoch),
      // poison the first layer during epoch 3: the next batch's loss is NaN
      onBatch: ({ model, epoch, step }) => {
        if (epoch === 3 && step === 2) noGrad(() => model.linears[0].weight.mul_(NaN));
      },
    });
    assert.deepEqual(r.stoppedOnNaN, { epoch: 3 });
    assert.deepEqual(epochs, [1, 2]);
    assert.equal(r.epochsRun, 2);
    assert.ok(r.bestEpoch === 1 || r.bestEpoch === 2);
    for (const m of [r.val.exact, r.val.smooth, r.test.exact, r.test.smooth]) assert.ok(Number.isFinite(m.auroc), JSON.stringify(m));
    assert.ok(Number.isFinite(r.binarity));
    const bestEpoch = tidy(() => loadCheckpoint<unknown, { epoch: number }>(join(dir, 'best.safetensors')).meta!.epoch);
    assert.equal(bestEpoch, r.bestEpoch);
    // resuming a NaN-stopped run reports the same without training again
    const again = await trainRun(base, binaryData(), { outDir: dir, resume: true, onEpoch: () => assert.fail('no epoch expected') });
    assert.deepEqual(timeless(again), timeless(r));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(memory().liveTensors, before);
});

test('trainRun with patience stops early after that many epochs without improvement', async () => {
  const seen: number[] = [];
  const r = await trainRun({ ...base, epochs: 40, patience: 2, lr: 2e-2 }, binaryData(300), { onEpoch: (e) => seen.push(e.val.auroc) });
  assert.ok(r.epochsRun < 40, `ran ${r.epochsRun} epochs`);
  assert.equal(r.epochsRun, r.bestEpoch + 2);
});

test('trainRun: multiclass (k logits, accuracy + macro AUROC) and regression (RMSE in target units)', async () => {
  const classRule: Rule = (v) => (v[0] < 0.33 ? 0 : v[0] < 0.66 ? 1 : 2);
  const multi = await trainRun({ ...base, task: 'multiclass', method: 'ste', epochs: 8 }, {
    train: encoded(600, 4, 11, classRule), val: encoded(150, 4, 12, classRule), test: encoded(150, 4, 13, classRule), preprocessor: preprocessor(), classes: 3,
  });
  assert.deepEqual(Object.keys(multi.test.exact).sort(), ['accuracy', 'auroc']);
  assert.ok(multi.test.exact.accuracy > 0.6, JSON.stringify(multi.test));
  assert.ok(multi.test.exact.auroc > 0.8, JSON.stringify(multi.test));

  const regRule: Rule = (v) => 0.5 * v[0] + 0.3 * v[1] * v[1];
  const cfg: RunConfig = { ...base, task: 'regression', method: 'ss', epochs: 8, optimizer: 'sgd', lr: 0.05 };
  const data = (scale: number): TrainData => ({
    train: encoded(600, 3, 21, regRule), val: encoded(150, 3, 22, regRule), test: encoded(150, 3, 23, regRule), preprocessor: preprocessor(scale, 100), classes: 0,
  });
  const unit = await trainRun(cfg, data(1));
  const scaled = await trainRun(cfg, data(10));
  assert.deepEqual(Object.keys(unit.test.exact), ['rmse']);
  assert.ok(unit.test.smooth.rmse < 0.25, JSON.stringify(unit.test));
  // the same training on the scaled target; RMSE reported in target units, 10 times larger
  assert.ok(Math.abs(scaled.test.exact.rmse - 10 * unit.test.exact.rmse) < 1e-5 * scaled.test.exact.rmse);
});

test('trainRun refuses bad configs and data with messages naming the field', async () => {
  const d = binaryData(50);
  await assert.rejects(() => trainRun({ ...base, lr: 0 }, d), /trainRun: config\.lr must be a finite number > 0; got 0/);
  await assert.rejects(() => trainRun({ ...base, optimizer: 'rmsprop' as 'sgd' }, d), /config\.optimizer must be 'adam' or 'sgd'/);
  await assert.rejects(() => trainRun({ ...base, hidden: [4, -1] }, d), /config\.hidden must be an array of positive integers/);
  await assert.rejects(() => trainRun({ ...base, epochs: 1.5 }, d), /config\.epochs must be a positive integer/);
  await assert.rejects(() => trainRun({ ...base, method: 'nope' }, d), /nope/);
  await assert.rejects(() => trainRun(base, { ...d, classes: 3 }), /a binary task needs data\.classes = 2; got 3/);
  await assert.rejects(() => trainRun(base, { ...d, val: { ...d.val, rows: 0, x: new Float32Array(0), y: new Float32Array(0) } }), /data\.val has no rows/);
  await assert.rejects(() => trainRun(base, { ...d, test: encoded(5, 4, 1, binaryRule) }), /data\.test has 4 features but data\.train has 5/);
  await assert.rejects(() => trainRun({ ...base, task: 'multiclass' }, { ...d, classes: 2, train: { ...d.train, y: d.train.y.map(() => 2) } }), /data\.train\.y\[0\] is 2; multiclass targets must be class indices in \[0, 2\)/);
  await assert.rejects(() => trainRun(base, d, { resume: true }), /resume needs outDir/);
  assert.ok(!existsSync(join(tmpdir(), 'undefined')));
});
