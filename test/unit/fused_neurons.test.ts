// The fused multi-step neuron op (native/src/fused_neurons.cc) against the composed LIF and IF modules
// (src/models/spiking_neuron.ts): the same spikes bit for bit and gradients within 1e-5, for every spike
// function, both resets, a detached reset, other thresholds; the exact spike has no gradient; bad
// arguments are named. The modules use the op by default and fall back to the composed loop where it
// cannot serve (a hook on `spike`, a changed charge, double backward with fused: false).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IFNode, LIFNode, manualSeed, neuronMultiStep, randn, setStepMode, tidy, type Tensor } from '../../src/index.js';

const CASES: [kind: 'lif' | 'if', method: string, spike: string, p1: number, p2: number, options: Record<string, unknown>][] = [
  ['lif', 'ste:sigmoid', 'sigmoid', 4, 0, {}],
  ['lif', 'htaf', 'htaf', 2, 11, {}],
  ['lif', 'ss', 'ss', 22, 0, {}],
  ['lif', 'ste:rect', 'rect', 1, 0, { vReset: null }],
  ['lif', 'ste:tanh', 'tanh', 2, 0, { detachReset: true }],
  ['lif', 'ste:sigmoid', 'sigmoid', 4, 0, { detachReset: true, vReset: null }],
  ['lif', 'htaf', 'htaf', 2, 11, { vReset: -0.3, vThreshold: 0.7, tau: 3 }],
  ['if', 'ste:sigmoid', 'sigmoid', 4, 0, { vReset: null }],
  ['if', 'htaf', 'htaf', 2, 11, { detachReset: true, vThreshold: 0.5, vReset: -0.2 }],
];

for (const [kind, method, spike, p1, p2, options] of CASES) {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`fused ${kind} ${method} ${JSON.stringify(options)} ${dtype}: the composed neuron's spikes and gradients`, () => {
      manualSeed(1);
      tidy(() => {
        const node = kind === 'lif' ? new LIFNode({ method, fused: false, ...options }) : new IFNode({ method, fused: false, ...options });
        // 37 elements per step: full vectors and a partial one on every ISA.
        const x = randn([5, 37], { dtype }).mul(1.5).requiresGrad_();
        const g = randn([5, 37], { dtype });
        const ref = node.call(x);
        ref.mul(g).sum().backward();
        const gref = x.grad!.clone();
        x.grad = null;
        const tau = node instanceof LIFNode ? node.tau : 2;
        const out = neuronMultiStep(x, kind, tau, spike, p1, p2, node.vThreshold, node.vReset ?? 0, node.vReset === null, node.detachReset);
        out.mul(g).sum().backward();
        // float32: bit for bit (both round every step the same way). float64 smooth spikes may differ in
        // the last bit (the fused path may contract a multiply-add); STE spikes are thresholds and equal.
        const smooth64 = dtype === 'float64' && (spike === 'htaf' || spike === 'ss');
        const fdiff = out.sub(ref).abs().max().item() as number;
        if (smooth64) assert.ok(fdiff <= 1e-12, `spikes differ by ${fdiff}`);
        else assert.equal(fdiff, 0, 'spikes bit for bit');
        const scale = Math.max(1, gref.abs().max().item() as number);
        const diff = x.grad!.sub(gref).abs().max().item() as number;
        assert.ok(diff <= 1e-5 * scale, `gradient differs by ${diff}`);
        assert.ok((ref.sum().item() as number) > 0, 'some spikes');
      });
    });
  }
}

test('fused neuron: the exact spike gives no gradient; bad arguments are named', () => {
  tidy(() => {
    const x = randn([3, 4]).requiresGrad_();
    assert.equal(neuronMultiStep(x, 'lif', 2, 'heaviside', 0, 0, 1, 0, false, false).requiresGrad, false);
    assert.throws(() => neuronMultiStep(x, 'lif', 1, 'sigmoid', 4, 0, 1, 0, false, false), /tau must be a finite number > 1/);
    assert.throws(() => neuronMultiStep(x, 'lif', 2, 'swish', 4, 0, 1, 0, false, false), /spike must be htaf, ss, sigmoid, tanh, rect or heaviside/);
    assert.throws(() => neuronMultiStep(x, 'lif', 2, 'sigmoid', 4, 0, 1, 2, false, false), /vReset must be finite and below vThreshold/);
    assert.throws(() => neuronMultiStep(randn([3]), 'if', 2, 'sigmoid', 4, 0, 1, 0, false, false), /x must be \[T, B, \.\.\.\]/);
  });
});

/** Spikes and input gradient of node on x (seeded), for comparing the fused and composed paths. */
function run(node: LIFNode | IFNode, dtype: 'float32' | 'float64' = 'float32'): { s: Tensor; g: Tensor } {
  manualSeed(3);
  const x = randn([4, 2, 3, 5], { dtype }).mul(1.5).requiresGrad_();
  const s = node.call(x);
  s.mul(randn(s.shape, { dtype })).sum().backward();
  return { s, g: x.grad! };
}

test('LIFNode and IFNode use the fused op by default: the composed loop\'s spikes and gradients, one autograd node', () => {
  tidy(() => {
    for (const [fused, composed] of [
      [new LIFNode({ method: 'htaf', tau: 3 }), new LIFNode({ method: 'htaf', tau: 3, fused: false })],
      [new IFNode({ method: 'ste:tanh', vReset: null }), new IFNode({ method: 'ste:tanh', vReset: null, fused: false })],
    ] as const) {
      const a = run(fused);
      const b = run(composed);
      assert.equal(a.s.sub(b.s).abs().max().item(), 0);
      assert.ok((a.g.sub(b.g).abs().max().item() as number) <= 1e-5);
      // The fused path has no double backward: that is how a test tells which path ran.
      manualSeed(3);
      const x = randn([4, 2, 3]).requiresGrad_();
      assert.throws(() => fused.call(x).sum().backward(null, { createGraph: true }), /no double backward.*fused: false/);
      assert.doesNotThrow(() => composed.call(x).sum().backward(null, { createGraph: true }));
    }
    assert.match(new LIFNode({ fused: false }).toString(), /fused=false/);
    assert.doesNotMatch(new LIFNode().toString(), /fused/);
    assert.throws(() => new LIFNode({ fused: 1 as unknown as boolean }), /LIFNode: fused must be true or false/);
  });
});

test('the fused neuron falls back to the composed loop for a hook on spike, a changed charge, and the exact mode runs fused', () => {
  tidy(() => {
    const hooked = new LIFNode();
    let steps = 0;
    const remove = hooked.spike.registerForwardHook(() => {
      steps++;
    });
    run(hooked);
    assert.equal(steps, 4, 'the hook sees each of the T = 4 steps');
    remove();

    class LeakyIF extends IFNode {
      charge(v: Tensor, x: Tensor): Tensor {
        return v.mul(0.5).add(x);
      }
    }
    const a = run(new LeakyIF());
    const b = run(new LeakyIF({ fused: false }));
    assert.equal(a.s.sub(b.s).abs().max().item(), 0, 'a subclass with its own charge composes');
    assert.equal(a.g.sub(b.g).abs().max().item(), 0);

    const exact = new LIFNode({ method: 'htaf' });
    const ref = new LIFNode({ method: 'htaf', fused: false });
    setStepMode(exact, 'exact');
    setStepMode(ref, 'exact');
    manualSeed(4);
    const x = randn([3, 8]).requiresGrad_();
    const s = exact.call(x);
    assert.equal(s.requiresGrad, false, 'exact spikes carry no gradient');
    assert.equal(s.sub(ref.call(x)).abs().max().item(), 0);
  });
});
