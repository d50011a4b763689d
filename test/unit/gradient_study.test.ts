// Gradient studies (Appendix F.2) and the bound ablation (F.1) as library calls, on small synthetic data:
// the probe's norm is the documented per-example norm; norms are recorded per layer and epoch; a
// saturating training flags vanishing and ReLU does not; every tensor is freed; the ablation refuses
// β ≤ β_min and trains α = α_min(β).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_VANISHING_THRESHOLD, PreactivationProbe, TabularMlp, ablateBounds, ablationCsv, ablationMarkdown, alphaMin, binaryCrossEntropyWithLogits,
  boundAblationPlan, fromTypedArray, gradientCsv, gradientStudy, gradientSummaryMarkdown, manualSeed, memory, tidy, toJsonSafe, trainWithGradientProbe,
  vanishingStudy, vanishingTableCsv, vanishingTableMarkdown,
  type Encoded, type GradientStudyConfig, type Preprocessor, type RunConfig, type RunResult, type TrainData,
} from '../../src/index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** n rows of f features in [0, 1]; label: the alternating sum of the features > 0. */
function synthetic(n: number, f: number, seed = 1): Encoded {
  const r = lcg(seed);
  const x = new Float32Array(n * f);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < f; j++) {
      const v = r();
      x[i * f + j] = v;
      s += (j % 2 ? 1 : -1) * v;
    }
    y[i] = s > 0 ? 1 : 0;
  }
  return { x, y, rows: n, features: f };
}

const base = (over: Partial<GradientStudyConfig> = {}): GradientStudyConfig => ({
  task: 'binary', outFeatures: 1, hidden: [8, 6], methods: ['relu'], epochs: 2, lr: 1e-3, batch: 32, seed: 0, threshold: DEFAULT_VANISHING_THRESHOLD, ...over,
});

test('the probe reports the sum over rows of each row\'s own loss gradient norm (batch-size free)', async () => {
  const live = memory().liveTensors;
  const data = synthetic(12, 5);
  manualSeed(3);
  const model = new TabularMlp(5, [7, 4], 1, 'htaf:alpha=2,beta=11');
  const probe = new PreactivationProbe(model.linears.slice(0, 2));
  const x = fromTypedArray(data.x, [12, 5]).keep();
  const y = fromTypedArray(data.y, [12, 1]).keep();
  try {
    const step = (rows: number[]) => tidy(() => {
      const idx = fromTypedArray(Int32Array.from(rows), [rows.length]).toDtype('int64');
      model.zeroGrad();
      probe.arm();
      binaryCrossEntropyWithLogits(model.call(x.indexSelect(0, idx)), y.indexSelect(0, idx)).backward();
      return probe.read(rows.length);
    });
    const batch = step([...Array(12).keys()]);
    const single = [0, 0];
    for (let i = 0; i < 12; i++) step([i]).forEach((v, l) => (single[l] += v));
    assert.equal(batch.length, 2);
    for (let l = 0; l < 2; l++) {
      assert.ok(batch[l] > 0 && Number.isFinite(batch[l]), `layer ${l + 1}: ${batch[l]}`);
      assert.ok(Math.abs(batch[l] - single[l]) <= 1e-5 * single[l], `layer ${l + 1}: batch ${batch[l]} vs one row at a time ${single[l]}`);
    }
    // nothing captured outside an armed step; reading without a forward names the problem
    assert.throws(() => tidy(() => probe.read(1)), /layer 1's pre-activation was not captured/);
  } finally {
    probe.remove();
    model.dispose();
    x.dispose();
    y.dispose();
  }
  assert.equal(memory().liveTensors, live, 'every tensor freed');
});

test('norms are recorded per hidden layer and epoch (finite, positive), with the loss; reproducible', async () => {
  const live = memory().liveTensors;
  const data = synthetic(150, 6);
  const study = await gradientStudy(data, base({ hidden: [16, 12, 8], methods: ['relu', 'htaf', 'ss:gamma=22'], epochs: 3 }));
  assert.deepEqual(study.config.methods, ['relu', 'htaf:alpha=2,beta=11', 'ss:gamma=22'], 'canonical specs');
  assert.equal(study.threshold, 1e-6);
  assert.match(study.definition, /mean over training rows of the L2 norm/);
  for (const r of study.runs) {
    assert.deepEqual(r.hidden, [16, 12, 8]);
    assert.deepEqual(r.epochs.map((e) => e.epoch), [1, 2, 3]);
    for (const e of r.epochs) {
      assert.equal(e.norms.length, 3);
      for (const v of e.norms) assert.ok(Number.isFinite(v) && v > 0, `${r.method} epoch ${e.epoch}: ${v}`);
      assert.ok(Number.isFinite(e.loss) && e.loss > 0 && e.loss < 2, `${r.method} loss ${e.loss}`);
    }
    assert.equal(r.vanishing, false, r.method);
    assert.equal(r.vanishingEpoch, null);
    assert.equal(r.minFirstLayerNorm, Math.min(...r.epochs.map((e) => e.norms[0])));
  }
  // Reproducible: the same run twice gives the same numbers.
  const again = await trainWithGradientProbe(data, base({ hidden: [16, 12, 8], epochs: 3 }), 'relu');
  assert.deepEqual(again.epochs, study.runs[0].epochs);
  assert.equal(memory().liveTensors, live, 'every tensor freed');

  const md = gradientSummaryMarkdown(study).join('\n');
  assert.match(md, /falls under 1e-6/);
  assert.match(md, /\| htaf:alpha=2,beta=11 \| 1 \(16\) \|/);
  const csv = gradientCsv(study.runs).trim().split('\n');
  assert.equal(csv[0], 'architecture,method,epoch,layer,width,mean_grad_norm,log10_mean_grad_norm,train_loss');
  assert.equal(csv.length, 1 + 3 * 3 * 3);
  assert.match(csv[1], /^16-12-8,relu,1,1,16,/);
  assert.match(csv.find((l) => l.includes('htaf'))!, /^16-12-8,"htaf:alpha=2,beta=11",1,1,16,/);
});

test('a saturating training (deep net, Adam at lr 0.1) is flagged vanishing for SS and HTAF(11, 2), not for ReLU', async () => {
  const live = memory().liveTensors;
  const data = synthetic(400, 8);
  const table = await vanishingStudy(data, { ...base(), methods: ['relu', 'htaf:alpha=11,beta=2', 'ss:gamma=22'], lr: 0.1, batch: 64 }, [[32, 32, 32, 32, 32]]);
  const [relu, htaf, ss] = table.cells[0];
  assert.equal(relu.vanishing, false, `relu: ${relu.epochs.map((e) => e.norms[0])}`);
  assert.ok(relu.minFirstLayerNorm > 1e-3);
  for (const r of [htaf, ss]) {
    assert.equal(r.vanishing, true, `${r.method}: ${r.epochs.map((e) => e.norms[0])}`);
    assert.equal(r.vanishingEpoch, r.epochs.find((e) => e.norms[0] < 1e-6)!.epoch);
    assert.ok(r.epochs[0].norms[0] > r.epochs[r.epochs.length - 1].norms[0], 'the first layer\'s norm fell');
  }
  const md = vanishingTableMarkdown(table).join('\n');
  assert.match(md, /threshold 1e-6/);
  assert.match(md, /\| 32-32-32-32-32 \| ok \(-?\d+\.\d+\) \| vanishing \((-\d+\.\d+|-inf)\) \| vanishing/);
  const csv = vanishingTableCsv(table).trim().split('\n');
  assert.equal(csv.length, 4);
  assert.match(csv[2], /^32-32-32-32-32,"htaf:alpha=11,beta=2",0\.000001,vanishing,\d+,/);
  // JSON: a norm that underflowed to 0 has log10 -Infinity, written as null
  assert.deepEqual(toJsonSafe({ a: -Infinity, b: NaN, c: 1 }), { a: null, b: null, c: 1 });
  assert.equal(memory().liveTensors, live, 'every tensor freed');
});

test('a failing run (bad spec, a model that does not fit the data) throws and leaks nothing', async () => {
  const live = memory().liveTensors;
  const data = synthetic(40, 4);
  await assert.rejects(() => gradientStudy(data, base({ methods: ['relu', 'htaf:alpha=0'] })), /alpha/);
  await assert.rejects(() => trainWithGradientProbe(data, base(), 'relu', { factory: (_i, h, o, a) => new TabularMlp(5, h, o, a) }), /mat|shape|size/i);
  await assert.rejects(() => gradientStudy(data, base({ epochs: 0 })), /epochs must be a positive integer/);
  await assert.rejects(() => gradientStudy(data, base({ threshold: 0 })), /threshold must be a number > 0/);
  assert.equal(memory().liveTensors, live, 'every tensor freed');
});

test('bound ablation: α = α_min(β) rounded up as Table 6; β ≤ β_min refused; one run per β with its metrics', async () => {
  const plan = boundAblationPlan([5, 10, 5000], 0.1, 0.1);
  assert.deepEqual(plan.map((p) => p.alpha), [4.72, 2.24, 0.005]);
  assert.deepEqual(plan.map((p) => p.spec), ['htaf:alpha=4.72,beta=5', 'htaf:alpha=2.24,beta=10', 'htaf:alpha=0.005,beta=5000']);
  for (const p of plan) {
    assert.equal(p.alphaMin, alphaMin(p.beta, 0.1, 0.1));
    assert.ok(p.alpha >= p.alphaMin);
  }
  assert.throws(() => boundAblationPlan([2, 5, 1], 0.1, 0.1), /β = 2, 1 are not above β_min = ln\(\(1 − ε\)\/ε\) = 2\.1972/);
  assert.throws(() => boundAblationPlan([5, 5], 0.1, 0.1), /listed twice/);

  // With a stand-in trainer: the configs it is given and how its results land in the rows.
  const seen: RunConfig[] = [];
  const fake = async (config: RunConfig): Promise<RunResult> => {
    seen.push(config);
    const m = { auroc: 0.7 + config.hidden.length / 100 };
    return { config, bestEpoch: 2, epochsRun: 3, val: { exact: m, smooth: m }, test: { exact: { auroc: 0.8 }, smooth: { auroc: 0.81 } }, binarity: 0.9, seconds: 0.1 };
  };
  const data = {} as TrainData;
  const result = await ablateBounds(data, { eps: 0.1, delta: 0.1, betas: [5, 100], task: 'binary', hidden: [16, 8], epochs: 3, lr: 1e-3, batch: 32, seed: 4, patience: 0 }, { train: fake });
  assert.deepEqual(seen.map((c) => c.method), ['htaf:alpha=4.72,beta=5', 'htaf:alpha=0.22,beta=100']);
  assert.deepEqual(seen[0], { task: 'binary', method: 'htaf:alpha=4.72,beta=5', hidden: [16, 8], epochs: 3, lr: 1e-3, optimizer: 'adam', batch: 32, seed: 4, patience: 0 });
  assert.deepEqual(result.rows.map((r) => [r.beta, r.alpha, r.test, r.testSmooth, r.binarity, r.bestEpoch]), [[5, 4.72, 0.8, 0.81, 0.9, 2], [100, 0.22, 0.8, 0.81, 0.9, 2]]);
  assert.equal(result.metric, 'auroc');
  const md = ablationMarkdown(result).join('\n');
  assert.match(md, /beta_min = ln\(\(1 - eps\)\/eps\) = 2\.20/);
  assert.match(md, /\| 5 \| 4\.72 \| 4\.72 \| 0\.8000 \| 0\.8100 \|/);
  assert.equal(ablationCsv(result).trim().split('\n').length, 3);
});

test('bound ablation through trainRun on a small dataset: exact-step AUROC and binarity per β, nothing leaked', async () => {
  const live = memory().liveTensors;
  const all = synthetic(300, 6, 7);
  const part = (from: number, to: number): Encoded => ({
    x: all.x.slice(from * 6, to * 6), y: all.y.slice(from, to), rows: to - from, features: 6,
  });
  const preprocessor = { featureNames: [], encode: () => part(0, 1), unscaleTarget: (v: number) => v, toJSON: () => ({}) } as Preprocessor;
  const data: TrainData = { train: part(0, 200), val: part(200, 240), test: part(240, 300), preprocessor, classes: 2 };
  const result = await ablateBounds(data, { eps: 0.1, delta: 0.1, betas: [5, 50], task: 'binary', hidden: [8, 8], epochs: 2, lr: 1e-2, batch: 32, seed: 0, patience: 0 });
  assert.equal(result.rows.length, 2);
  for (const r of result.rows) {
    assert.ok(r.test >= 0 && r.test <= 1, `auroc ${r.test}`);
    assert.ok(r.binarity >= 0 && r.binarity <= 1, `binarity ${r.binarity}`);
    assert.equal(r.epochsRun, 2);
  }
  assert.equal(memory().liveTensors, live, 'every tensor freed');
});
