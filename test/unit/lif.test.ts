// Spiking neurons (docs/method.md §3): LIF dynamics on hand-computed sequences (default hard reset, v_reset ≠ 0,
// soft reset), IF's rate, the exact switch (every spike 0 or 1), gradients of the STE and HTAF spike
// functions against their formulas, the detached reset, the pure forward, the neuron registry, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HTAF, IFNode, LIFNode, STE, SpikingNeuron, createNeuron, htafDerivative, listNeurons, neuronFactory, neuronNames, randn, setStepMode, tensor, tidy, type Tensor,
} from '../../src/index.js';
import { throwsWith } from '../helpers/errors.js';

/** Runs a neuron on one input sequence (a single neuron, T steps) and returns spikes and the potential after each step. */
function trace(neuron: SpikingNeuron, xs: number[]): { spikes: number[]; v: number[] } {
  return tidy(() => {
    const spikes: number[] = [];
    const v: number[] = [];
    let state = neuron.initialPotential(tensor([xs[0]]));
    for (const x of xs) {
      const r = neuron.step(tensor([x]), state);
      spikes.push(r.spike.item() as number);
      v.push(r.v.item() as number);
      state = r.v;
    }
    // forward over [T, 1] gives the same spikes
    assert.deepEqual(neuron.call(tensor(xs).reshape([xs.length, 1])).toFlatArray(), spikes);
    return { spikes, v };
  });
}

test('LIF with the defaults (τ = 2, v_th = 1, v_reset = 0, hard reset) on a hand-computed sequence', () => {
  const lif = new LIFNode();
  assert.equal(lif.tau, 2);
  assert.equal(lif.vThreshold, 1);
  assert.equal(lif.vReset, 0);
  assert.equal(lif.detachReset, false);
  // v starts at v_reset = 0; h = v + (x − (v − 0))/2; spike when h − 1 ≥ 0; then v = h·(1 − s) + 0·s
  // t0: x = 1.5   h = 0 + (1.5 − 0)/2       = 0.75   s = 0   v = 0.75
  // t1: x = 1.5   h = 0.75 + (1.5 − 0.75)/2 = 1.125  s = 1   v = 0
  // t2: x = 0.5   h = 0 + (0.5 − 0)/2       = 0.25   s = 0   v = 0.25
  // t3: x = 3     h = 0.25 + (3 − 0.25)/2   = 1.625  s = 1   v = 0
  // t4: x = 2     h = 0 + 2/2               = 1      s = 1 (H(0) = 1: h = v_th fires)   v = 0
  // t5: x = -1    h = 0 + (−1 − 0)/2        = −0.5   s = 0   v = −0.5
  // t6: x = 1     h = −0.5 + (1 + 0.5)/2    = 0.25   s = 0   v = 0.25
  const r = trace(lif, [1.5, 1.5, 0.5, 3, 2, -1, 1]);
  assert.deepEqual(r.spikes, [0, 1, 0, 1, 1, 0, 0]);
  assert.deepEqual(r.v, [0.75, 0, 0.25, 0, 0, -0.5, 0.25]);
});

test('LIF hard reset to v_reset ≠ 0: the potential starts at v_reset, leaks toward it and returns to it after a spike', () => {
  const lif = new LIFNode({ vReset: -0.5, tau: 4 });
  // v starts at −0.5; h = v + (x − (v + 0.5))/4
  // t0: x = 4     h = −0.5 + (4 − 0)/4          = 0.5    s = 0   v = 0.5
  // t1: x = 0     h = 0.5 + (0 − 1)/4           = 0.25   s = 0   v = 0.25
  // t2: x = 5.25  h = 0.25 + (5.25 − 0.75)/4    = 1.375  s = 1   v = −0.5 (v_reset)
  // t3: x = 2     h = −0.5 + (2 − 0)/4          = 0      s = 0   v = 0
  // t4: x = 6     h = 0 + (6 − 0.5)/4           = 1.375  s = 1   v = −0.5
  const r = trace(lif, [4, 0, 5.25, 2, 6]);
  assert.deepEqual(r.spikes, [0, 0, 1, 0, 1]);
  assert.deepEqual(r.v, [0.5, 0.25, -0.5, 0, -0.5]);
});

test('LIF soft reset (vReset null) subtracts the threshold; the hard reset on the same input drops to 0', () => {
  // soft: v starts at 0; h = v + (x − v)/2; v = h − 1·s
  // t0: x = 3   h = 1.5                    s = 1   v = 0.5
  // t1: x = 3   h = 0.5 + (3 − 0.5)/2 = 1.75   s = 1   v = 0.75
  // t2: x = 0   h = 0.75 − 0.75/2 = 0.375      s = 0   v = 0.375
  const soft = trace(new LIFNode({ vReset: null }), [3, 3, 0]);
  assert.deepEqual(soft.spikes, [1, 1, 0]);
  assert.deepEqual(soft.v, [0.5, 0.75, 0.375]);
  // hard: t0 h = 1.5 → v = 0; t1 h = 1.5 → v = 0; t2 h = 0 → v = 0
  const hard = trace(new LIFNode(), [3, 3, 0]);
  assert.deepEqual(hard.spikes, [1, 1, 0]);
  assert.deepEqual(hard.v, [0, 0, 0]);
});

test('IF integrates without leak; with reset by subtraction its rate over T steps is x/v_th', () => {
  // v = v + x: t0 0.6, t1 1.2 → spike → 0 (hard), t2 0.6, t3 1.2 → spike → 0
  assert.deepEqual(trace(new IFNode(), [0.6, 0.6, 0.6, 0.6]).spikes, [0, 1, 0, 1]);
  const soft = new IFNode({ vReset: null, vThreshold: 2, method: 'heaviside' });
  const spikes = tidy(() => soft.call(tensor([0.5, 1.25, 3]).reshape([1, 3]).expand([64, 3]).contiguous()).sum(0).toFlatArray());
  // constant inputs 0.5, 1.25 and 3 (above v_th = 2, so one spike per step) over 64 steps
  assert.deepEqual(spikes, [16, 40, 64]);
});

test('LIF is multi-step over [T, B, ...]: each unit is independent and a forward call starts from v_reset (pure)', () => {
  const lif = new LIFNode();
  tidy(() => {
    const x = randn([6, 3, 2, 4]).mul(2);
    const all = lif.call(x);
    assert.deepEqual(all.shape, [6, 3, 2, 4]);
    assert.deepEqual(lif.call(x).toFlatArray(), all.toFlatArray(), 'same input, same spikes: no state across calls');
    const one = lif.call(x.select(1, 2).select(1, 1).select(1, 3).reshape([6, 1]));
    assert.deepEqual(one.toFlatArray(), all.select(1, 2).select(1, 1).select(1, 3).toFlatArray());
  });
});

test("setStepMode(model, 'exact') makes every spike exactly 0 or 1; hooks see each step on `spike` and the train on the neuron", () => {
  const lif = new LIFNode({ method: 'htaf' });
  assert.ok(lif.spike instanceof HTAF);
  const perStep: number[][] = [];
  const trains: Array<readonly number[]> = [];
  const r1 = lif.spike.registerForwardHook((_m, _in, out: Tensor) => void perStep.push([...out.shape]));
  const r2 = lif.registerForwardHook((_m, _in, out: Tensor) => void trains.push(out.shape));
  tidy(() => {
    const x = randn([5, 16, 8]).mul(3);
    const smooth = lif.call(x).toFlatArray();
    assert.ok(smooth.some((s) => s > 0 && s < 1), 'HTAF in training gives fractional spikes');
    assert.equal(setStepMode(lif, 'exact'), 1);
    const exact = lif.call(x).toFlatArray();
    assert.ok(exact.every((s) => s === 0 || s === 1));
    assert.ok(exact.includes(0) && exact.includes(1));
  });
  r1();
  r2();
  assert.equal(perStep.length, 10);
  assert.deepEqual(perStep[0], [16, 8]);
  assert.deepEqual(trains, [
    [5, 16, 8],
    [5, 16, 8],
  ]);
});

test('gradients reach the input: STE (sigmoid, k = 4) and HTAF spike functions, one step, against their formulas', () => {
  // one step from v = 0: h = x/2, u = h − 1, ds/dx = Θ′(u)/2
  const xs = [1.5, 2.2, 1.9, 0.4];
  const us = xs.map((x) => x / 2 - 1);
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  for (const [neuron, slope] of [
    [new LIFNode(), (u: number) => 4 * sig(4 * u) * sig(-4 * u)],
    [new LIFNode({ method: 'htaf:alpha=2,beta=11' }), (u: number) => htafDerivative(u, 2, 11)],
  ] as const) {
    const grad = tidy(() => {
      const x = tensor(xs, { dtype: 'float64', requiresGrad: true });
      neuron.call(x.reshape([1, 4])).sum().backward();
      return x.grad!.toFlatArray();
    });
    grad.forEach((g, i) => assert.ok(Math.abs(g - slope(us[i]) / 2) < 1e-9, `${neuron.method}: ds/dx at ${xs[i]} = ${g}, expected ${slope(us[i]) / 2}`));
  }
  assert.ok(new LIFNode().spike instanceof STE);
});

test('detachReset: the same spikes, but no gradient through the reset term', () => {
  // t0: x0 = 2.5 → h = 1.25, spike; the hard reset v = h·(1 − s) carries dv/ds = −h unless detached, and
  // t1's spike depends on v; so dL/dx0 differs. With x0 = 0, h = 0 = v_reset: the reset term
  // h·(1 − s) + v_reset·s does not depend on s, and detaching changes nothing.
  const grads = (detachReset: boolean, x0: number) =>
    tidy(() => {
      const x = tensor([x0, 1.5], { dtype: 'float64', requiresGrad: true });
      const s = new LIFNode({ detachReset }).call(x.reshape([2, 1]));
      s.sum().backward();
      return { spikes: s.toFlatArray(), g: x.grad!.toFlatArray() };
    });
  const a = grads(false, 2.5);
  const b = grads(true, 2.5);
  assert.deepEqual(a.spikes, b.spikes);
  assert.notEqual(a.g[0], b.g[0]);
  assert.equal(a.g[1], b.g[1]);
  // without detaching, dv0/dx0 = (1 − s0)/2 − h·ds0/dx0 with s0 forward 1; with it, only (1 − s0)/2 = 0
  assert.deepEqual(grads(false, 0).g, grads(true, 0).g);
});

test('the neuron registry: lif and if, by name with their options, one fresh neuron per call', () => {
  assert.deepEqual(neuronNames(), ['lif', 'if']);
  assert.deepEqual(listNeurons().map((n) => n.name), ['lif', 'if']);
  assert.ok(listNeurons()[0].options.includes('tau'));
  const lif = createNeuron('lif', { tau: 3, method: 'ss' });
  assert.ok(lif instanceof LIFNode && lif.tau === 3 && lif.method === 'ss');
  assert.ok(createNeuron('IF') instanceof IFNode);
  const make = neuronFactory('lif', { vThreshold: 0.5 });
  const [n1, n2] = [make(), make()];
  assert.notEqual(n1, n2);
  assert.notEqual(n1.spike, n2.spike);
  assert.equal(n1.vThreshold, 0.5);
  throwsWith(() => createNeuron('izhikevich'), 'createNeuron', "unknown neuron \"izhikevich\"", 'lif, if');
  throwsWith(() => neuronFactory('if', { tau: 2 }), 'IFNode', "unknown option 'tau'");
});

test('neuron errors name the class, the option and the value', () => {
  throwsWith(() => new LIFNode({ tau: 1 }), 'LIFNode', 'tau must be a finite number > 1', 'got 1');
  throwsWith(() => new LIFNode({ method: 'relu' }), 'LIFNode', 'binary 0/1 activation', '"relu"');
  throwsWith(() => new LIFNode({ method: 'sign:htaf' }), 'LIFNode', 'binary 0/1 activation');
  throwsWith(() => new LIFNode({ method: 'approxsign' }), 'LIFNode', 'binary 0/1 activation');
  throwsWith(() => new LIFNode({ method: 'htaf:gamma=2' }), 'LIFNode', "unknown parameter 'gamma'");
  throwsWith(() => new LIFNode({ vReset: 1 }), 'LIFNode', 'vReset (1) must be below vThreshold (1)');
  throwsWith(() => new LIFNode({ vThreshold: NaN }), 'LIFNode', 'vThreshold must be a finite number', 'NaN');
  throwsWith(() => new LIFNode({ detachReset: 1 as any }), 'LIFNode', 'detachReset must be true or false');
  throwsWith(() => new LIFNode({ taus: 2 } as any), 'LIFNode', "unknown option 'taus'", 'allowed');
  const lif = new LIFNode();
  throwsWith(() => tidy(() => lif.call(tensor([1, 2, 3]))), 'LIFNode.forward', '[T, B, ...]', 'got shape [3]');
  throwsWith(() => tidy(() => lif.call(tensor([[1, 2]], { dtype: 'int64' }))), 'LIFNode.forward', 'floating-point', 'int64');
  throwsWith(() => lif.call(null as any), 'LIFNode.forward', 'got null');
});
