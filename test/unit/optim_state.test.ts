// State dicts: an optimizer (and its schedule) saved mid-run and loaded into fresh ones resumes bit for
// bit; loading validates and is all or nothing. Also zeroGrad, skipped parameters, step(closure) and
// addParamGroup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adam, AdamW, LinearLR, manualSeed, memory, randn, SequentialLR, SGD, StepLR, Tensor, tensor, tidy, warmupCosine,
  type LRScheduler, type LRSchedulerStateDict, type Optimizer, type OptimizerStateDict,
} from '../../src/index.js';

type Make = (w: Tensor, b: Tensor) => Optimizer<{ lr: number }>;

const OPTIMIZERS: [string, Make][] = [
  ['SGD nesterov', (w, b) => new SGD([{ params: [w] }, { params: [b], lr: 0.05, weightDecay: 0.01 }], { lr: 0.1, momentum: 0.9, nesterov: true })],
  ['Adam amsgrad', (w, b) => new Adam([{ params: [w], amsgrad: true }, { params: [b], lr: 0.003 }], { lr: 0.01, weightDecay: 0.01 })],
  ['AdamW', (w, b) => new AdamW([{ params: [w] }, { params: [b], weightDecay: 0 }], { lr: 0.01, betas: [0.8, 0.99] })],
];

/** A least-squares step: loss = mean((x·wᵀ + b − y)²); grads by autograd, then the optimizer and the schedule. */
function trainStep(opt: Optimizer<{ lr: number }>, sched: LRScheduler, w: Tensor, b: Tensor, x: Tensor, y: Tensor): void {
  tidy(() => {
    opt.zeroGrad();
    x.matmul(w.t()).add(b).sub(y).square().mean().backward();
    opt.step();
    sched.step();
  });
}

function leaf(values: Tensor): Tensor {
  return tidy(() => values.detach().clone().requiresGrad_(true)).keep();
}

for (const [name, make] of OPTIMIZERS) {
  test(`${name}: stateDict/loadStateDict (through JSON) resumes identically, with its schedule`, () => {
    manualSeed(7);
    const x = randn([16, 4]).keep();
    const y = randn([16, 3]).keep();
    const w = randn([3, 4], { requiresGrad: true }).keep();
    const b = randn([3], { requiresGrad: true }).keep();
    const opt = make(w, b);
    const sched = warmupCosine(opt, { warmupSteps: 3, totalSteps: 12, startFactor: 0.2, etaMin: 1e-4 });
    for (let i = 0; i < 5; i++) trainStep(opt, sched, w, b, x, y);

    // Save: tensors stay tensors (a checkpoint writes them), everything else goes through JSON.
    const saved = opt.stateDict();
    const savedJson = JSON.parse(JSON.stringify({ paramGroups: saved.paramGroups, schedule: sched.stateDict() }));
    const w2 = leaf(w);
    const b2 = leaf(b);

    for (let i = 0; i < 4; i++) trainStep(opt, sched, w, b, x, y);

    // Resume into fresh objects built with different settings: the state dicts must restore them.
    const opt2 = make(w2, b2);
    opt2.paramGroups[0].lr = 123;
    const sched2 = warmupCosine(opt2, { warmupSteps: 3, totalSteps: 12, startFactor: 0.2, etaMin: 1e-4 });
    opt2.loadStateDict({ state: saved.state, paramGroups: savedJson.paramGroups } as OptimizerStateDict);
    sched2.loadStateDict(savedJson.schedule as LRSchedulerStateDict);
    // The loaded state is a copy: the dict's tensors can go at once.
    for (const entry of Object.values(saved.state)) for (const v of Object.values(entry)) if (v instanceof Tensor) v.dispose();
    for (let i = 0; i < 4; i++) trainStep(opt2, sched2, w2, b2, x, y);

    assert.deepEqual(w2.toFlatArray(), w.toFlatArray(), 'w after resuming');
    assert.deepEqual(b2.toFlatArray(), b.toFlatArray(), 'b after resuming');
    assert.deepEqual(sched2.getLastLr(), sched.getLastLr());
    assert.deepEqual(opt2.paramGroups.map((g) => g.lr), opt.paramGroups.map((g) => g.lr));
    assert.equal(sched2.lastEpoch, 9);
    tidy(() => {
      const s1 = opt.stateDict();
      const s2 = opt2.stateDict();
      assert.deepEqual(s2.paramGroups, s1.paramGroups);
      for (const [i, entry] of Object.entries(s1.state)) {
        for (const [k, v] of Object.entries(entry)) {
          const other = s2.state[Number(i)][k];
          if (v instanceof Tensor) assert.deepEqual((other as Tensor).toFlatArray(), v.toFlatArray(), `state[${i}].${k}`);
          else assert.equal(other, v, `state[${i}].${k}`);
        }
      }
    });
    for (const t of [opt, opt2]) t.dispose();
    for (const t of [x, y, w, b, w2, b2]) t.dispose();
  });
}

test('stateDict tensors are copies owned by the current scope', () => {
  const w = tensor([1, 2, 3], { requiresGrad: true }).keep();
  const opt = new Adam([w], { lr: 0.1 });
  w.grad = tensor([1, 1, 1]);
  opt.step();
  const live = memory().liveTensors;
  tidy(() => {
    const sd = opt.stateDict();
    (sd.state[0].expAvg as Tensor).fill_(99); // must not reach the optimizer
  });
  assert.equal(memory().liveTensors, live);
  tidy(() => assert.notEqual((opt.stateDict().state[0].expAvg as Tensor).toFlatArray()[0], 99));
  opt.dispose();
  w.dispose();
});

test('loadStateDict validates and is all or nothing', () => {
  const a = tensor([1, 2, 3], { requiresGrad: true }).keep();
  const b = tensor([[1, 2], [3, 4]], { requiresGrad: true }).keep();
  const opt = new Adam([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
  a.grad = tensor([1, 1, 1]);
  b.grad = tensor([[1, 1], [1, 1]]);
  opt.step();
  const live = memory().liveTensors;
  tidy(() => {
    const good = opt.stateDict();
    const fail = (sd: unknown, message: string): void => assert.throws(() => opt.loadStateDict(sd as OptimizerStateDict), { message });
    fail({ ...good, paramGroups: [good.paramGroups[0]] }, 'Adam: loadStateDict: the state dict has 1 param groups, this optimizer has 2');
    fail({ ...good, paramGroups: [good.paramGroups[0], { ...good.paramGroups[1], params: [1, 2] }] },
      'Adam: loadStateDict: param group 1 has 2 params in the state dict and 1 in this optimizer');
    fail({ ...good, paramGroups: [good.paramGroups[0], { ...good.paramGroups[1], lr: -1 }] },
      'Adam: loadStateDict: param group 1: lr must be a finite number >= 0, got -1');
    // The second entry is bad: the first one's copy must not leak, and nothing may change.
    fail({ ...good, state: { 0: good.state[0], 1: { ...good.state[1], expAvg: good.state[0].expAvg } } },
      'Adam: loadStateDict: state[1].expAvg has shape [3], but its parameter has shape [2, 2]');
    fail({ ...good, state: { 0: { ...good.state[0], momentum: 1 } } },
      "Adam: loadStateDict: state[0]: unknown Adam state 'momentum'; allowed: step, expAvg, expAvgSq, maxExpAvgSq");
    fail({ ...good, state: { 0: { ...good.state[0], step: 1.5 } } }, 'Adam: loadStateDict: state[0]: step must be an integer >= 0, got 1.5');
    fail({ ...good, state: { 7: good.state[0] } }, 'Adam: loadStateDict: state[7] belongs to no parameter: no param group lists index 7');
    fail({ state: {} }, 'Adam: loadStateDict: expected { state, paramGroups } as stateDict() returns, got {"state":{}}');
  });
  assert.equal(memory().liveTensors, live, 'failed loads leave no tensors behind');
  assert.deepEqual(opt.paramGroups.map((g) => g.lr), [0.1, 0.5]);
  assert.equal(opt.state.get(a)!.step, 1);
  opt.dispose();
  a.dispose();
  b.dispose();
});

test('loadStateDict casts state tensors to the parameter dtype, and accepts PyTorch-style nulls', () => {
  const a = tensor([1, 2], { requiresGrad: true, dtype: 'float64' }).keep();
  const opt = new SGD([a], { lr: 0.1, momentum: 0.9 });
  tidy(() => {
    opt.loadStateDict({ state: { 0: { momentumBuffer: tensor([0.5, 0.25]) } }, paramGroups: [{ params: [0], lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }] });
  });
  assert.equal(opt.state.get(a)!.momentumBuffer!.dtype, 'float64');
  tidy(() => opt.loadStateDict({ state: { 0: { momentumBuffer: null as never } }, paramGroups: [{ params: [0], lr: 0.2 }] }));
  assert.deepEqual(opt.state.get(a), {});
  assert.equal(opt.paramGroups[0].lr, 0.2);
  assert.equal(opt.paramGroups[0].momentum, 0.9, "keys missing from the dict take the optimizer's defaults");
  opt.dispose();
  a.dispose();
});

test('parameters without a gradient are skipped and get no state; zeroGrad sets grads to none', () => {
  const a = tensor([1, 2], { requiresGrad: true }).keep();
  const b = tensor([3, 4], { requiresGrad: true }).keep();
  const opt = new Adam([a, b], { lr: 0.1 });
  a.grad = tensor([1, -1]);
  opt.step();
  assert.deepEqual(b.toFlatArray(), [3, 4]);
  assert.equal(opt.state.has(b), false);
  assert.equal(opt.state.get(a)!.step, 1);
  opt.zeroGrad();
  assert.equal(a.grad, null);
  const before = a.toFlatArray();
  opt.step();
  assert.deepEqual(a.toFlatArray(), before, 'no gradient, no update (Adam does not move on momentum alone)');
  opt.dispose();
  a.dispose();
  b.dispose();
});

test('step(closure) runs the closure with grad enabled and returns its result', () => {
  const w = tensor([1, 2], { requiresGrad: true }).keep();
  const opt = new SGD([w], { lr: 0.5 });
  const loss = tidy(() => opt.step(() => {
    opt.zeroGrad();
    const l = w.square().sum();
    l.backward();
    return l.item();
  }));
  assert.equal(loss, 5);
  assert.deepEqual(w.toFlatArray(), [0, 0]); // w − 0.5·2w
  opt.dispose();
  w.dispose();
});

test('addParamGroup adds a group with the defaults filled in', () => {
  const a = tensor([1], { requiresGrad: true }).keep();
  const b = tensor([1], { requiresGrad: true }).keep();
  const opt = new SGD([a], { lr: 0.1, momentum: 0.9 });
  opt.addParamGroup({ params: [b], lr: 0.01 });
  assert.deepEqual(opt.paramGroups.map((g) => [g.lr, g.momentum]), [[0.1, 0.9], [0.01, 0.9]]);
  assert.throws(() => opt.addParamGroup({ params: [a] }), { message: 'SGD: param group 2: params[0] is already in another param group' });
  opt.dispose();
  a.dispose();
  b.dispose();
});

test('schedule state dicts: jump with step(epoch), refuse another type, restore group lrs', () => {
  const a = tensor([1], { requiresGrad: true }).keep();
  const opt = new SGD([a], { lr: 1 });
  const sched = new SequentialLR(opt, { schedulers: [new LinearLR(opt, { startFactor: 0.5, totalIters: 2 }), new StepLR(opt, { stepSize: 2, gamma: 0.5 })], milestones: [3] });
  for (let i = 0; i < 6; i++) sched.step();
  assert.deepEqual(sched.getLastLr(), [0.5]); // StepLR at its epoch 3
  const saved = JSON.parse(JSON.stringify(sched.stateDict())) as LRSchedulerStateDict;
  assert.equal((saved.schedulers as unknown[]).length, 2);
  sched.step(1); // jump back: LinearLR at epoch 1
  assert.deepEqual(sched.getLastLr(), [0.75]);
  sched.loadStateDict(saved);
  assert.equal(opt.paramGroups[0].lr, 0.5);
  assert.equal(sched.lastEpoch, 6);
  sched.step();
  assert.deepEqual(sched.getLastLr(), [0.25]);
  const step = new StepLR(opt, { stepSize: 3 });
  assert.throws(() => step.loadStateDict(saved), { message: 'StepLR: loadStateDict: the state dict is a "SequentialLR"\'s, not a StepLR\'s' });
  assert.throws(() => sched.loadStateDict({ ...saved, schedulers: [] }),
    { message: 'SequentialLR: loadStateDict: schedulers must be an array of 2 state dicts, got []' });
  assert.throws(() => sched.loadStateDict({ ...saved, lastEpoch: -3 }), { message: 'SequentialLR: loadStateDict: lastEpoch must be an integer >= 0, got -3' });
  assert.equal(sched.lastEpoch, 7, 'a failed load changes nothing');
  opt.dispose();
  a.dispose();
});
