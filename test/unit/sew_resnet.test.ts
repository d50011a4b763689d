// SEW-ResNet (docs/method.md §3): shapes on 1×28×28 (CIFAR stem and the ImageNet stem), torchvision/spikingjelly
// names, direct encoding over T with logits averaged, the exact switch making every spike and every
// Heaviside of the net 0 or 1, gradients through the spike functions, a short training run whose loss
// falls, and option errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BinaryActivation, Conv2d, HTAF, LIFNode, SewResNet, SpikingNeuron, binaryActivations, crossEntropy, manualSeed, noGrad, perStep, randn, setStepMode, stack,
  tensor, tidy, type Tensor,
} from '../../src/index.js';
import { throwsWith } from '../helpers/errors.js';
import { assertLossFell, trainOnTinyBatch } from '../helpers/training.js';

test('SEW-ResNet-18 shapes on 1×28×28: CIFAR stem and the conv7×7 + max-pool stem; T steps of spikes; logits [B, classes]', () => {
  manualSeed(0);
  const net = new SewResNet({ numClasses: 10, inChannels: 1, baseWidth: 4, cifarStem: true });
  assert.deepEqual(net.layers, [2, 2, 2, 2]);
  assert.equal(net.T, 4);
  assert.equal(net.numFeatures, 32);
  assert.equal(net.head, net.fc);
  tidy(() => {
    const x = randn([3, 1, 28, 28]);
    assert.deepEqual(net.forwardSpikes(x).shape, [4, 3, 32, 4, 4]); // 28 → 28 → 14 → 7 → 4
    assert.deepEqual(net.forwardFeatures(x).shape, [3, 32]);
    assert.deepEqual(net.call(x).shape, [3, 10]);
  });
  const big = new SewResNet({ numClasses: 7, inChannels: 1, baseWidth: 4, T: 2, layers: [1, 1, 1, 1] });
  tidy(() => {
    assert.deepEqual(big.forwardSpikes(randn([2, 1, 28, 28])).shape, [2, 2, 32, 1, 1]); // 28 → 14 → 7 → 7 → 4 → 2 → 1
    assert.deepEqual(big.call(randn([2, 1, 28, 28])).shape, [2, 7]);
  });
});

test('SEW-ResNet names follow torchvision / spikingjelly; neurons hold no parameters', () => {
  const net = new SewResNet({ numClasses: 10, inChannels: 3, baseWidth: 4, cifarStem: true });
  const names = tidy(() => [...net.stateDict().keys()]);
  for (const n of [
    'conv1.weight', 'bn1.running_var', 'layer1.0.conv1.weight', 'layer1.1.bn2.bias', 'layer2.0.downsample.0.weight', 'layer2.0.downsample.1.running_mean',
    'layer4.1.conv2.weight', 'fc.weight', 'fc.bias',
  ]) {
    assert.ok(names.includes(n), n);
  }
  assert.ok(!names.some((n) => n.includes('sn') || n.includes('spike')));
  assert.ok(!names.includes('layer1.0.downsample.0.weight'));
  const neurons = [...net.namedModules()].filter(([, m]) => m instanceof LIFNode).map(([p]) => p);
  // stem 1 + 2 per block × 8 + a shortcut neuron in the first block of stages 2-4
  assert.equal(neurons.length, 20);
  assert.ok(neurons.includes('sn1') && neurons.includes('layer1.0.sn2') && neurons.includes('layer3.0.downsample_sn'));
  const conv = [...net.modules()].filter((m) => m instanceof Conv2d) as Conv2d[];
  assert.ok(conv.every((c) => c.bias === null));
});

test('direct encoding: the image drives every step; the logits are the per-step logits averaged over T', () => {
  manualSeed(1);
  const net = new SewResNet({ numClasses: 5, inChannels: 1, baseWidth: 4, cifarStem: true, layers: [1, 1, 1, 1], T: 3 }).eval();
  tidy(() => {
    const x = randn([2, 1, 12, 12]);
    const spikes = net.forwardSpikes(x); // [T, B, C, h, w]
    const perStepLogits = net.fc.call(perStep(spikes, net.avgpool).flatten(2)); // [T, B, classes]
    const logits = net.call(x);
    const diff = logits.sub(perStepLogits.mean(0)).abs().max().item() as number;
    assert.ok(diff < 1e-5, `max |forward − mean over T of per-step logits| = ${diff}`);
    assert.deepEqual(net.call(x).toFlatArray(), logits.toFlatArray(), 'pure: the same input gives the same logits');
    // perStep folds T into the batch: the same as applying the layer to each step
    const y = perStep(spikes, net.avgpool);
    const each = stack([0, 1, 2].map((t) => net.avgpool.call(spikes.select(0, t))), 0);
    assert.deepEqual(y.toFlatArray(), each.toFlatArray());
  });
});

test("setStepMode(model, 'exact') makes every spike and every Heaviside of the SEW net exactly 0 or 1", () => {
  manualSeed(2);
  const net = new SewResNet({ numClasses: 4, inChannels: 1, baseWidth: 4, cifarStem: true, method: 'htaf' });
  const acts = binaryActivations(net);
  assert.equal(acts.length, 20);
  assert.ok(acts.every(([p, a]) => a instanceof HTAF && p.endsWith('.spike')));
  const outputs: number[][] = [];
  const modules = [...net.modules()].filter((m) => m instanceof BinaryActivation || m instanceof SpikingNeuron);
  const removers = modules.map((m) => m.registerForwardHook((_m, _in, out: Tensor) => void outputs.push(out.toFlatArray())));
  const x = randn([4, 1, 16, 16]).mul(2).keep();
  try {
    tidy(() => noGrad(() => net.call(x)));
    assert.ok(outputs.flat().some((v) => v > 0 && v < 1), 'smooth (training) spikes are fractional somewhere');
    outputs.length = 0;
    assert.equal(setStepMode(net, 'exact'), 20);
    tidy(() => noGrad(() => net.call(x)));
    // 20 neuron trains + 20 × T = 4 per-step spike calls
    assert.equal(outputs.length, 20 + 80);
    const all = outputs.flat();
    assert.ok(all.every((v) => v === 0 || v === 1), 'every spike is exactly 0 or 1');
    assert.ok(all.includes(1) && all.includes(0));
  } finally {
    for (const r of removers) r();
    x.dispose();
  }
});

test('gradients reach the first conv through the spike functions (STE sigmoid and HTAF)', () => {
  for (const method of ['ste:sigmoid', 'htaf']) {
    manualSeed(3);
    const net = new SewResNet({ numClasses: 3, inChannels: 1, baseWidth: 4, cifarStem: true, layers: [1, 1, 1, 1], method });
    tidy(() => {
      crossEntropy(net.call(randn([4, 1, 8, 8])), tensor([0, 1, 2, 0], { dtype: 'int64' })).backward();
      const g = net.conv1.weight.grad!.abs().sum().item() as number;
      assert.ok(g > 0 && Number.isFinite(g), `${method}: |dL/d conv1.weight| = ${g}`);
    });
  }
});

test('a short training run on a tiny fixed batch: the loss falls (HTAF and STE spikes, seeded)', () => {
  for (const method of ['htaf', 'ste:sigmoid']) {
    manualSeed(4);
    const net = new SewResNet({ numClasses: 4, inChannels: 1, baseWidth: 8, cifarStem: true, layers: [1, 1, 1, 1], method, T: 2 });
    assertLossFell(trainOnTinyBatch(net, 40), method);
  }
});

test('SEW-ResNet option errors name the option and the value', () => {
  throwsWith(() => new SewResNet(undefined as any), 'SewResNet', 'numClasses must be a positive integer', 'got undefined');
  throwsWith(() => new SewResNet({ numClasses: 10, T: 0 }), 'SewResNet', 'T must be a positive integer', 'got 0');
  throwsWith(() => new SewResNet({ numClasses: 10, layers: [2, 2, 2] }), 'SewResNet', 'layers must be 4 positive integers', '[2, 2, 2]');
  throwsWith(() => new SewResNet({ numClasses: 10, method: 'gelu' }), 'SewResNet', 'binary 0/1 activation', '"gelu"');
  throwsWith(() => new SewResNet({ numClasses: 10, neuron: 'hh' }), 'SewResNet', 'unknown neuron "hh"');
  throwsWith(() => new SewResNet({ numClasses: 10, neuronOptions: { tau: 0.5 } }), 'SewResNet', 'tau must be a finite number > 1', '0.5');
  throwsWith(() => new SewResNet({ numClasses: 10, neuronOptions: { method: 'htaf' } }), 'SewResNet: neuronOptions', "unknown option 'method'");
  throwsWith(() => new SewResNet({ numClasses: 10, width: 4 } as any), 'SewResNet', "unknown option 'width'");
  const net = new SewResNet({ numClasses: 2, inChannels: 1, baseWidth: 2, layers: [1, 1, 1, 1], cifarStem: true });
  throwsWith(() => tidy(() => net.call(randn([2, 3, 8, 8]))), 'SewResNet.forward', 'expected images [B, 1, H, W]', 'got shape [2, 3, 8, 8]');
  const ifNet = new SewResNet({ numClasses: 2, inChannels: 1, baseWidth: 2, layers: [1, 1, 1, 1], cifarStem: true, neuron: 'if', neuronOptions: { vReset: null } });
  assert.equal(ifNet.sn1.vReset, null);
  assert.equal(ifNet.sn1.constructor.name, 'IFNode');
});
