// Optimizers hold flat memory: after the first step (which creates the state) the live native tensor
// count must not move over 1,000 more, and dispose() returns it to where it was before the optimizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, AdamW, manualSeed, memory, randn, SGD, tidy, warmupCosine, type Optimizer, type Tensor } from '../../src/index.js';

const STEPS = 1000;

const CASES: [string, (params: Tensor[]) => Optimizer<{ lr: number }>][] = [
  ['SGD (nesterov, weight decay)', (p) => new SGD(p, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
  ['Adam (amsgrad)', (p) => new Adam(p, { lr: 1e-3, amsgrad: true })],
  ['AdamW (two groups)', (p) => new AdamW([{ params: [p[0]] }, { params: [p[1]], weightDecay: 0 }], { lr: 1e-3 })],
];

for (const [name, make] of CASES) {
  test(`${name}: live tensors flat over ${STEPS} training steps, and back to baseline after dispose()`, () => {
    manualSeed(0);
    const x = randn([32, 8]).keep();
    const y = randn([32, 2]).keep();
    const w = randn([2, 8], { requiresGrad: true }).keep();
    const b = randn([2], { requiresGrad: true }).keep();
    const baseline = memory().liveTensors;
    const opt = make([w, b]);
    const sched = warmupCosine(opt, { warmupSteps: 10, totalSteps: STEPS + 1 });
    const trainStep = (): void => tidy(() => {
      opt.zeroGrad();
      x.matmul(w.t()).add(b).sub(y).square().mean().backward();
      opt.step();
      sched.step();
    });
    trainStep(); // creates the state
    const afterFirst = memory().liveTensors;
    for (let i = 0; i < STEPS; i++) trainStep();
    assert.equal(memory().liveTensors, afterFirst, 'live tensors after 1,000 more steps');
    opt.dispose();
    assert.equal(memory().liveTensors, baseline, 'live tensors after dispose()');
    for (const t of [x, y, w, b]) t.dispose();
  });
}

test('step() outside any scope frees each gradient handle it reads', () => {
  const w = randn([4, 4], { requiresGrad: true }).keep();
  const g = randn([4, 4]);
  w.grad = g; // stays set: every step reads it again
  const opt = new Adam([w], { lr: 1e-3 });
  opt.step();
  const live = memory().liveTensors;
  for (let i = 0; i < STEPS; i++) opt.step();
  assert.equal(memory().liveTensors, live);
  opt.dispose();
  g.dispose();
  w.dispose();
});
