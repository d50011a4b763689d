// Bad hyperparameters and misuse fail at once, with a message naming the class (and param group), the
// option and the offending value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adam, AdamW, CosineAnnealingLR, LinearLR, LinearWarmup, MultiStepLR, SequentialLR, SGD, StepLR, tensor, warmupCosine,
  type Tensor,
} from '../../src/index.js';

function withParams(fn: (a: Tensor, b: Tensor) => void): void {
  const a = tensor([1, 2, 3], { requiresGrad: true }).keep();
  const b = tensor([[1, 2], [3, 4]], { requiresGrad: true }).keep();
  try {
    fn(a, b);
  } finally {
    a.dispose();
    b.dispose();
  }
}

const throwsMessage = (fn: () => unknown, message: string): void => {
  assert.throws(fn, (err: Error) => {
    assert.equal(err.message, message);
    return true;
  });
};

test('optimizer hyperparameters are validated with named errors', () => withParams((a, b) => {
  throwsMessage(() => new Adam([a], { lr: NaN }), 'Adam: lr must be a finite number >= 0, got NaN');
  throwsMessage(() => new AdamW([a], { lr: -1 }), 'AdamW: lr must be a finite number >= 0, got -1');
  throwsMessage(() => new Adam([a], { betas: [0.9, 1] }), 'Adam: betas[1] must be a number in [0, 1), got 1');
  throwsMessage(() => new Adam([a], { betas: 0.9 as never }), 'Adam: betas must be a pair [beta1, beta2], got 0.9');
  throwsMessage(() => new Adam([a], { eps: -1e-8 }), 'Adam: eps must be a finite number >= 0, got -1e-8');
  throwsMessage(() => new AdamW([a], { weightDecay: Infinity }), 'AdamW: weightDecay must be a finite number >= 0, got Infinity');
  throwsMessage(() => new Adam([a], { amsgrad: 1 as never }), 'Adam: amsgrad must be true or false, got 1');
  throwsMessage(() => new SGD([a]), 'SGD: lr is required (give it in the options or in every param group), got undefined');
  throwsMessage(() => new SGD([a], { lr: 0.1, momentum: -0.5 }), 'SGD: momentum must be a finite number >= 0, got -0.5');
  throwsMessage(() => new SGD([a], { lr: 0.1, dampening: NaN }), 'SGD: dampening must be a finite number, got NaN');
  throwsMessage(() => new SGD([a], { lr: 0.1, nesterov: true }), 'SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0 and dampening 0');
  throwsMessage(() => new SGD([a], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
    'SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1');
  throwsMessage(() => new SGD([a], { lr: 0.1, weight_decay: 0.1 } as never),
    "SGD: unknown option 'weight_decay'; allowed: lr, momentum, dampening, weightDecay, nesterov, maximize");
}));

test('param groups are validated, and errors name the group', () => withParams((a, b) => {
  throwsMessage(() => new SGD([{ params: [a], lr: 0.1 }, { params: [b], lr: -2 }]), 'SGD: param group 1: lr must be a finite number >= 0, got -2');
  throwsMessage(() => new SGD([{ params: [a], lr: 0.1 }, { params: [b] }]),
    'SGD: param group 1: lr is required (give it in the options or in every param group), got undefined');
  throwsMessage(() => new Adam([{ params: [a] }, { params: [b], beta1: 0.5 } as never]),
    "Adam: param group 1: unknown key 'beta1'; allowed: params, initialLr, name, lr, betas, eps, weightDecay, amsgrad, maximize");
  throwsMessage(() => new Adam([{ params: [a] }, { params: [a, b] }]), 'Adam: param group 1: params[0] is already in another param group');
  throwsMessage(() => new Adam([{ params: [a, a] }]), 'Adam: param group 0: params[1] appears twice in the group');
  throwsMessage(() => new Adam([a, b, a]), 'Adam: params[2] appears twice in the group');
  throwsMessage(() => new SGD([{ params: [a], lr: NaN }, { params: [b], lr: 0.1 }]), 'SGD: param group 0: lr must be a finite number >= 0, got NaN');
  throwsMessage(() => new Adam([]), 'Adam: got an empty parameter list');
  throwsMessage(() => new Adam(a as never), 'Adam: params must be an iterable of Tensors or of param groups ({ params, lr?, ... }), got a single Tensor; wrap it in an array');
  throwsMessage(() => new Adam([a, { params: [b] }] as never), 'Adam: params must be all Tensors or all param groups ({ params, lr?, ... }), not a mix');
  throwsMessage(() => new Adam([{ params: [a, 3] }] as never), 'Adam: param group 0: params[1] is not a Tensor, got 3');
  const nonLeaf = a.mul(2);
  try {
    throwsMessage(() => new Adam([nonLeaf]), 'Adam: params[0] is not a leaf tensor (it was computed from others); an optimizer updates leaves');
  } finally {
    nonLeaf.dispose();
  }
  // Groups may override any default, and a single Tensor as a group's params is accepted (as PyTorch).
  const opt = new SGD([{ params: a, lr: 0.5, momentum: 0.9 }, { params: [b] }], { lr: 0.1 });
  assert.deepEqual(opt.paramGroups.map((g) => [g.lr, g.momentum, g.params.length]), [[0.5, 0.9, 1], [0.1, 0, 1]]);
  opt.dispose();
}));

test('an lr set to garbage between steps is caught at the next step', () => withParams((a) => {
  const opt = new Adam([a]);
  opt.paramGroups[0].lr = NaN;
  throwsMessage(() => opt.step(), 'Adam: lr must be a finite number >= 0, got NaN');
  opt.dispose();
  throwsMessage(() => opt.step(), 'Adam: step() was called after dispose()');
}));

test('schedule options are validated with named errors', () => withParams((a) => {
  const opt = new SGD([a], { lr: 0.1 });
  throwsMessage(() => new StepLR(opt, { stepSize: 0 }), 'StepLR: stepSize must be a positive integer, got 0');
  throwsMessage(() => new StepLR(opt, {} as never), 'StepLR: stepSize must be a positive integer, got undefined');
  throwsMessage(() => new StepLR(opt, { stepSize: 2, gamma: -0.1 }), 'StepLR: gamma must be a finite number >= 0, got -0.1');
  throwsMessage(() => new StepLR(opt, { stepSize: 2, step_size: 3 } as never), "StepLR: unknown option 'step_size'; allowed: stepSize, gamma");
  throwsMessage(() => new MultiStepLR(opt, { milestones: [3, 1.5] }), 'MultiStepLR: milestones[1] must be an integer >= 0, got 1.5');
  throwsMessage(() => new CosineAnnealingLR(opt, { tMax: 2.5 }), 'CosineAnnealingLR: tMax must be a positive integer, got 2.5');
  throwsMessage(() => new CosineAnnealingLR(opt, { tMax: 10, etaMin: NaN }), 'CosineAnnealingLR: etaMin must be a finite number >= 0, got NaN');
  throwsMessage(() => new LinearLR(opt, { startFactor: 0 }), 'LinearLR: startFactor must be a number in (0, 1], got 0');
  throwsMessage(() => new LinearLR(opt, { endFactor: 1.5 }), 'LinearLR: endFactor must be a number in [0, 1], got 1.5');
  throwsMessage(() => new LinearWarmup(opt, { warmupSteps: -1 }), 'LinearWarmup: warmupSteps must be a positive integer, got -1');
  throwsMessage(() => new LinearWarmup(opt, { warmupSteps: 3, startFactor: 2 }), 'LinearWarmup: startFactor must be a number in (0, 1], got 2');
  throwsMessage(() => warmupCosine(opt, { warmupSteps: 10, totalSteps: 10 }), 'warmupCosine: totalSteps must exceed warmupSteps (10), got 10');
  const s1 = new LinearLR(opt);
  const s2 = new StepLR(opt, { stepSize: 2 });
  throwsMessage(() => new SequentialLR(opt, { schedulers: [s1, s2], milestones: [] }),
    'SequentialLR: milestones must be an array of 1 integers (one fewer than the 2 schedulers), got []');
  throwsMessage(() => new SequentialLR(opt, { schedulers: [s1, s2, s1], milestones: [4, 4] }), 'SequentialLR: milestones must increase, got [4, 4]');
  const other = new SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
  throwsMessage(() => new SequentialLR(other, { schedulers: [s1, s2], milestones: [3] }),
    'SequentialLR: schedulers[0] belongs to another optimizer; all must share the one given');
  throwsMessage(() => s1.step(-2), 'LinearLR: step: epoch must be an integer >= 0, got -2');
  other.dispose();
  opt.dispose();
}));
