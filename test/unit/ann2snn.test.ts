// ANN-to-SNN conversion (Appendix E): thresholds are the documented percentile (numpy's 'linear') of each
// ReLU's outputs over the calibration batches; an IF layer with reset by subtraction and θ per spike
// reproduces clamp(h, 0, θ) within θ/T; a small trained ReLU CNN with a residual add keeps its accuracy
// at large T; a reused ReLU gets one site per call; the original model is untouched; errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adam, AdaptiveAvgPool2d, BatchNorm2d, Conv2d, GELU, Linear, Module, ReLU, Sequential, activationFactory, convertToSnn, crossEntropy, manualSeed, noGrad,
  randn, tensor, tidy, type Tensor,
} from '../../src/index.js';
import { throwsWith } from '../helpers/errors.js';

/** conv-BN-ReLU, then conv + residual add, ReLU, global pool, linear: the shape of a ResNet, small. */
class TinyResCnn extends Module {
  readonly conv1 = this.registerModule('conv1', new Conv2d(1, 8, 3, { padding: 1, bias: false }));
  readonly bn1 = this.registerModule('bn1', new BatchNorm2d(8));
  readonly act1 = this.registerModule('act1', activationFactory('relu')());
  readonly conv2 = this.registerModule('conv2', new Conv2d(8, 8, 3, { padding: 1 }));
  readonly act2 = this.registerModule('act2', activationFactory('relu')());
  readonly pool = this.registerModule('pool', new AdaptiveAvgPool2d(1));
  readonly fc = this.registerModule('fc', new Linear(8, 4));
  forward(x: Tensor): Tensor {
    const h = this.act1.call(this.bn1.call(this.conv1.call(x)));
    return this.fc.call(this.pool.call(this.act2.call(this.conv2.call(h).add(h))).flatten(1));
  }
}

/** Class c: a bright 4×4 quadrant c of an 8×8 image, plus noise. */
function quadrantData(n: number): { x: Tensor; y: Tensor } {
  const labels = Array.from({ length: n }, (_, i) => i % 4);
  const pixels = new Float32Array(n * 64);
  labels.forEach((c, i) => {
    const [r0, c0] = [Math.floor(c / 2) * 4, (c % 2) * 4];
    for (let r = 0; r < 4; r++) for (let k = 0; k < 4; k++) pixels[i * 64 + (r0 + r) * 8 + c0 + k] = 1;
  });
  const x = tensor(pixels).reshape([n, 1, 8, 8]).add(randn([n, 1, 8, 8]).mul(0.3));
  return { x, y: tensor(labels, { dtype: 'int64' }) };
}

function trainedCnn(): { model: TinyResCnn; batches: Array<{ x: Tensor; y: Tensor }> } {
  manualSeed(0);
  const model = new TinyResCnn();
  const batches = [0, 1, 2].map(() => tidy(() => quadrantData(32))).map((b) => ({ x: b.x.keep(), y: b.y.keep() }));
  const opt = new Adam(model.parameters(), { lr: 0.02 });
  for (let step = 0; step < 30; step++) {
    const b = batches[step % batches.length];
    tidy(() => {
      opt.zeroGrad();
      crossEntropy(model.call(b.x), b.y).backward();
      opt.step();
    });
  }
  return { model, batches };
}

/** numpy.percentile(values, p) with its default 'linear' interpolation, in float64. */
function numpyPercentile(values: number[], p: number): number {
  const a = [...values].sort((u, v) => u - v);
  const pos = (p / 100) * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, a.length - 1);
  return a[lo] + (pos - lo) * (a[hi] - a[lo]);
}

/** Every output of each ReLU module of the model over the batches, in eval mode. */
function reluOutputs(model: Module, xs: Tensor[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const relus = [...model.namedModules()].filter(([, m]) => m instanceof ReLU);
  const removers = relus.map(([path, m]) => m.registerForwardHook((_m, _in, y: Tensor) => void out.set(path, [...(out.get(path) ?? []), ...y.toFlatArray()])));
  model.eval();
  for (const x of xs) tidy(() => noGrad(() => model.call(x)));
  model.train();
  for (const r of removers) r();
  return out;
}

test('thresholds are the percentile (numpy linear interpolation) of each ReLU’s outputs over all calibration batches', () => {
  const { model, batches } = trainedCnn();
  const xs = batches.map((b) => b.x);
  const outputs = reluOutputs(model, xs);
  for (const percentile of [99.9, 50, 100, 37.5]) {
    const snn = convertToSnn(model, percentile === 99.9 ? xs : batches, percentile === 99.9 ? {} : { percentile });
    assert.equal(snn.percentile, percentile);
    assert.deepEqual(snn.sites.map((s) => [s.path, s.call]), [['act1', 0], ['act2', 0]]);
    for (const site of snn.sites) {
      const values = outputs.get(site.path)!;
      assert.equal(site.count, values.length);
      assert.equal(site.count, 96 * 8 * 8 * 8);
      const expected = numpyPercentile(values, percentile);
      assert.ok(Math.abs(site.threshold - expected) <= 1e-6 * Math.max(1, expected), `${site.path} p${percentile}: ${site.threshold} vs ${expected}`);
      if (percentile === 100) assert.equal(site.threshold, Math.max(...values));
    }
  }
  for (const b of batches) (b.x.dispose(), b.y.dispose());
});

test('an IF layer (reset by subtraction, θ per spike) reproduces clamp(h, 0, θ) within θ/T (θ/(2T) from θ/2)', () => {
  manualSeed(1);
  const model = new Sequential(new Linear(6, 16), new ReLU(), new Linear(16, 3));
  const calib = randn([64, 6]).keep();
  const x = randn([10, 6]).keep();
  for (const [initialMembrane, T, slack] of [
    [0, 64, 1],
    [0.5, 64, 0.5],
    [0, 7, 1],
  ] as const) {
    const snn = convertToSnn(model, [calib], { percentile: 90, initialMembrane });
    const theta = snn.sites[0].threshold;
    tidy(() =>
      noGrad(() => {
        const fc1 = model.at(0) as Linear;
        const fc2 = model.at(2) as Linear;
        const expected = fc2.call(fc1.call(x).clamp(0, theta));
        const got = snn.evaluate(x, T);
        const bound = (fc2.weight.abs().sum(1).max().item() as number) * (slack * theta) / T;
        const err = got.sub(expected).abs().max().item() as number;
        assert.ok(err <= bound * (1 + 1e-4) + 1e-5, `v0 = ${initialMembrane}θ, T = ${T}: max |logit error| ${err} > bound ${bound}`);
        assert.ok(fc1.call(x).gt(theta).any().item(), 'some units saturate at θ, so the clamp matters');
      }),
    );
  }
  calib.dispose();
  x.dispose();
});

test('a trained ReLU CNN with a residual add: the converted SNN’s accuracy at large T is close to the ANN’s; the model is untouched', () => {
  const { model, batches } = trainedCnn();
  model.train();
  const before = tidy(() => [...model.stateDict()].map(([k, v]) => [k, v.toFlatArray()]));
  const probe = batches[0].x;
  const outBefore = tidy(() => noGrad(() => (model.eval(), model.call(probe).toFlatArray())));
  model.train();

  const snn = convertToSnn(model, batches.map((b) => b.x));
  const ann = snn.annAccuracy(batches);
  assert.ok(ann.accuracy >= 0.9, `ANN accuracy ${ann.accuracy}`);
  const rows = snn.accuracyOverT(batches, [1, 8, 256]);
  assert.deepEqual(rows.map((r) => r.T), [1, 8, 256]);
  const large = rows[2];
  assert.ok(large.accuracy >= ann.accuracy - 0.05, `SNN at T = 256: ${large.accuracy}, ANN ${ann.accuracy}`);
  assert.ok(rows.every((r) => r.seconds > 0) && rows[2].seconds >= rows[0].seconds);
  // evaluate(x, T) is the same simulation as accuracyOverT's
  const predicted = tidy(() => snn.evaluate(probe, 256).argmax(1).eq(batches[0].y).sum().item() as number);
  assert.ok(predicted / 32 >= ann.accuracy - 0.1);

  // untouched: weights, buffers, every training flag, and the forward (no hook left behind)
  assert.equal(model.training, true);
  assert.ok([...model.modules()].every((m) => m.training));
  assert.deepEqual(tidy(() => [...model.stateDict()].map(([k, v]) => [k, v.toFlatArray()])), before);
  assert.deepEqual(tidy(() => noGrad(() => (model.eval(), model.call(probe).toFlatArray()))), outBefore);
  for (const b of batches) (b.x.dispose(), b.y.dispose());
});

test('a ReLU module called twice in one forward gets one site (neuron and threshold) per call', () => {
  class Reused extends Module {
    readonly fc1 = this.registerModule('fc1', new Linear(4, 8));
    readonly fc2 = this.registerModule('fc2', new Linear(8, 8));
    readonly relu = this.registerModule('relu', new ReLU());
    readonly head = this.registerModule('head', new Linear(8, 2));
    forward(x: Tensor): Tensor {
      return this.head.call(this.relu.call(this.fc2.call(this.relu.call(this.fc1.call(x))).mul(3)));
    }
  }
  manualSeed(2);
  const model = new Reused();
  const calib = randn([32, 4]).keep();
  const snn = convertToSnn(model, [calib], { percentile: 100 });
  assert.deepEqual(snn.sites.map((s) => [s.path, s.call]), [['relu', 0], ['relu', 1]]);
  const maxima = tidy(() => {
    const h1 = model.fc1.call(calib).relu();
    return [h1.max().item() as number, model.fc2.call(h1).mul(3).relu().max().item() as number];
  });
  assert.deepEqual(snn.sites.map((s) => s.threshold), maxima);
  tidy(() => assert.deepEqual(snn.evaluate(calib, 4).shape, [32, 2]));
  calib.dispose();
});

test('conversion errors name the function, the option and the value', () => {
  const x = randn([4, 6]).keep();
  throwsWith(() => convertToSnn(new Sequential(new Linear(6, 4), new GELU(), new Linear(4, 2)), [x]), 'convertToSnn', 'only ReLU networks convert', '1 (GELU)');
  throwsWith(() => convertToSnn(new Sequential(new Linear(6, 4), activationFactory('htaf')(), new ReLU()), [x]), 'convertToSnn', '1 (HTAF)');
  throwsWith(() => convertToSnn(new Linear(6, 2), [x]), 'convertToSnn', 'Linear has no ReLU module');
  const model = new Sequential(new Linear(6, 4), new ReLU(), new Linear(4, 2));
  throwsWith(() => convertToSnn(model, []), 'convertToSnn', 'calibrationBatches is empty');
  throwsWith(() => convertToSnn(model, [x, 3 as any]), 'convertToSnn', 'batch 1 must be a Tensor of images');
  throwsWith(() => convertToSnn(model, null as any), 'convertToSnn', 'calibrationBatches must be an array or iterable');
  throwsWith(() => convertToSnn(model, [x], { percentile: 0 }), 'convertToSnn', 'percentile must be in (0, 100]', 'got 0');
  throwsWith(() => convertToSnn(model, [x], { percentile: 100.5 }), 'convertToSnn', 'percentile must be in (0, 100]');
  throwsWith(() => convertToSnn(model, [x], { initialMembrane: 2 }), 'convertToSnn', 'initialMembrane must be in [0, 1]');
  throwsWith(() => convertToSnn(model, [x], { percentil: 99 } as any), 'convertToSnn', "unknown option 'percentil'");
  throwsWith(() => convertToSnn(model, [tidy(() => x.mul(NaN))]), 'convertToSnn', "ReLU '1' (call 0)", 'threshold of NaN');
  const snn = convertToSnn(model, [x]);
  throwsWith(() => snn.evaluate(x, 0), 'ConvertedSnn.evaluate', 'T must be a positive integer', 'got 0');
  throwsWith(() => snn.accuracyOverT([{ x, y: tensor([0, 1], { dtype: 'int64' }) }], [4]), 'ConvertedSnn.accuracyOverT', 'batch 0 has 4 images but labels of shape [2]');
  throwsWith(() => snn.accuracyOverT([], [4]), 'ConvertedSnn.accuracyOverT', 'batches is empty');
  throwsWith(() => snn.accuracyOverT([{ x, y: tensor([0, 1, 0, 1], { dtype: 'int64' }) }], []), 'ConvertedSnn.accuracyOverT', 'Ts must be a non-empty array');
  throwsWith(() => snn.accuracyOverT([{ x, y: tensor([0, 1, 0, 1], { dtype: 'int64' }) }], [2, 1.5]), 'Ts[1] must be a positive integer', '1.5');
  x.dispose();
});
