// The ICBM model: backbone → [norm] → binary activation → linear head. Exact mode makes every concept
// exactly 0 or 1, the state dict names each part, the head sees the concepts, and bad options are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, CONCEPT_LAYERS, Flatten, Icbm, Linear, Sequential, crossEntropy, manualSeed, noGrad, randint, randn, setStepMode, tidy } from '../../src/index.js';
import { throwsWith } from '../helpers/errors.js';

function tinyBackbone(concepts: number) {
  return new Sequential(new Flatten(), new Linear(16, 12), new Linear(12, concepts));
}

test('Icbm: logits [B, K], concepts [B, M]; exact mode gives only 0 and 1 at every concept layer design', () => {
  manualSeed(1);
  for (const design of CONCEPT_LAYERS) {
    const model = new Icbm(tinyBackbone(6), { concepts: 6, numClasses: 3, activation: 'htaf', conceptLayer: design });
    model.eval();
    tidy(() => {
      const x = randn([5, 1, 4, 4]);
      assert.deepEqual(model.call(x).shape, [5, 3]);
      const smooth = noGrad(() => model.concepts(x)).toTypedArray() as Float32Array;
      assert.equal(smooth.length, 30);
      assert.ok(smooth.every((v) => v > 0 && v < 1), `${design}: HTAF's smooth outputs lie strictly inside (0, 1)`);
      setStepMode(model, 'exact');
      const exact = noGrad(() => model.concepts(x)).toTypedArray() as Float32Array;
      assert.ok(exact.every((v) => v === 0 || v === 1), `${design}: exact concepts are bits`);
      // The head is applied to the concepts: logits = W z + b.
      const logits = noGrad(() => model.call(x)).toTypedArray() as Float32Array;
      const expected = noGrad(() => model.head.call(model.concepts(x))).toTypedArray() as Float32Array;
      assert.deepEqual(Array.from(logits), Array.from(expected));
      setStepMode(model, 'smooth');
    });
    model.dispose();
  }
});

test('Icbm: state-dict names follow the parts (backbone.*, norm.*, head.*)', () => {
  const model = new Icbm(tinyBackbone(4), { concepts: 4, numClasses: 2, activation: 'htaf', conceptLayer: 'linear-bn' });
  const names = [...model.stateDict().keys()];
  assert.ok(names.includes('backbone.2.weight'));
  assert.ok(names.includes('norm.running_mean'));
  assert.deepEqual(names.filter((n) => n.startsWith('head.')), ['head.weight', 'head.bias']);
  assert.equal(model.head.inFeatures, 4);
  model.dispose();
});

test('Icbm: a few Adam steps lower the loss with HTAF concepts', () => {
  manualSeed(2);
  const model = new Icbm(tinyBackbone(8), { concepts: 8, numClasses: 2, activation: 'htaf' });
  const x = randn([32, 1, 4, 4]).keep();
  const y = randint(0, 2, [32]).keep();
  const opt = new Adam(model.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let i = 0; i < 40; i++) {
    losses.push(tidy(() => {
      opt.zeroGrad();
      const loss = crossEntropy(model.call(x), y);
      loss.backward();
      opt.step();
      return loss.item() as number;
    }));
  }
  assert.ok(losses[39] < losses[0] * 0.8, `loss ${losses[0]} → ${losses[39]}`);
  opt.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
});

test('Icbm: bad options name the option', () => {
  throwsWith(() => new Icbm(tinyBackbone(4), { concepts: 0, numClasses: 2, activation: 'htaf' }), 'Icbm', 'concepts');
  throwsWith(() => new Icbm(tinyBackbone(4), { concepts: 4, numClasses: 2, activation: 'htaf', conceptLayer: 'conv' as never }), 'concept layer', 'linear-bn');
  throwsWith(() => new Icbm(tinyBackbone(4), { concepts: 4, numClasses: 2, activation: 'nope' }), 'nope');
});
