// Schedule behaviour beyond the PyTorch fixtures (optim_golden.test.ts): the named helpers LinearWarmup
// and warmupCosine, hand-computed values, and the initialLr bookkeeping that lets schedulers compose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CosineAnnealingLR, LinearWarmup, SequentialLR, SGD, StepLR, tensor, warmupCosine, type LRScheduler, type Tensor } from '../../src/index.js';

function withSGD(lrs: number[], fn: (opt: SGD) => void): void {
  const params: Tensor[] = lrs.map(() => tensor([0], { requiresGrad: true }).keep());
  const opt = new SGD(params.map((p, i) => ({ params: [p], lr: lrs[i] })));
  try {
    fn(opt);
  } finally {
    opt.dispose();
    for (const p of params) p.dispose();
  }
}

function run(sched: LRScheduler, steps: number): number[][] {
  const out = [sched.getLastLr()];
  for (let i = 0; i < steps; i++) {
    sched.step();
    out.push(sched.getLastLr());
  }
  return out;
}

function assertNear(got: number[][], want: number[][]): void {
  assert.equal(got.length, want.length);
  got.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - want[i][j]) <= 1e-12 * Math.max(1, Math.abs(want[i][j])), `step ${i} group ${j}: got ${v}, want ${want[i][j]}`)));
}

test('LinearWarmup: from startFactor·lr up to lr over warmupSteps, then constant', () => withSGD([0.2, 0.04], (opt) => {
  const sched = new LinearWarmup(opt, { warmupSteps: 4, startFactor: 0.2 });
  // factor 0.2 + 0.8·min(t, 4)/4
  const factors = [0.2, 0.4, 0.6, 0.8, 1, 1, 1];
  assertNear(run(sched, 6), factors.map((f) => [0.2 * f, 0.04 * f]));
  assert.equal(sched.stateDict().type, 'LinearWarmup');
}));

test('warmupCosine: linear warm-up, then half a cosine down to etaMin at totalSteps', () => withSGD([1], (opt) => {
  const sched = warmupCosine(opt, { warmupSteps: 2, totalSteps: 6, startFactor: 0.5, etaMin: 0.1 });
  const cos = (t: number): number => 0.1 + (0.9 * (1 + Math.cos((Math.PI * t) / 4))) / 2;
  assertNear(run(sched, 7), [[0.5], [0.75], [cos(0)], [cos(1)], [cos(2)], [cos(3)], [cos(4)], [cos(5)]]);
  assert.ok(Math.abs(opt.paramGroups[0].lr - cos(5)) < 1e-15);
}));

test('warmupCosine without warm-up is plain cosine annealing', () => withSGD([1], (opt) => {
  const sched = warmupCosine(opt, { warmupSteps: 0, totalSteps: 4 });
  assert.ok(sched instanceof CosineAnnealingLR);
  assertNear(run(sched, 4), [[1], [(1 + Math.SQRT1_2) / 2], [0.5], [(1 - Math.SQRT1_2) / 2], [0]]);
}));

test('schedulers on one optimizer share initialLr, as PyTorch\'s initial_lr', () => withSGD([0.8], (opt) => {
  const first = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
  first.step();
  assert.equal(opt.paramGroups[0].lr, 0.4);
  assert.equal(opt.paramGroups[0].initialLr, 0.8);
  // A later scheduler starts from the initial lr, not from what the first one set.
  const second = new CosineAnnealingLR(opt, { tMax: 10 });
  assert.deepEqual(second.baseLrs, [0.8]);
  assert.deepEqual(second.getLastLr(), [0.8]);
}));

test('SequentialLR: each part restarts from its own epoch 0 at its milestone', () => withSGD([1], (opt) => {
  const sched = new SequentialLR(opt, {
    schedulers: [new StepLR(opt, { stepSize: 1, gamma: 0.5 }), new StepLR(opt, { stepSize: 1, gamma: 0.1 })],
    milestones: [2],
  });
  assertNear(run(sched, 4), [[1], [0.5], [1], [0.1], [0.01]]);
}));
