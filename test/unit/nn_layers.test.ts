// Layers: shapes, options, train/eval behaviour, PyTorch-identical initialization, argument errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d, Dropout, Embedding, Flatten, GELU, Identity,
  LayerNorm, LeakyReLU, Linear, MaxPool2d, ModuleList, ReLU, Sequential, SiLU, Sigmoid, Tanh,
  empty, init, manualSeed, memory, ones, randn, tensor, tidy, type Tensor,
} from '../../src/index.js';
import { assertSameValues, layerInit } from '../helpers/layer_init.js';

function close(actual: number[], expected: number[], tol = 1e-5, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${a} vs ${expected[i]}`));
}

function shapeOf(fn: () => Tensor): number[] {
  return tidy(() => [...fn().shape]);
}

test('Linear initializes exactly as PyTorch: manualSeed(0); Linear(45, 256)', () => {
  manualSeed(0);
  const l = new Linear(45, 256);
  const w = l.weight.toFlatArray();
  const b = l.bias!.toFlatArray();
  // Every value, from tools/golden/layer_init_fixtures.py: torch.manual_seed(0); nn.Linear(45, 256)
  const torch = layerInit('linear');
  assertSameValues(l.weight, torch.get('weight'), 'Linear(45, 256).weight');
  assertSameValues(l.bias!, torch.get('bias'), 'Linear(45, 256).bias');
  const bound = 1 / Math.sqrt(45);
  assert.ok(w.every((v) => Math.abs(v) <= bound) && b.every((v) => Math.abs(v) <= bound));
  assert.deepEqual(shapeOf(() => l.call(randn([7, 45]))), [7, 256]);
  assert.deepEqual(shapeOf(() => l.call(randn([2, 3, 45]))), [2, 3, 256]);
  l.dispose();
});

test('Linear without bias, Identity and Flatten', () => {
  const l = new Linear(3, 2, { bias: false });
  assert.equal(l.bias, null);
  assert.deepEqual(tidy(() => [...l.stateDict().keys()]), ['weight']);
  const y = tidy(() => l.call(ones([1, 3])).toFlatArray());
  const w = l.weight.toArray() as number[][];
  close(y, w.map((row) => row.reduce((a, b) => a + b, 0)));
  const x = randn([2, 3, 4, 5]);
  assert.equal(new Identity().call(x), x);
  assert.deepEqual(shapeOf(() => new Flatten().call(x)), [2, 60]);
  assert.deepEqual(shapeOf(() => new Flatten(2).call(x)), [2, 3, 20]);
  x.dispose();
  l.dispose();
});

test('Conv2d: output shapes with stride, padding, dilation, groups and same padding', () => {
  const x = randn([2, 4, 9, 9]);
  const cases: [Conv2d, number[]][] = [
    [new Conv2d(4, 6, 3), [2, 6, 7, 7]],
    [new Conv2d(4, 6, 3, { stride: 2, padding: 1 }), [2, 6, 5, 5]],
    [new Conv2d(4, 6, [3, 1], { padding: [1, 0] }), [2, 6, 9, 9]],
    [new Conv2d(4, 6, 3, { dilation: 2 }), [2, 6, 5, 5]],
    [new Conv2d(4, 8, 3, { groups: 2, padding: 'same' }), [2, 8, 9, 9]],
    [new Conv2d(4, 4, 5, { groups: 4, padding: 'valid', bias: false }), [2, 4, 5, 5]],
  ];
  for (const [conv, expected] of cases) {
    assert.deepEqual(shapeOf(() => conv.call(x)), expected, conv.toString());
    conv.dispose();
  }
  const g = new Conv2d(4, 8, 3, { groups: 2 });
  assert.deepEqual(g.weight.shape, [8, 2, 3, 3]);
  assert.equal(g.toString(), 'Conv2d(4, 8, kernelSize=(3, 3), stride=(1, 1), groups=2)');
  g.dispose();
  x.dispose();
});

test('Conv2d initializes as PyTorch: bound 1/sqrt(fanIn) with fanIn = in/groups·kH·kW', () => {
  manualSeed(1);
  const c = new Conv2d(3, 8, 3);
  // Every value, from tools/golden/layer_init_fixtures.py: torch.manual_seed(1); nn.Conv2d(3, 8, 3)
  const torch = layerInit('conv2d');
  assertSameValues(c.weight, torch.get('weight'), 'Conv2d(3, 8, 3).weight');
  assertSameValues(c.bias!, torch.get('bias'), 'Conv2d(3, 8, 3).bias');
  const w = c.weight.toFlatArray();
  const b = c.bias!.toFlatArray();
  const bound = 1 / Math.sqrt(27);
  assert.ok([...w, ...b].every((v) => Math.abs(v) <= bound));
  c.dispose();
});

test('Conv1d: shapes over [N, C, L]', () => {
  const c = new Conv1d(3, 5, 3, { stride: 2, padding: 1 });
  assert.deepEqual(c.weight.shape, [5, 3, 3]);
  assert.deepEqual(shapeOf(() => c.call(randn([4, 3, 10]))), [4, 5, 5]);
  c.dispose();
});

test('conv arguments are checked at construction, naming the layer and the value', () => {
  assert.throws(() => new Conv2d(3, 4, 3, { groups: 2 }), /Conv2d: inChannels \(3\) must be divisible by groups \(2\)/);
  assert.throws(() => new Conv2d(4, 3, 3, { groups: 2 }), /Conv2d: outChannels \(3\) must be divisible by groups \(2\)/);
  assert.throws(() => new Conv2d(4, 4, [3, 3, 3]), /Conv2d: kernelSize must be an integer >= 1 or a list of 2 such integers; got \[3,3,3\]/);
  assert.throws(() => new Conv2d(4, 4, 3, { stride: 0 }), /Conv2d: stride must be an integer >= 1/);
  assert.throws(() => new Conv2d(4, 4, 2, { padding: 'same' }), /Conv2d: padding 'same' with kernelSize \(2, 2\)/);
  assert.throws(() => new Conv2d(4, 4, 3, { padding: 'same', stride: 2 }), /Conv2d: padding 'same' needs stride 1/);
  assert.throws(() => new Conv2d(4, 4, 3, { pading: 1 } as never), /Conv2d: unknown option 'pading'/);
  assert.throws(() => new Linear(-1, 2), /Linear: inFeatures must be a non-negative integer; got -1/);
  const before = memory().liveTensors;
  const c = new Conv2d(3, 4, 3);
  assert.throws(() => tidy(() => c.call(randn([2, 5, 8, 8]))), /conv2d\(.*float32\[2, 5, 8, 8\]/);
  assert.equal(memory().liveTensors, before + 2);
  c.dispose();
});

test('BatchNorm1d: running statistics after one batch match a hand computation', () => {
  const x = tensor([[1, 2, 3], [4, 0, -1], [2, 2, 2], [0, 1, 5]]);
  const bn = new BatchNorm1d(3);
  const cols = [[1, 4, 2, 0], [2, 0, 2, 1], [3, -1, 2, 5]];
  const mean = cols.map((c) => c.reduce((a, b) => a + b, 0) / 4);
  const unbiasedVar = cols.map((c, i) => c.reduce((a, v) => a + (v - mean[i]) ** 2, 0) / 3);
  const biasedVar = cols.map((c, i) => c.reduce((a, v) => a + (v - mean[i]) ** 2, 0) / 4);

  const yTrain = tidy(() => bn.call(x).toArray() as number[][]);
  close(bn.runningMean!.toFlatArray(), mean.map((m) => 0.1 * m), 1e-6, 'running_mean');
  close(bn.runningVar!.toFlatArray(), unbiasedVar.map((v) => 0.9 + 0.1 * v), 1e-6, 'running_var');
  assert.equal(bn.numBatchesTracked!.dtype, 'int64');
  assert.equal(Number(bn.numBatchesTracked!.item()), 1);
  // Training output: normalized with the batch's biased variance.
  close(yTrain.map((r) => r[0]), cols[0].map((v) => (v - mean[0]) / Math.sqrt(biasedVar[0] + 1e-5)), 1e-5, 'train output');

  bn.eval();
  const rm = bn.runningMean!.toFlatArray();
  const rv = bn.runningVar!.toFlatArray();
  const yEval = tidy(() => bn.call(x).toArray() as number[][]);
  close(yEval[1], [4, 0, -1].map((v, i) => (v - rm[i]) / Math.sqrt(rv[i] + 1e-5)), 1e-5, 'eval output');
  assert.equal(Number(bn.numBatchesTracked!.item()), 1, 'eval does not count batches');
  x.dispose();
  bn.dispose();
});

test('BatchNorm1d with momentum null keeps a cumulative average; without tracking, no buffers', () => {
  const x = tensor([[1, 2], [3, 6]]);
  const bn = new BatchNorm1d(2, { momentum: null });
  tidy(() => {
    bn.call(x);
    bn.call(x.mul(3));
  });
  close(bn.runningMean!.toFlatArray(), [(2 + 6) / 2, (4 + 12) / 2], 1e-6, 'cumulative mean');
  bn.dispose();

  const free = new BatchNorm1d(2, { trackRunningStats: false, affine: false });
  assert.deepEqual(tidy(() => [...free.stateDict().keys()]), []);
  free.eval();
  const y = tidy(() => free.call(x).toArray());
  close((y as number[][]).map((r) => r[0]), [-1, 1], 1e-4, 'eval uses batch statistics');
  free.dispose();
  x.dispose();
});

test('BatchNorm2d normalizes per channel over [N, C, H, W]; rank errors name the layer', () => {
  const bn = new BatchNorm2d(3);
  const y = tidy(() => {
    const out = bn.call(randn([4, 3, 5, 5]).mul(3).add(2));
    return [out.mean([0, 2, 3]).toFlatArray(), out.var([0, 2, 3], false).toFlatArray()];
  });
  close(y[0], [0, 0, 0], 1e-4, 'mean');
  close(y[1], [1, 1, 1], 1e-3, 'var');
  assert.throws(() => tidy(() => bn.call(randn([4, 3]))), /BatchNorm2d: expected 4D input; got shape \[4, 3\]/);
  assert.throws(() => new BatchNorm1d(3, { momentum: 2 }), /BatchNorm1d: momentum must be a number in \[0, 1\] or null; got 2/);
  bn.dispose();
});

test('LayerNorm normalizes the last dims', () => {
  const ln = new LayerNorm(4);
  const out = tidy(() => {
    const y = ln.call(tensor([[1, 2, 3, 4], [10, 10, 10, 14]]));
    return [y.mean([1]).toFlatArray(), y.var([1], false).toFlatArray()];
  });
  close(out[0], [0, 0], 1e-5);
  close(out[1], [1, 1], 1e-3);
  const ln2 = new LayerNorm([3, 4], { elementwiseAffine: false });
  assert.equal([...ln2.parameters()].length, 0);
  assert.deepEqual(shapeOf(() => ln2.call(randn([2, 3, 4]))), [2, 3, 4]);
  ln.dispose();
  ln2.dispose();
});

test('Dropout zeroes about p of the elements and scales the rest in training; identity in eval', () => {
  manualSeed(0);
  const d = new Dropout(0.25);
  const x = ones([100, 100]);
  const values = tidy(() => d.call(x).toFlatArray());
  const zeros = values.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / 10000 - 0.25) < 0.03, `zero fraction ${zeros / 10000}`);
  assert.ok(values.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
  d.eval();
  assert.ok(tidy(() => d.call(x).equal(x)));
  assert.throws(() => new Dropout(1.5), /Dropout: probability p must be between 0 and 1; got 1.5/);
  x.dispose();
});

test('pooling layers: shapes and values', () => {
  const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
  assert.deepEqual(tidy(() => new MaxPool2d(2).call(x).toArray()), [[[[6, 8], [14, 16]]]]);
  assert.deepEqual(tidy(() => new AvgPool2d(2).call(x).toArray()), [[[[3.5, 5.5], [11.5, 13.5]]]]);
  assert.deepEqual(tidy(() => new AdaptiveAvgPool2d(1).call(x).toArray()), [[[[8.5]]]]);
  assert.deepEqual(shapeOf(() => new MaxPool2d(3, { stride: 1, padding: 1 }).call(x)), [1, 1, 4, 4]);
  assert.deepEqual(shapeOf(() => new MaxPool2d(3, { stride: 2, ceilMode: true }).call(x)), [1, 1, 2, 2]);
  assert.deepEqual(shapeOf(() => new AdaptiveAvgPool2d([2, 1]).call(x)), [1, 1, 2, 1]);
  x.dispose();
});

test('Embedding looks rows up; the padding row starts at zero and gets no gradient', () => {
  manualSeed(2);
  const e = new Embedding(10, 4, { paddingIdx: 2 });
  const rows = e.weight.toArray() as number[][];
  // Every value, from tools/golden/layer_init_fixtures.py: torch.manual_seed(2); nn.Embedding(10, 4, padding_idx=2)
  assertSameValues(e.weight, layerInit('embedding').get('weight'), 'Embedding(10, 4, paddingIdx 2).weight');
  assert.deepEqual(rows[2], [0, 0, 0, 0]);
  tidy(() => {
    const idx = tensor([[1, 2], [2, 9]], { dtype: 'int64' });
    const y = e.call(idx);
    assert.deepEqual(y.shape, [2, 2, 4]);
    y.sum().backward();
    const g = e.weight.grad!.toArray() as number[][];
    assert.deepEqual(g[2], [0, 0, 0, 0]);
    assert.deepEqual(g[1], [1, 1, 1, 1]);
  });
  const fromEnd = new Embedding(5, 2, { paddingIdx: -1 });
  assert.equal(fromEnd.paddingIdx, 4);
  fromEnd.dispose();
  e.dispose();
});

test('activation modules compute their functions', () => {
  const x = tensor([-2, -0.5, 0, 1.5]);
  const xs = [-2, -0.5, 0, 1.5];
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  close(tidy(() => new ReLU().call(x).toFlatArray()), xs.map((v) => Math.max(v, 0)));
  close(tidy(() => new LeakyReLU(0.1).call(x).toFlatArray()), xs.map((v) => (v > 0 ? v : 0.1 * v)));
  close(tidy(() => new Tanh().call(x).toFlatArray()), xs.map(Math.tanh));
  close(tidy(() => new Sigmoid().call(x).toFlatArray()), xs.map(sig));
  close(tidy(() => new SiLU().call(x).toFlatArray()), xs.map((v) => v * sig(v)));
  const geluTanh = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  close(tidy(() => new GELU({ approximate: 'tanh' }).call(x).toFlatArray()), xs.map(geluTanh));
  // F.gelu (exact) on the same x, from tools/golden/layer_init_fixtures.py (case 'gelu')
  const torchGelu = layerInit('gelu');
  assert.deepEqual(torchGelu.get('x').values, xs, 'the fixture x is this x');
  close(tidy(() => new GELU().call(x).toFlatArray()), torchGelu.get('out').values, 1e-5, 'exact gelu');
  assert.throws(() => new GELU({ approximate: 'fast' as never }), /GELU: approximate must be 'none' or 'tanh'; got "fast"/);
  x.dispose();
});

test('Sequential: numeric or given names, indexing, append; ModuleList holds modules without forward', () => {
  const s = new Sequential(new Linear(2, 3), new ReLU());
  s.append(new Linear(3, 1));
  assert.equal(s.length, 3);
  assert.ok(s.at(-1) instanceof Linear);
  assert.deepEqual([...s.namedChildren()].map(([k]) => k), ['0', '1', '2']);
  assert.deepEqual(shapeOf(() => s.call(randn([5, 2]))), [5, 1]);
  assert.throws(() => s.at(3), /Sequential\.at: index 3 is out of range for 3 modules/);
  assert.throws(() => new Sequential(new ReLU(), 3 as never), /Sequential: argument 1 is not a Module \(got number\)/);
  const named = new Sequential(new Map([['enc', new Linear(2, 2)], ['act', new ReLU()]]));
  assert.deepEqual(tidy(() => [...named.stateDict().keys()]), ['enc.weight', 'enc.bias']);

  const list = new ModuleList([new Linear(2, 2), new Linear(2, 2)]);
  assert.deepEqual([...list.namedParameters()].map(([k]) => k), ['0.weight', '0.bias', '1.weight', '1.bias']);
  assert.throws(() => list.call(), /ModuleList has no forward/);
  let y = randn([1, 2]);
  for (const m of list) y = m.call(y);
  assert.deepEqual(y.shape, [1, 2]);
  y.dispose();
  s.dispose();
  named.dispose();
  list.dispose();
});

test('init functions draw what torch.nn.init draws after the same seed', () => {
  manualSeed(3);
  const t = empty([20, 30]);
  init.kaimingNormal_(t, { mode: 'fan_out', nonlinearity: 'relu' });
  // Every value, from tools/golden/layer_init_fixtures.py (case 'init'): torch.manual_seed(3);
  // t = torch.empty(20, 30); nn.init.kaiming_normal_(t, mode='fan_out', nonlinearity='relu')
  const torch = layerInit('init');
  assertSameValues(t, torch.get('kaiming_normal_fan_out_relu'), 'kaimingNormal_ fan_out relu');
  // ...then, on the same generator: nn.init.xavier_uniform_(t2, nn.init.calculate_gain('tanh'))
  const t2 = empty([20, 30]);
  init.xavierUniform_(t2, init.calculateGain('tanh'));
  assertSameValues(t2, torch.get('xavier_uniform_tanh'), 'xavierUniform_ gain tanh');
  assert.equal(init.calculateGain('leaky_relu', 0.2), torch.get('gain_leaky_relu_0.2').values[0]);
  init.zeros_(t);
  init.ones_(t2);
  assert.equal(tidy(() => t.sum().item()), 0);
  assert.equal(tidy(() => t2.sum().item()), 600);
  t.dispose();
  t2.dispose();
});
