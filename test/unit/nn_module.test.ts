// Module base: registration and PyTorch names, state dicts, modes, hooks, memory, gradients, devices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchNorm1d, BatchNorm2d, Conv2d, F, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential, ModuleList, Dropout,
  cudaAvailable, manualSeed, memory, noGrad, ones, randn, tensor, tidy, zeros, type Tensor,
} from '../../src/index.js';

function mlp(): Sequential {
  return new Sequential(new Linear(4, 8), new BatchNorm1d(8), new ReLU(), new Linear(8, 2));
}

function convNet(): Sequential {
  return new Sequential(new Conv2d(3, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 10));
}

/** The custom-module example of the nn docs: two layers and an activation, invoked with call(). */
class TwoLayer extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;
  constructor(inFeatures: number, hidden: number, outFeatures: number) {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(inFeatures, hidden));
    this.fc2 = this.registerModule('fc2', new Linear(hidden, outFeatures));
  }
  forward(x: Tensor): Tensor {
    return this.fc2.call(F.relu(this.fc1.call(x)));
  }
}

test('state-dict names and shapes equal PyTorch for an MLP with batch norm', () => {
  const m = mlp();
  const sd = tidy(() => [...m.stateDict()].map(([k, v]) => [k, [...v.shape]]));
  assert.deepEqual(sd, [
    ['0.weight', [8, 4]], ['0.bias', [8]],
    ['1.weight', [8]], ['1.bias', [8]], ['1.running_mean', [8]], ['1.running_var', [8]], ['1.num_batches_tracked', []],
    ['3.weight', [2, 8]], ['3.bias', [2]],
  ]);
  const nbt = tidy(() => m.stateDict().get('1.num_batches_tracked')!.dtype);
  assert.equal(nbt, 'int64');
  m.dispose();
});

test('state-dict names equal PyTorch for a conv net (torch.nn.Sequential of the same layers)', () => {
  const m = convNet();
  const keys = tidy(() => [...m.stateDict().keys()]);
  // Printed by: nn.Sequential(nn.Conv2d(3,4,3,padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64,10)).state_dict().keys()
  assert.deepEqual(keys, ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '5.weight', '5.bias']);
  const y = tidy(() => m.call(randn([2, 3, 8, 8])).shape);
  assert.deepEqual(y, [2, 10]);
  m.dispose();
});

test('namedParameters, namedBuffers, namedModules and children use dotted names', () => {
  const net = new TwoLayer(3, 5, 2);
  const outer = new Sequential({ body: net, head: new Linear(2, 1, { bias: false }) });
  assert.deepEqual([...outer.namedParameters()].map(([k]) => k), ['body.fc1.weight', 'body.fc1.bias', 'body.fc2.weight', 'body.fc2.bias', 'head.weight']);
  assert.deepEqual([...outer.namedModules()].map(([k]) => k), ['', 'body', 'body.fc1', 'body.fc2', 'head']);
  assert.deepEqual([...outer.namedChildren()].map(([k]) => k), ['body', 'head']);
  assert.equal([...outer.parameters({ recurse: false })].length, 0);
  const bn = new BatchNorm1d(3);
  assert.deepEqual([...bn.namedBuffers()].map(([k]) => k), ['running_mean', 'running_var', 'num_batches_tracked']);
  outer.dispose();
  bn.dispose();
});

test('a parameter shared by two modules is listed once', () => {
  const a = new Linear(3, 3);
  const list = new ModuleList([a, a]);
  assert.equal([...list.parameters()].length, 2);
  assert.equal(list.parameterCount(), 12);
  list.dispose();
});

test('parameterCount counts all, or only trainable, elements', () => {
  const m = mlp();
  assert.equal(m.parameterCount(), 4 * 8 + 8 + 8 + 8 + 8 * 2 + 2);
  (m.at(0) as Linear).requiresGrad_(false);
  assert.equal(m.parameterCount({ trainableOnly: true }), 8 + 8 + 8 * 2 + 2);
  m.dispose();
});

test('loadStateDict round trip copies every parameter and buffer in place', () => {
  manualSeed(1);
  const a = mlp();
  tidy(() => { a.train().call(randn([6, 4])); }); // moves running stats and num_batches_tracked off their defaults
  manualSeed(2);
  const b = mlp();
  const weightBefore = (b.at(0) as Linear).weight;
  const result = tidy(() => b.loadStateDict(a.stateDict()));
  assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
  assert.equal((b.at(0) as Linear).weight, weightBefore, 'the parameter Tensor object is kept');
  tidy(() => {
    const sa = a.stateDict();
    for (const [k, v] of b.stateDict()) assert.ok(v.equal(sa.get(k)!), `${k} equal after load`);
  });
  assert.equal(Number((b.at(1) as BatchNorm1d).numBatchesTracked!.item()), 1);
  // A Record works as well as a Map.
  tidy(() => b.loadStateDict(Object.fromEntries(a.stateDict())));
  a.dispose();
  b.dispose();
});

test('loadStateDict names missing and unexpected keys and shape mismatches, and loads nothing on error', () => {
  const m = mlp();
  tidy(() => {
    const sd = m.stateDict();
    const before = (m.at(0) as Linear).weight.clone();
    sd.get('0.weight')!; // present
    const changed = new Map(sd);
    changed.set('0.weight', zeros([8, 4]));
    changed.delete('1.running_var');
    changed.set('extra.weight', ones([1]));
    changed.set('3.bias', zeros([3]));
    assert.throws(() => m.loadStateDict(changed), (err: Error) => {
      assert.match(err.message, /Sequential\.loadStateDict/);
      assert.match(err.message, /missing keys: '1\.running_var'/);
      assert.match(err.message, /unexpected keys: 'extra\.weight'/);
      assert.match(err.message, /size mismatch for '3\.bias': the checkpoint has shape \[3\], this module \[2\]/);
      return true;
    });
    assert.ok((m.at(0) as Linear).weight.equal(before), 'nothing was copied');
    // Non-strict: key differences are reported, shapes still checked.
    changed.set('3.bias', zeros([2]));
    const r = m.loadStateDict(changed, { strict: false });
    assert.deepEqual(r, { missingKeys: ['1.running_var'], unexpectedKeys: ['extra.weight'] });
    assert.equal((m.at(0) as Linear).weight.abs().sum().item(), 0);
  });
  m.dispose();
});

test('train() and eval() set the mode on the whole tree', () => {
  const m = new Sequential(new Linear(2, 2), new Sequential(new Dropout(0.5)));
  assert.equal(m.training, true);
  m.eval();
  assert.deepEqual([...m.modules()].map((x) => x.training), [false, false, false, false]);
  m.train();
  assert.deepEqual([...m.modules()].map((x) => x.training), [true, true, true, true]);
  m.dispose();
});

test('forward hooks see every call, can replace the output, and are removed by their remover', () => {
  const m = mlp();
  const relu = m.at(2);
  const seen: number[][] = [];
  const remove = relu.registerForwardHook((mod, inputs, output: Tensor) => {
    assert.equal(mod, relu);
    assert.equal(inputs.length, 1);
    seen.push([...output.shape]);
    assert.ok(output.min().item() as number >= 0);
  });
  tidy(() => m.call(randn([5, 4])));
  assert.deepEqual(seen, [[5, 8]]);
  remove();
  tidy(() => m.call(randn([5, 4])));
  assert.equal(seen.length, 1);
  remove.remove(); // idempotent

  const zeroOut = m.at(3).registerForwardHook((_m, _i, out: Tensor) => out.mul(0));
  const y = tidy(() => m.call(randn([3, 4])).abs().sum().item());
  assert.equal(y, 0);
  zeroOut.remove();

  const pre = m.registerForwardPreHook((_m, inputs) => [(inputs[0] as Tensor).mul(0)]);
  m.eval();
  const z1 = tidy(() => m.call(randn([2, 4])).toFlatArray());
  const z2 = tidy(() => m.call(zeros([2, 4])).toFlatArray());
  assert.deepEqual(z1, z2);
  pre();
  m.dispose();
});

test('a hook keeping an activation must keep() it; everything else a call creates is freed', () => {
  const m = mlp();
  let kept: Tensor | null = null;
  m.at(2).registerForwardHook((_m, _i, out: Tensor) => {
    kept = out.detach().keep();
  });
  const before = memory().liveTensors;
  const y = tidy(() => m.call(randn([4, 4])));
  assert.equal(memory().liveTensors, before + 2, 'the output and the kept activation');
  assert.deepEqual(kept!.shape, [4, 8]);
  y.dispose();
  kept!.dispose();
  assert.equal(memory().liveTensors, before);
  m.dispose();
});

test('call() frees intermediates: only the output remains in the caller scope', () => {
  const m = convNet();
  const x = randn([2, 3, 8, 8]);
  const before = memory().liveTensors;
  const y = m.call(x);
  assert.equal(memory().liveTensors, before + 1);
  y.dispose();
  x.dispose();
  m.dispose();
});

test('dispose() frees every parameter and buffer: live tensors return to baseline', () => {
  const baseline = memory().liveTensors;
  const m = convNet();
  assert.equal(memory().liveTensors, baseline + 9);
  tidy(() => {
    const loss = F.crossEntropy(m.call(randn([2, 3, 8, 8])), tensor([1, 3], { dtype: 'int64' }));
    loss.backward();
  });
  m.zeroGrad();
  m.dispose();
  assert.equal(memory().liveTensors, baseline);
  m.dispose(); // idempotent
});

test('parameters receive gradients after backward; zeroGrad clears them', () => {
  manualSeed(0);
  const m = convNet();
  tidy(() => {
    const loss = F.crossEntropy(m.call(randn([4, 3, 8, 8])), tensor([0, 1, 2, 3], { dtype: 'int64' }));
    loss.backward();
    for (const [name, p] of m.namedParameters()) {
      const g = p.grad;
      assert.ok(g !== null, `${name} has a gradient`);
      assert.deepEqual(g.shape, p.shape, `${name} gradient shape`);
      assert.ok((g.abs().sum().item() as number) > 0, `${name} gradient is not all zero`);
    }
  });
  m.zeroGrad();
  for (const p of m.parameters()) assert.equal(p.grad, null);
  m.dispose();
});

test('registration rejects duplicate names, dots and non-tensors, naming the module', () => {
  class Bad extends Module {
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  const b = new Bad();
  b.registerParameter('w', zeros([2]));
  assert.throws(() => b.registerBuffer('w', zeros([2])), /Bad\.registerBuffer: 'w' is already a parameter of this module/);
  assert.throws(() => b.registerModule('a.b', new ReLU()), /Bad\.registerModule: name must be a non-empty string without '\.'; got "a\.b"/);
  assert.throws(() => b.registerParameter('x', 3 as unknown as Tensor), /Bad\.registerParameter\('x'\): expected a Tensor or null; got number/);
  assert.equal(b.registerParameter('none', null), null);
  assert.deepEqual([...b.namedParameters()].map(([k]) => k), ['w']);
  const p = [...b.parameters()][0];
  assert.equal(p.requiresGrad, true);
  assert.equal(p.isKept, true);
  b.dispose();
});

test('apply visits children first, then the module', () => {
  const m = new Sequential(new Linear(1, 1), new Sequential(new ReLU()));
  const order: string[] = [];
  m.apply((x) => order.push(x.constructor.name));
  assert.deepEqual(order, ['Linear', 'ReLU', 'Sequential', 'Sequential']);
  m.dispose();
});

test('toString lays the tree out like PyTorch repr', () => {
  const m = mlp();
  assert.equal(
    m.toString(),
    [
      'Sequential(',
      '  (0): Linear(inFeatures=4, outFeatures=8, bias=true)',
      '  (1): BatchNorm1d(8, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)',
      '  (2): ReLU()',
      '  (3): Linear(inFeatures=8, outFeatures=2, bias=true)',
      ')',
    ].join('\n'),
  );
  const nested = new Sequential({ block: new Sequential(new ReLU()) });
  assert.equal(nested.toString(), 'Sequential(\n  (block): Sequential(\n    (0): ReLU()\n  )\n)');
  m.dispose();
});

test('a custom module defined with registerModule trains like a built-in one', () => {
  manualSeed(0);
  const net = new TwoLayer(3, 16, 1);
  assert.deepEqual(tidy(() => [...net.stateDict().keys()]), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  const x = randn([32, 3]);
  const y = tidy(() => x.sum([1], true));
  const lossAt = () => tidy(() => F.mseLoss(net.call(x), y).item() as number);
  const first = lossAt();
  for (let i = 0; i < 50; i++) {
    tidy(() => {
      net.zeroGrad();
      F.mseLoss(net.call(x), y).backward();
      for (const p of net.parameters()) {
        const g = p.grad!;
        noGrad(() => p.sub_(g.mul(0.05)));
      }
    });
  }
  assert.ok(lossAt() < first / 4, `loss fell from ${first} to ${lossAt()}`);
  x.dispose();
  y.dispose();
  net.dispose();
});

test("to('cpu') keeps the tensors; to('cuda') without CUDA names the module and the tensor", () => {
  const m = mlp();
  const w = (m.at(0) as Linear).weight;
  assert.equal(m.to('cpu'), m);
  assert.equal((m.at(0) as Linear).weight, w);
  if (!cudaAvailable()) {
    assert.throws(() => m.to('cuda'), /Sequential\.to\("cuda"\): moving '0\.weight' failed: toDevice\(.*not available/);
  }
  assert.throws(() => m.to('float64' as never), /Sequential\.to: expected a device \('cpu', 'cuda' or 'cuda:N'\); got "float64"/);
  m.dispose();
});

test("to('cuda') moves parameters, buffers and gradients in place (CUDA builds only)", { skip: !cudaAvailable() && 'libtorch has no CUDA here' }, () => {
  const m = mlp();
  const w = (m.at(0) as Linear).weight;
  tidy(() => F.mseLoss(m.call(randn([4, 4])), zeros([4, 2])).backward());
  m.to('cuda');
  assert.equal((m.at(0) as Linear).weight, w);
  for (const t of [...m.parameters(), ...m.buffers()]) assert.match(t.device, /^cuda/);
  tidy(() => assert.match(w.grad!.device, /^cuda/));
  const y = tidy(() => m.call(randn([4, 4], { device: 'cuda' })).toDevice('cpu').shape);
  assert.deepEqual(y, [4, 2]);
  m.dispose();
});
