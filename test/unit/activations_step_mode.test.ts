// The model-wide step switch: setStepMode reaches every binary activation however deep, exact mode gives
// {0, 1} at each of them (seen through forward hooks), switching back resumes training identically, and
// the count, description and summary of a model's binary activations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adam, BinaryActivation, HTAF, Linear, Module, ModuleList, ReLU, STE, Sequential, ApproxSign, F, binaryActivationSummary, binaryActivations,
  countBinaryActivations, describeBinaryActivations, exactSteps, manualSeed, noGrad, parseActivation, randn, setStepMode, tidy, withStepMode,
  type Tensor,
} from '../../src/index.js';

class Block extends Module {
  readonly fc: Linear;
  readonly act: Module;
  constructor(inFeatures: number, outFeatures: number, spec: string) {
    super();
    this.fc = this.registerModule('fc', new Linear(inFeatures, outFeatures));
    this.act = this.registerModule('act', parseActivation(spec));
  }
  forward(x: Tensor): Tensor {
    return this.act.call(this.fc.call(x));
  }
}

/** Binary activations at three depths: blocks.i.act, head.1, and a ReLU that is not one. */
class Net extends Module {
  readonly blocks: ModuleList;
  readonly head: Sequential;
  constructor(specs = ['htaf:alpha=2,beta=11', 'htaf:alpha=1,beta=22']) {
    super();
    this.blocks = this.registerModule('blocks', new ModuleList([new Block(6, 16, specs[0]), new Block(16, 16, specs[1]), new Block(16, 16, 'relu')]));
    this.head = this.registerModule('head', new Sequential(new Linear(16, 8), new HTAF(0.5, 44), new Linear(8, 1)));
  }
  forward(x: Tensor): Tensor {
    for (const b of this.blocks) x = b.call(x);
    return this.head.call(x);
  }
}

function binaryModules(model: Module): BinaryActivation[] {
  return [...model.modules()].filter((m): m is BinaryActivation => m instanceof BinaryActivation);
}

/** Calls the model on x with hooks on every binary activation; returns each one's output values. */
function activationOutputs(model: Module, x: Tensor): number[][] {
  const seen: number[][] = [];
  const removers = binaryModules(model).map((m) => m.registerForwardHook((_m, _in, out: Tensor) => void seen.push(out.toFlatArray())));
  try {
    tidy(() => noGrad(() => void model.call(x)));
  } finally {
    for (const r of removers) r();
  }
  return seen;
}

test("setStepMode reaches every binary activation, however deep; nothing else changes", () => {
  manualSeed(0);
  const model = new Net();
  model.eval();
  const before = tidy(() => [...model.stateDict()].map(([k, v]) => [k, v.toFlatArray()]));
  assert.equal(setStepMode(model, 'exact'), 3);
  assert.deepEqual(binaryModules(model).map((m) => m.mode), ['exact', 'exact', 'exact']);
  assert.equal(model.training, false);
  assert.deepEqual(tidy(() => [...model.stateDict()].map(([k, v]) => [k, v.toFlatArray()])), before);
  assert.equal(setStepMode(model, 'smooth'), 3);
  assert.deepEqual(binaryModules(model).map((m) => m.mode), ['smooth', 'smooth', 'smooth']);
  assert.equal(setStepMode(new Sequential(new Linear(2, 2), new ReLU()), 'exact'), 0);
  // the model itself may be the activation
  const lone = new STE();
  assert.equal(setStepMode(lone, 'exact'), 1);
  assert.equal(lone.mode, 'exact');
});

test("exact mode: every binary activation's output is in {0, 1} (forward hooks); smooth mode's is not", () => {
  manualSeed(1);
  const model = new Net();
  const x = randn([64, 6]).keep();
  try {
    setStepMode(model, 'exact');
    const exact = activationOutputs(model, x);
    assert.equal(exact.length, 3);
    for (const out of exact) {
      assert.ok(out.every((v) => v === 0 || v === 1), 'an exact activation gave a value outside {0, 1}');
      assert.ok(out.includes(0) && out.includes(1));
    }
    setStepMode(model, 'smooth');
    const smooth = activationOutputs(model, x);
    assert.equal(smooth.length, 3);
    for (const out of smooth) assert.ok(out.some((v) => v > 0 && v < 1), 'a smooth HTAF should give values strictly inside (0, 1)');
    // sign forms give {-1, +1}
    const signed = new Net(['sign:htaf', 'approxsign']);
    setStepMode(signed, 'exact');
    const outs = activationOutputs(signed, x);
    assert.ok(outs[0].every((v) => v === -1 || v === 1) && outs[1].every((v) => v === -1 || v === 1));
    assert.ok(outs[2].every((v) => v === 0 || v === 1));
  } finally {
    x.dispose();
  }
});

test('training resumes identically after an exact-mode evaluation: the same losses as a twin never switched', () => {
  const run = (switchMidway: boolean): { losses: number[]; exactLoss: number | null; weights: number[] } => {
    manualSeed(7);
    const model = new Net();
    const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
    manualSeed(8);
    const x = randn([32, 6]).keep();
    const y = randn([32, 1]).keep();
    const losses: number[] = [];
    let exactLoss: number | null = null;
    const step = () =>
      tidy(() => {
        optimizer.zeroGrad();
        const loss = F.mseLoss(model.call(x), y);
        loss.backward();
        optimizer.step();
        losses.push(loss.item() as number);
      });
    for (let i = 0; i < 6; i++) step();
    if (switchMidway) {
      setStepMode(model, 'exact');
      model.eval();
      exactLoss = tidy(() => noGrad(() => F.mseLoss(model.call(x), y).item() as number));
      model.train();
      setStepMode(model, 'smooth');
    }
    for (let i = 0; i < 6; i++) step();
    const weights = tidy(() => [...model.parameters()].flatMap((p) => p.toFlatArray()));
    optimizer.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
    return { losses, exactLoss, weights };
  };
  const switched = run(true);
  const twin = run(false);
  assert.equal(typeof switched.exactLoss, 'number');
  assert.ok(Number.isFinite(switched.exactLoss));
  assert.notEqual(switched.exactLoss, switched.losses[5]);
  assert.deepEqual(switched.losses, twin.losses);
  assert.deepEqual(switched.weights, twin.weights);
});

test('exactSteps / withStepMode run fn in a mode and restore each activation’s own mode (also on throw and after a promise)', async () => {
  manualSeed(2);
  const model = new Net();
  const acts = binaryModules(model);
  acts[1].mode = 'exact'; // mixed modes are restored as they were
  const modes = () => acts.map((a) => a.mode);
  const r = exactSteps(model, () => {
    assert.deepEqual(modes(), ['exact', 'exact', 'exact']);
    return 42;
  });
  assert.equal(r, 42);
  assert.deepEqual(modes(), ['smooth', 'exact', 'smooth']);
  assert.throws(() => withStepMode(model, 'smooth', () => {
    assert.deepEqual(modes(), ['smooth', 'smooth', 'smooth']);
    throw new Error('boom');
  }), /boom/);
  assert.deepEqual(modes(), ['smooth', 'exact', 'smooth']);
  const p = exactSteps(model, async () => {
    await Promise.resolve();
    return modes();
  });
  assert.deepEqual(modes(), ['exact', 'exact', 'exact']); // still inside, until the promise settles
  assert.deepEqual(await p, ['exact', 'exact', 'exact']);
  assert.deepEqual(modes(), ['smooth', 'exact', 'smooth']);
  await assert.rejects(exactSteps(model, async () => {
    throw new Error('late');
  }), /late/);
  assert.deepEqual(modes(), ['smooth', 'exact', 'smooth']);
});

test('countBinaryActivations, describeBinaryActivations and the summary list paths, specs and modes', () => {
  manualSeed(3);
  const model = new Net(['sign:ste:rect,a=0.5', 'htaf']);
  binaryModules(model)[2].mode = 'exact';
  assert.equal(countBinaryActivations(model), 3);
  assert.deepEqual(describeBinaryActivations(model), [
    { path: 'blocks.0.act', spec: 'sign:ste:rect,a=0.5', mode: 'smooth', signed: true },
    { path: 'blocks.1.act', spec: 'htaf:alpha=2,beta=11', mode: 'smooth', signed: false },
    { path: 'head.1', spec: 'htaf:alpha=0.5,beta=44', mode: 'exact', signed: false },
  ]);
  assert.equal(
    binaryActivationSummary(model),
    [
      'Net: 3 binary activations (2 smooth, 1 exact)',
      '  blocks.0.act  sign:ste:rect,a=0.5     smooth',
      '  blocks.1.act  htaf:alpha=2,beta=11    smooth',
      '  head.1        htaf:alpha=0.5,beta=44  exact',
    ].join('\n'),
  );
  assert.deepEqual(binaryActivations(model).map(([p]) => p), ['blocks.0.act', 'blocks.1.act', 'head.1']);
  assert.equal(binaryActivationSummary(new Sequential(new Linear(2, 2))), 'Sequential: 0 binary activations');
  assert.equal(binaryActivationSummary(new ApproxSign()), 'ApproxSign: 1 binary activation (1 smooth, 0 exact)\n  (model)  approxsign  smooth');
  // an instance registered twice counts once; an unregistered subclass is described by its class
  class Custom extends HTAF {}
  const shared = new HTAF();
  const twice = new Sequential(shared, shared, new Custom());
  assert.equal(countBinaryActivations(twice), 2);
  assert.equal(describeBinaryActivations(twice)[1].spec, 'Custom(alpha=2, beta=11, mode=smooth)');
});

test('step-mode functions reject a non-module and a bad mode, naming what is allowed', () => {
  const model = new Net();
  assert.throws(() => setStepMode(model, 'hard' as any), /^Error: setStepMode: mode must be 'smooth' or 'exact'; got "hard"$/);
  assert.throws(() => setStepMode({} as any, 'exact'), /setStepMode: model must be a Module; got \{\}$/);
  assert.throws(() => countBinaryActivations(null as any), /model must be a Module; got null/);
  assert.throws(() => withStepMode(model, 'exact', 3 as any), /withStepMode: fn must be a function; got 3/);
  assert.throws(() => exactSteps(undefined as any, () => 0), /withStepMode: model must be a Module; got undefined/);
  assert.deepEqual(binaryModules(model).map((m) => m.mode), ['smooth', 'smooth', 'smooth']);
});
