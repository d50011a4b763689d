// Image backbones (ResNet, WideResNet, ViT) and MultiheadAttention at CPU sizes: shapes on 1×28×28 and
// 3×32×32, the FeatureBackbone contract, the activation option reaching every activation (a binary spec
// makes a deep Heaviside network, exactly 0/1 in exact mode), gradients to every parameter, PyTorch's
// initialization, attention masks, and clear errors for bad options and inputs. Numbers against
// torchvision are in test/golden/torchvision.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchNorm2d, BinaryActivation, Bottleneck, BasicBlock, Linear, MultiheadAttention, ReLU, GELU, ResNet, VisionTransformer, WideResNet,
  countBinaryActivations, crossEntropy, init, isFeatureBackbone, manualSeed, noGrad, randn, resnet18, setStepMode, tensor, tidy, vitB32,
  wideResnet50_2, zeros, type FeatureBackbone, type Module, type Tensor,
} from '../../src/index.js';
import { throwsWith } from '../helpers/errors.js';
import { assertClose } from '../helpers/compare.js';
import { assertSameValues, layerInit } from '../helpers/layer_init.js';

interface Case {
  name: string;
  build: (inChannels: number, imageSize: number, activation?: string) => FeatureBackbone;
  numFeatures: number;
  /** Activations built from the spec. */
  activations: number;
}

const CASES: Case[] = [
  {
    name: 'resnet18 (baseWidth 8, cifarStem)',
    build: (c, _s, activation) => resnet18({ baseWidth: 8, cifarStem: true, inChannels: c, numClasses: 10, ...(activation ? { activation } : {}) }),
    numFeatures: 64,
    activations: 1 + 8 * 2,
  },
  {
    name: 'wideResnet50_2 (baseWidth 4, cifarStem)',
    build: (c, _s, activation) => wideResnet50_2({ baseWidth: 4, cifarStem: true, inChannels: c, numClasses: 10, ...(activation ? { activation } : {}) }),
    numFeatures: 4 * 8 * 4,
    activations: 1 + 16 * 3,
  },
  {
    name: 'WideResNet-10-1',
    build: (c, _s, activation) => new WideResNet({ depth: 10, widen: 1, inChannels: c, numClasses: 10, ...(activation ? { activation } : {}) }),
    numFeatures: 64,
    activations: 1 + 3 * 2,
  },
  {
    name: 'ViT (2 layers, width 32)',
    build: (c, s, activation) =>
      new VisionTransformer({ imageSize: s, patchSize: s === 28 ? 7 : 8, numLayers: 2, numHeads: 4, hiddenDim: 32, mlpDim: 64, inChannels: c, numClasses: 10, ...(activation ? { activation } : {}) }),
    numFeatures: 32,
    activations: 2,
  },
];

const SHAPES: [number, number][] = [[1, 28], [3, 32]];

for (const c of CASES) {
  test(`${c.name}: logits and features on 1×28×28 and 3×32×32, the FeatureBackbone contract`, () => {
    for (const [channels, size] of SHAPES) {
      manualSeed(1);
      const model = c.build(channels, size);
      try {
        assert.ok(isFeatureBackbone(model), 'isFeatureBackbone');
        assert.equal(model.numFeatures, c.numFeatures);
        assert.ok(model.head instanceof Linear);
        assert.equal(model.head.inFeatures, c.numFeatures);
        assert.equal(model.head.outFeatures, 10);
        assert.ok([...model.modules()].includes(model.head), 'the head is a registered submodule');
        if (model instanceof VisionTransformer) init.normal_(model.head.weight, 0, 0.5); // torchvision starts it at 0
        model.eval();
        tidy(() => {
          const x = randn([2, channels, size, size]);
          const logits = model.call(x) as Tensor;
          const features = model.forwardFeatures(x);
          assert.deepEqual([...logits.shape], [2, 10], `${channels}×${size}×${size} logits`);
          assert.deepEqual([...features.shape], [2, c.numFeatures], `${channels}×${size}×${size} features`);
          assertClose(logits, model.head.call(features), { atol: 1e-6, what: 'forward = head(forwardFeatures)' });
        });
      } finally {
        model.dispose();
      }
    }
  });

  test(`${c.name}: the activation option builds every activation, one module per place`, () => {
    const relu = c.build(1, 28);
    const expectedDefault = relu instanceof VisionTransformer ? GELU : ReLU;
    assert.equal([...relu.modules()].filter((m) => m instanceof expectedDefault).length, c.activations, `default ${expectedDefault.name}s`);
    relu.dispose();
    const dhn = c.build(1, 28, 'htaf:alpha=2,beta=11');
    try {
      assert.equal(countBinaryActivations(dhn), c.activations);
      const plain = [...dhn.modules()].filter((m) => m instanceof ReLU || m instanceof GELU);
      assert.equal(plain.length, 0, 'no ReLU/GELU left');
      // Exact mode: every activation outputs exactly 0 or 1.
      setStepMode(dhn, 'exact');
      const seen = new Set<Module>();
      const removers = [...dhn.modules()].filter((m) => m instanceof BinaryActivation).map((m) =>
        m.registerForwardHook((mod, _inputs, out: Tensor) => {
          seen.add(mod);
          const nonBinary = out.ne(0).logicalAnd(out.ne(1)).sum().item();
          assert.equal(nonBinary, 0, 'exact step outputs are 0 or 1');
        }),
      );
      dhn.eval();
      tidy(() => noGrad(() => dhn.call(randn([2, 1, 28, 28]))));
      removers.forEach((r) => r());
      assert.equal(seen.size, c.activations, 'every activation ran, each its own instance');
    } finally {
      dhn.dispose();
    }
  });

  test(`${c.name}: one backward pass gives every parameter a finite, non-zero gradient (relu and htaf)`, () => {
    for (const activation of [undefined, 'htaf']) {
      manualSeed(2);
      const model = c.build(3, 32, activation);
      try {
        if (model instanceof VisionTransformer) init.normal_(model.head.weight, 0, 0.5); // a zero head passes no gradient back
        model.train();
        tidy(() => {
          const loss = crossEntropy(model.call(randn([4, 3, 32, 32])) as Tensor, tensor([0, 3, 5, 9], { dtype: 'int64' }));
          loss.backward();
          for (const [name, p] of model.namedParameters()) {
            assert.ok(p.grad, `${activation ?? 'default'}: ${name} has a gradient`);
            const g = p.grad!;
            assert.equal(g.isfinite().all().item(), true, `${name}: finite gradient`);
            assert.ok((g.abs().sum().item() as number) > 0, `${activation ?? 'default'}: ${name} gradient is not all zero`);
          }
        });
      } finally {
        model.dispose();
      }
    }
  });
}

test('ResNet: torchvision names, stems, blocks and widths', () => {
  const r = resnet18({ baseWidth: 8, numClasses: 10 });
  try {
    const keys = tidy(() => [...r.stateDict().keys()]);
    for (const k of ['conv1.weight', 'bn1.running_var', 'layer1.0.conv1.weight', 'layer2.0.downsample.0.weight', 'layer2.0.downsample.1.num_batches_tracked', 'fc.bias']) {
      assert.ok(keys.includes(k), k);
    }
    assert.ok(!keys.includes('layer1.0.downsample.0.weight'), 'no downsample where width and stride stay');
    assert.deepEqual(r.conv1.kernelSize, [7, 7]);
    assert.ok(r.maxpool, 'torchvision stem keeps the max-pool');
    assert.ok(r.layer1.at(0) instanceof BasicBlock);
    // torchvision's stem on a larger image: 64 → 32 (conv) → 16 (pool) → 16, 8, 4, 2.
    assert.deepEqual(tidy(() => [...(noGrad(() => r.eval().call(randn([1, 3, 64, 64]))) as Tensor).shape]), [1, 10]);
  } finally {
    r.dispose();
  }
  const cifar = resnet18({ baseWidth: 8, cifarStem: true });
  assert.deepEqual(cifar.conv1.kernelSize, [3, 3]);
  assert.deepEqual(cifar.conv1.stride, [1, 1]);
  assert.equal(cifar.maxpool, null);
  assert.equal(cifar.numClasses, 1000);
  cifar.dispose();
  // wide_resnet50_2: bottleneck inner width is planes · 128/64; ResNeXt-style groups.
  const wide = wideResnet50_2({ baseWidth: 8, cifarStem: true, numClasses: 3 });
  const b = wide.layer1.at(0) as Bottleneck;
  assert.ok(b instanceof Bottleneck);
  assert.equal(b.conv2.outChannels, 16);
  assert.equal(b.conv3.outChannels, 32);
  assert.equal(wide.numFeatures, 8 * 8 * 4);
  wide.dispose();
  const grouped = new ResNet({ block: 'bottleneck', layers: [1, 1, 1, 1], baseWidth: 8, groups: 2, widthPerGroup: 32, cifarStem: true, numClasses: 2 });
  assert.equal((grouped.layer1.at(0) as Bottleneck).conv2.groups, 2);
  assert.equal((grouped.layer1.at(0) as Bottleneck).conv2.outChannels, 8); // floor(8 · 32/64) · 2
  grouped.dispose();
});

test('ResNet initializes as torchvision does: manualSeed(0); resnet18(num_classes=10)', () => {
  manualSeed(0);
  const r = resnet18({ numClasses: 10 });
  try {
    // From tools/golden/layer_init_fixtures.py: torch.manual_seed(0); torchvision.models.resnet18(num_classes=10),
    // the first and last 8 values of every parameter, in torchvision's order (a draw out of place shifts all later ones).
    const torch = layerInit('resnet18');
    const params = [...r.namedParameters()];
    assert.deepEqual(params.flatMap(([name]) => [`${name}.head`, `${name}.tail`]), torch.names, 'the same parameters as torchvision, in its order');
    for (const [name, p] of params) {
      const flat = p.toFlatArray() as number[];
      assertSameValues(flat.slice(0, 8), torch.get(`${name}.head`), `${name}: first 8 values`);
      assertSameValues(flat.slice(-8), torch.get(`${name}.tail`), `${name}: last 8 values`);
    }
  } finally {
    r.dispose();
  }
  const z = resnet18({ baseWidth: 8, zeroInitResidual: true });
  for (const m of z.modules()) if (m instanceof BasicBlock) assert.equal(m.bn2.weight!.abs().sum().item(), 0);
  assert.equal(z.bn1.weight!.sum().item(), 8, 'other batch norms start at weight 1');
  z.dispose();
});

test('WideResNet: reference names, identity and 1×1 shortcuts, dropout only in training', () => {
  const w = new WideResNet({ depth: 16, widen: 2, baseWidth: 8, dropout: 0.3, numClasses: 10 });
  try {
    const keys = tidy(() => [...w.stateDict().keys()]);
    for (const k of ['conv1.weight', 'block1.layer.0.bn1.weight', 'block1.layer.0.conv1.weight', 'block1.layer.0.convShortcut.weight', 'block1.layer.1.conv2.weight', 'block3.layer.1.bn2.running_mean', 'bn1.weight', 'fc.weight']) {
      assert.ok(keys.includes(k), k);
    }
    assert.ok(!keys.includes('block1.layer.1.convShortcut.weight'), 'identity shortcut where the width stays');
    assert.equal(w.numFeatures, 4 * 8 * 2);
    assert.equal(w.fc.bias!.abs().sum().item(), 0, 'fc bias starts at 0 (reference init)');
    tidy(() => {
      const x = randn([2, 3, 32, 32]);
      w.eval();
      assertClose(w.call(x) as Tensor, w.call(x) as Tensor, { what: 'eval is deterministic' });
      w.train();
      const a = (w.call(x) as Tensor).toFlatArray();
      const b = (w.call(x) as Tensor).toFlatArray();
      assert.notDeepEqual(a, b, 'dropout acts in training');
    });
  } finally {
    w.dispose();
  }
});

test('ViT: torchvision names, class-token features, vitB32 sizes', () => {
  const v = new VisionTransformer({ imageSize: 16, patchSize: 4, numLayers: 2, numHeads: 2, hiddenDim: 8, mlpDim: 16, numClasses: 3 });
  try {
    const keys = tidy(() => [...v.stateDict().keys()]);
    assert.deepEqual(keys.slice(0, 4), ['class_token', 'conv_proj.weight', 'conv_proj.bias', 'encoder.pos_embedding']);
    for (const k of [
      'encoder.layers.encoder_layer_0.ln_1.weight', 'encoder.layers.encoder_layer_0.self_attention.in_proj_weight', 'encoder.layers.encoder_layer_1.self_attention.out_proj.bias',
      'encoder.layers.encoder_layer_1.mlp.0.weight', 'encoder.layers.encoder_layer_1.mlp.3.bias', 'encoder.ln.weight', 'heads.head.weight',
    ]) assert.ok(keys.includes(k), k);
    assert.equal(v.seqLength, 17);
    assert.deepEqual([...v.encoder.pos_embedding.shape], [1, 17, 8]);
    assert.equal(v.head.weight.abs().sum().item(), 0, 'torchvision starts the head at 0');
  } finally {
    v.dispose();
  }
  const b32 = vitB32({ numClasses: 5 });
  assert.deepEqual([b32.imageSize, b32.patchSize, b32.numLayers, b32.numHeads, b32.hiddenDim, b32.mlpDim, b32.numFeatures], [224, 32, 12, 12, 768, 3072, 768]);
  assert.equal(b32.seqLength, 50);
  b32.dispose();
});

test('MultiheadAttention: PyTorch names and init, shapes, weights, masks, cross-attention', () => {
  manualSeed(0);
  const mha = new MultiheadAttention(8, 2);
  // Every value, from tools/golden/layer_init_fixtures.py: torch.manual_seed(0); nn.MultiheadAttention(8, 2)
  const torch = layerInit('mha');
  assert.deepEqual(tidy(() => [...mha.stateDict().keys()]), ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
  assert.deepEqual(torch.names, ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'], 'PyTorch\'s state-dict names');
  tidy(() => {
    for (const [name, t] of mha.stateDict()) assertSameValues(t, torch.get(name), `MultiheadAttention(8, 2) ${name}`);
  });
  init.normal_(mha.inProjBias!, 0, 0.1);
  tidy(() => {
    // [L, B, E] by default
    const x = randn([5, 3, 8]);
    const [y, w] = mha.call(x, x, x);
    assert.deepEqual([...y.shape], [5, 3, 8]);
    assert.deepEqual([...w!.shape], [3, 5, 5]);
    assertClose(w!.sum(-1), zeros([3, 5]).add(1), { atol: 1e-6, what: 'attention rows sum to 1' });
    const [, perHead] = mha.call(x, x, x, { averageAttnWeights: false });
    assert.deepEqual([...perHead!.shape], [3, 2, 5, 5]);
    assertClose(perHead!.mean(1), w!, { atol: 1e-6, what: 'averaged weights' });
    assert.equal(mha.call(x, x, x, { needWeights: false })[1], null);
    // separate key/value tensors (three projections) equal the packed self-attention path
    const [yCross] = mha.call(x, x.clone(), x.clone());
    assertClose(yCross, y, { atol: 1e-6, what: 'unpacked projections' });
    // a longer key/value sequence
    const kv = randn([7, 3, 8]);
    const [yk, wk] = mha.call(x, kv, kv);
    assert.deepEqual([...yk.shape], [5, 3, 8]);
    assert.deepEqual([...wk!.shape], [3, 5, 7]);
    // key padding: masked keys get weight 0
    const pad = tensor([[false, false, false, false, false, true, true], [false, false, false, false, false, false, false], [true, false, false, false, false, false, false]]);
    const [, wp] = mha.call(x, kv, kv, { keyPaddingMask: pad });
    assert.equal(wp!.select(0, 0).narrow(1, 5, 2).abs().sum().item(), 0);
    assert.equal(wp!.select(0, 2).narrow(1, 0, 1).abs().sum().item(), 0);
    // a causal bool mask equals the same mask as -inf added to the scores
    const causal = tensor(Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => j > i)));
    const [yc, wc] = mha.call(x, x, x, { attnMask: causal });
    assert.equal(wc!.maskedFill(causal.logicalNot().unsqueeze(0), 0).abs().sum().item(), 0, 'no weight above the diagonal');
    const [yf] = mha.call(x, x, x, { attnMask: zeros([5, 5]).maskedFill(causal, -Infinity) });
    assertClose(yf, yc, { atol: 1e-6, what: 'float mask' });
    // unbatched [L, E] equals batch 1
    const [yu] = mha.call(x.select(1, 0), x.select(1, 0), x.select(1, 0));
    assertClose(yu, y.select(1, 0), { atol: 1e-6, what: 'unbatched' });
  });
  const bf = new MultiheadAttention(8, 4, { batchFirst: true, bias: false });
  assert.equal(bf.inProjBias, null);
  assert.deepEqual(tidy(() => [...bf.stateDict().keys()]), ['in_proj_weight', 'out_proj.weight']);
  assert.deepEqual(tidy(() => [...bf.call(randn([2, 6, 8]))[0].shape]), [2, 6, 8]);
  throwsWith(() => new MultiheadAttention(10, 3), 'MultiheadAttention', 'embedDim (10)', 'numHeads (3)');
  throwsWith(() => new MultiheadAttention(8, 2, { dropout: 2 }), 'dropout', '2');
  throwsWith(() => new MultiheadAttention(8, 2, { heads: 2 } as never), "unknown option 'heads'");
  tidy(() => {
    throwsWith(() => mha.call(randn([5, 3, 7])), 'query', 'embedDim 8', '[5, 3, 7]');
    throwsWith(() => mha.call(randn([4, 5, 3, 8])), 'query must be 3-D', '[4, 5, 3, 8]');
    throwsWith(() => mha.call(randn([5, 3, 8]), randn([6, 3, 8]), randn([7, 3, 8])), 'same sequence length');
    throwsWith(() => mha.call(randn([5, 3, 8]), randn([5, 2, 8]), randn([5, 2, 8])), 'same batch size');
    throwsWith(() => mha.call(randn([5, 3, 8]), undefined, undefined, { attnMask: zeros([4, 4]) }), 'attnMask', '[5, 5]', '[4, 4]');
    throwsWith(() => mha.call(randn([5, 3, 8]), undefined, undefined, { keyPaddingMask: zeros([3, 5]) }), 'keyPaddingMask', 'bool', 'float32[3, 5]');
  });
  mha.dispose();
  bf.dispose();
});

test('bad options and inputs give Errors naming the model, the option and the value', () => {
  throwsWith(() => new ResNet({ layers: [2, 2, 2] }), 'ResNet', 'layers', '[2,2,2]');
  throwsWith(() => new ResNet({ block: 'huge' as never }), 'ResNet', 'block', '"huge"');
  throwsWith(() => new ResNet({ baseWidth: 0 }), 'ResNet', 'baseWidth', '0');
  throwsWith(() => new ResNet({ groups: 2 }), 'ResNet', 'basic block', 'groups 2');
  throwsWith(() => new ResNet({ numClass: 10 } as never), 'ResNet', "unknown option 'numClass'");
  throwsWith(() => new ResNet({ activation: 'htfa' }), 'ResNet', 'activation', 'htfa');
  throwsWith(() => new ResNet({ activation: 3 as never }), 'ResNet', 'activation', 'spec string');
  throwsWith(() => new ResNet({ cifarStem: 'yes' as never }), 'ResNet', 'cifarStem', '"yes"');
  throwsWith(() => resnet18({ layers: [1, 1, 1, 1] } as never), 'resnet18', "unknown option 'layers'");
  throwsWith(() => new WideResNet({ depth: 12 }), 'WideResNet', 'depth', '6n + 4', '12');
  throwsWith(() => new WideResNet({ widen: 1.5 }), 'WideResNet', 'widen', '1.5');
  throwsWith(() => new WideResNet({ dropout: 1 }), 'WideResNet', 'dropout', '1');
  throwsWith(() => new WideResNet({ depth: 10, activation: 'ste:nope' }), 'WideResNet', 'activation', 'nope');
  throwsWith(() => new VisionTransformer({ imageSize: 30, patchSize: 8, numLayers: 1, numHeads: 1, hiddenDim: 8, mlpDim: 8 }), 'VisionTransformer', 'patchSize (8)', 'imageSize (30)');
  throwsWith(() => new VisionTransformer({ imageSize: 32, patchSize: 8, numLayers: 1, numHeads: 3, hiddenDim: 8, mlpDim: 8 }), 'VisionTransformer', 'numHeads (3)', 'hiddenDim (8)');
  throwsWith(() => new VisionTransformer({ imageSize: 32, patchSize: 8, numLayers: 1, numHeads: 1, hiddenDim: 8 } as never), 'VisionTransformer', 'mlpDim', 'required');
  throwsWith(() => vitB32({ patchSize: 16 } as never), 'vitB32', "unknown option 'patchSize'");
  const r = resnet18({ baseWidth: 4, cifarStem: true, inChannels: 1 });
  const v = new VisionTransformer({ imageSize: 28, patchSize: 7, numLayers: 1, numHeads: 1, hiddenDim: 8, mlpDim: 8, inChannels: 1 });
  const w = new WideResNet({ depth: 10, widen: 1 });
  try {
    tidy(() => {
      throwsWith(() => r.call(randn([2, 3, 28, 28])), 'ResNet', '[batch, 1, height, width]', '[2, 3, 28, 28]');
      throwsWith(() => r.forwardFeatures(randn([1, 28, 28])), 'ResNet', '[1, 28, 28]');
      throwsWith(() => v.call(randn([2, 1, 32, 32])), 'VisionTransformer', '28×28', '32×32');
      throwsWith(() => w.call(randn([2, 1, 32, 32])), 'WideResNet', '[batch, 3, height, width]');
    });
  } finally {
    r.dispose();
    v.dispose();
    w.dispose();
  }
  assert.equal(isFeatureBackbone(new BatchNorm2d(2)), false);
  assert.equal(isFeatureBackbone({ numFeatures: 3 }), false);
});
