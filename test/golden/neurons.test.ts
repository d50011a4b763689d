// The multi-step LIF and IF neurons against PyTorch (tools/golden/neuron_fixtures.py: the neurons
// composed of torch ops per step with spikingjelly's formulas), for every reset mode (hard to 0, hard
// to v_reset ≠ 0 with another threshold, soft), the reset attached and detached, τ = 2 and 3, and every
// spike function (HTAF, SS, the STE surrogates, the exact step): the same spikes and dL/dx within 1e-5,
// through both the fused op (the default) and the composed loop (fused: false).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { IFNode, LIFNode, loadSafetensors, tidy, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/compare.js';

const FILE = join(import.meta.dirname, '../../../test/golden/fixtures/neurons.safetensors');

interface NeuronCase {
  name: string;
  neuron: 'lif' | 'if';
  options: Record<string, unknown>;
  grad?: boolean;
}

const { tensors, metadata } = loadSafetensors(FILE);
const cases: NeuronCase[] = JSON.parse(metadata.cases);

function get(key: string): Tensor {
  const t = tensors.get(key);
  assert.ok(t, `neurons.safetensors has no tensor '${key}'`);
  return t;
}

test('the neuron fixture covers both neurons, three resets, both reset paths and every spike function', () => {
  assert.ok(cases.length >= 90, `${cases.length} cases`);
  for (const method of ['htaf', 'ss', 'ste:sigmoid', 'ste:tanh', 'ste:rect', 'heaviside']) {
    assert.ok(cases.some((c) => String(c.options.method).startsWith(method)), method);
  }
});

for (const fused of [true, false]) {
  test(`${fused ? 'fused' : 'composed'} LIF and IF match PyTorch's composed neurons: spikes and gradients to 1e-5 (${cases.length} cases)`, () => {
    for (const c of cases) {
      tidy(() => {
        const options = { ...c.options, fused };
        const node = c.neuron === 'lif' ? new LIFNode(options) : new IFNode(options);
        const x = get('x').clone().requiresGrad_(c.grad === true);
        const s = node.call(x);
        assertClose(s, get(`${c.name}.spikes`), { atol: 1e-5, what: `${c.name}: spikes` });
        if (c.grad) {
          s.mul(get('g')).sum().backward();
          assertClose(x.grad!, get(`${c.name}.grad`), { atol: 1e-5, what: `${c.name}: dL/dx` });
        }
      });
    }
  });
}
