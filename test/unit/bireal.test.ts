// Bi-Real Net (docs/method.md §3): the binary conv's weights take exactly two values ±α_c per output channel
// (α_c = mean |W_c|) and the forward uses them; Bi-Real's estimator passes the gradient through
// clamp(W, −1, 1); the method in its sign form; the exact switch making every activation ±1; shapes on
// 1×28×28; real-valued first conv, shortcuts and fc; a short training run whose loss falls; errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApproxSign, AvgPool2d, BiRealNet, BinaryActivation, BinaryConv2d, Conv2d, HTAF, Linear, STE, ScaledSigmoid, binarizedWeights, conv2d, manualSeed, noGrad,
  randn, setStepMode, signFormSpec, tidy, type Tensor,
} from '../../src/index.js';
import { throwsWith } from '../helpers/errors.js';
import { assertLossFell, trainOnTinyBatch } from '../helpers/training.js';

/** For each output channel of w [out, in, kH, kW], its distinct values. */
function channelValues(w: Tensor): number[][] {
  const [out] = w.shape;
  const flat = w.toFlatArray();
  const per = flat.length / out;
  return Array.from({ length: out }, (_, c) => [...new Set(flat.slice(c * per, (c + 1) * per))].sort((a, b) => a - b));
}

function assertTwoValuesPerChannel(binarized: Tensor, real: Tensor, what: string): void {
  const values = channelValues(binarized);
  const absMeans = tidy(() => real.detach().abs().mean([1, 2, 3]).toFlatArray());
  values.forEach((v, c) => {
    assert.equal(v.length, 2, `${what} channel ${c}: values ${v.join(', ')}`);
    assert.equal(v[0], -v[1], `${what} channel ${c}: ±a_c`);
    assert.ok(Math.abs(v[1] - absMeans[c]) <= 1e-6 * absMeans[c], `${what} channel ${c}: a_c = ${v[1]}, mean |W_c| = ${absMeans[c]}`);
  });
}

test('BinaryConv2d: each output channel takes exactly two values ±mean|W_c|, and the forward convolves with them', () => {
  manualSeed(0);
  const conv = new BinaryConv2d(6, 5, 3, { stride: 2 });
  noGrad(() => conv.weight.select(0, 0).select(0, 0).fill_(0)); // a zero weight: sign(0) = +1, not a third value
  tidy(() => {
    const wb = conv.binarizedWeight();
    assert.deepEqual(wb.shape, [5, 6, 3, 3]);
    assertTwoValuesPerChannel(wb, conv.weight, 'conv');
    assert.ok((wb.select(0, 0).select(0, 0).toFlatArray() as number[]).every((v) => v > 0));
    const x = randn([2, 6, 9, 9]);
    const expected = conv2d(x, wb, { stride: [2, 2], padding: [1, 1] });
    assert.deepEqual(conv.call(x).toFlatArray(), expected.toFlatArray(), 'forward = conv2d with α·sign(W), bit for bit');
  });
});

test("Bi-Real's estimator: the gradient reaches W through clamp(W, −1, 1) (zero where |W| > 1)", () => {
  manualSeed(1);
  const conv = new BinaryConv2d(3, 4, 3);
  noGrad(() => {
    conv.weight.select(0, 0).mul_(0).add_(1.5); // out-channel 0, in-channel 0: all 1.5 (clipped)
    conv.weight.select(0, 1).mul_(0).sub_(2); // out-channel 0, in-channel 1: all −2 (clipped)
  });
  tidy(() => {
    const x = randn([2, 3, 6, 6]);
    const target = randn([2, 4, 6, 6]);
    conv.call(x).mul(target).sum().backward();
    // the reference: the same loss as a function of the binarized weight itself
    const wb = conv.binarizedWeight().detach().requiresGrad_(true);
    conv2d(x, wb, { padding: [1, 1] }).mul(target).sum().backward();
    const inside = conv.weight.detach().abs().le(1).toDtype('float32');
    const expected = wb.grad!.mul(inside).toFlatArray();
    const got = conv.weight.grad!.toFlatArray();
    got.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) <= 1e-5 * (1 + Math.abs(expected[i])), `dL/dW[${i}] = ${g}, expected ${expected[i]}`));
    assert.ok((conv.weight.grad!.select(0, 0).select(0, 0).toFlatArray() as number[]).every((g) => g === 0), 'clipped weights get no gradient');
    assert.ok(conv.weight.grad!.select(0, 2).abs().sum().item() as number > 0);
  });
});

test('Bi-Real Net-18 on 1×28×28: shapes, 16 binary units, real-valued first conv, shortcuts and fc; binarized weights of every binary conv', () => {
  manualSeed(2);
  const net = new BiRealNet({ numClasses: 10, inChannels: 1, baseWidth: 4, cifarStem: true });
  assert.deepEqual(net.layers, [4, 4, 4, 4]);
  assert.equal(net.numFeatures, 32);
  tidy(() => {
    const x = randn([3, 1, 28, 28]);
    assert.deepEqual(net.forwardFeatures(x).shape, [3, 32]);
    assert.deepEqual(net.call(x).shape, [3, 10]); // 28 → 28 → 14 → 7 → 4 (the shortcut's pool rounds up)
  });
  const big = new BiRealNet({ numClasses: 3, inChannels: 1, baseWidth: 4, layers: [1, 1, 1, 1] });
  tidy(() => assert.deepEqual(big.call(randn([2, 1, 28, 28])).shape, [2, 3]));

  assert.ok(!(net.conv1 instanceof BinaryConv2d) && net.conv1 instanceof Conv2d);
  assert.ok(net.fc instanceof Linear);
  const weights = tidy(() => binarizedWeights(net).map(({ path, weight }) => ({ path, values: channelValues(weight), weight: weight.keep() })));
  assert.equal(weights.length, 16);
  assert.equal(weights[0].path, 'layer1.0.binary_conv');
  const byPath = new Map([...net.namedModules()]);
  for (const w of weights) {
    assertTwoValuesPerChannel(w.weight, (byPath.get(w.path) as BinaryConv2d).weight, w.path);
    w.weight.dispose();
  }
  const names = tidy(() => [...net.stateDict().keys()]);
  for (const n of ['conv1.weight', 'bn1.weight', 'layer1.0.binary_conv.weight', 'layer1.3.bn1.running_mean', 'layer2.0.downsample.1.weight', 'layer2.0.downsample.2.running_var', 'fc.bias']) {
    assert.ok(names.includes(n), n);
  }
  const down = [...net.namedModules()].filter(([p]) => /downsample$/.test(p));
  assert.deepEqual(down.map(([p]) => p), ['layer2.0.downsample', 'layer3.0.downsample', 'layer4.0.downsample']);
  const [, d] = down[0];
  const [pool, conv] = [...d.children()];
  assert.ok(pool instanceof AvgPool2d && conv instanceof Conv2d && !(conv instanceof BinaryConv2d));
});

test('the method in its sign form: htaf → 2·HTAF − 1, ss, ste, approxsign (the default); exact mode makes every activation ±1', () => {
  assert.equal(signFormSpec('htaf'), 'sign:htaf');
  assert.equal(signFormSpec('ste:rect,a=1'), 'sign:ste:rect,a=1');
  assert.equal(signFormSpec('sign:ss'), 'sign:ss');
  assert.equal(signFormSpec('approxsign'), 'approxsign');
  const kinds = [
    [undefined, ApproxSign],
    ['htaf:alpha=2,beta=11', HTAF],
    ['ss', ScaledSigmoid],
    ['ste:tanh', STE],
  ] as const;
  for (const [method, type] of kinds) {
    manualSeed(3);
    const net = new BiRealNet({ numClasses: 4, inChannels: 1, baseWidth: 4, cifarStem: true, layers: [1, 1, 1, 1], method });
    const acts = [...net.modules()].filter((m): m is BinaryActivation => m instanceof BinaryActivation);
    assert.equal(acts.length, 4);
    assert.ok(acts.every((a) => a instanceof type && a.signed), `${method}: ${acts.map(String).join(', ')}`);
    const seen: number[][] = [];
    const removers = acts.map((a) => a.registerForwardHook((_m, _in, out: Tensor) => void seen.push(out.toFlatArray())));
    const x = randn([3, 1, 12, 12]).keep();
    tidy(() => noGrad(() => net.call(x)));
    if (type === HTAF || type === ScaledSigmoid) assert.ok(seen.flat().some((v) => v !== 1 && v !== -1), `${method}: smooth values in training`);
    seen.length = 0;
    assert.equal(setStepMode(net, 'exact'), 4);
    tidy(() => noGrad(() => net.call(x)));
    assert.ok(seen.flat().every((v) => v === 1 || v === -1), `${method}: exact mode gives ±1`);
    for (const r of removers) r();
    x.dispose();
  }
});

test('a short training run on a tiny fixed batch: the loss falls (HTAF and ApproxSign, seeded), the weights stay 1-bit', () => {
  for (const method of ['htaf', 'approxsign']) {
    manualSeed(4);
    const net = new BiRealNet({ numClasses: 4, inChannels: 1, baseWidth: 8, cifarStem: true, layers: [1, 1, 1, 1], method });
    assertLossFell(trainOnTinyBatch(net, 15), method);
    tidy(() => {
      for (const { path, weight } of binarizedWeights(net)) assert.ok(channelValues(weight).every((v) => v.length === 2), `${path} after training`);
    });
  }
});

test('Bi-Real Net option errors name the option and the value', () => {
  throwsWith(() => new BiRealNet({ numClasses: 10, method: 'relu' }), 'BiRealNet', 'method "relu" must be a binary activation spec');
  throwsWith(() => new BiRealNet({ numClasses: 0 }), 'BiRealNet', 'numClasses must be a positive integer', 'got 0');
  throwsWith(() => new BiRealNet({ numClasses: 10, baseWidth: 2.5 }), 'BiRealNet', 'baseWidth must be a positive integer', '2.5');
  throwsWith(() => new BiRealNet({ numClasses: 10, cifarStem: 'yes' as any }), 'BiRealNet', 'cifarStem must be true or false');
  throwsWith(() => new BiRealNet({ numClasses: 10, T: 4 } as any), 'BiRealNet', "unknown option 'T'");
  throwsWith(() => new BinaryConv2d(3, 4, 3, { dilation: 2 } as any), 'BinaryConv2d', "unknown option 'dilation'");
  const net = new BiRealNet({ numClasses: 2, inChannels: 3, baseWidth: 2, layers: [1, 1, 1, 1], cifarStem: true });
  throwsWith(() => tidy(() => net.call(randn([2, 1, 8, 8]))), 'BiRealNet.forward', 'expected images [B, 3, H, W]', 'got shape [2, 1, 8, 8]');
});
