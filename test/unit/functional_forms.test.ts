// Argument forms PyTorch users write that the op table must accept too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptiveAvgPool2d, nllLoss, randint, randn, tidy } from '../../src/index.js';

test('adaptiveAvgPool2d takes one number for both spatial sizes', () => {
  tidy(() => {
    const x = randn([2, 3, 5, 5]);
    assert.deepEqual(adaptiveAvgPool2d(x, 2).shape, [2, 3, 2, 2]);
    assert.ok(adaptiveAvgPool2d(x, 1).equal(adaptiveAvgPool2d(x, [1, 1])));
  });
});

test('nllLoss takes (N, C, d1, d2) inputs with (N, d1, d2) targets', () => {
  tidy(() => {
    const logp = randn([2, 3, 4, 4]).logSoftmax(1);
    const target = randint(0, 3, [2, 4, 4]);
    const loss = nllLoss(logp, target);
    assert.deepEqual(loss.shape, []);
    // the same as flattening the spatial positions into the batch
    const flat = nllLoss(logp.permute([0, 2, 3, 1]).reshape([-1, 3]), target.reshape([-1]));
    assert.ok(Math.abs((loss.item() as number) - (flat.item() as number)) < 1e-6);
    assert.deepEqual(nllLoss(logp, target, { reduction: 'none' }).shape, [2, 4, 4]);
  });
});
