// The fused multi-step neuron op (native/src/fused_neurons.cc) against the composed LIF and IF modules
// (src/models/spiking_neuron.ts): the same spikes bit for bit and gradients within 1e-5, for every spike
// function, both resets, a detached reset, other thresholds; the exact spike has no gradient; bad
// arguments are named. Not yet used by the modules (issue 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IFNode, LIFNode, manualSeed, neuronMultiStep, randn, tidy } from '../../src/index.js';

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
        const node = kind === 'lif' ? new LIFNode({ method, ...options }) : new IFNode({ method, ...options });
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
