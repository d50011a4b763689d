// Metrics on hand-worked cases: AUROC (perfect, inverted, ties = 0.5, a Mann–Whitney count by hand),
// macro one-vs-rest AUROC, accuracy, RMSE and the binarity score, and their argument errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, auroc, binarityScore, macroAurocOvr, rmse } from '../../src/index.js';

test('auroc: perfect ranking 1, inverted 0, all scores tied 0.5', () => {
  assert.equal(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.equal(auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  assert.equal(auroc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
  assert.equal(auroc(new Float32Array([3, 3, 3]), new Float32Array([1, 0, 0])), 0.5);
});

test('auroc: ties between a positive and a negative count one half (average ranks)', () => {
  // pairs (pos, neg): (0.5, 0.1) win, (0.5, 0.5) tie, (0.9, 0.1) win, (0.9, 0.5) win -> 3.5 / 4
  assert.equal(auroc([0.1, 0.5, 0.5, 0.9], [0, 0, 1, 1]), 0.875);
  // a positive tied with both negatives and one below: (0.2 vs 0.2 tie, 0.2 vs 0.2 tie), (0.0 loses twice) -> 1 / 4
  assert.equal(auroc([0.2, 0.2, 0.2, 0.0], [0, 0, 1, 1]), 0.25);
  // order of the rows changes nothing
  assert.equal(auroc([0.9, 0.5, 0.1, 0.5], [1, 0, 0, 1]), 0.875);
  // any increasing transform (logits vs probabilities) gives the same value
  const logits = [-2, 0.3, 0.3, 1.5, -0.7, 2.2];
  const labels = [0, 1, 0, 1, 0, 1];
  assert.equal(auroc(logits.map((z) => 1 / (1 + Math.exp(-z))), labels), auroc(logits, labels));
});

test('auroc: one class only or a NaN score gives NaN; bad labels and lengths throw', () => {
  assert.ok(Number.isNaN(auroc([0.1, 0.2], [1, 1])));
  assert.ok(Number.isNaN(auroc([0.1, NaN], [0, 1])));
  assert.throws(() => auroc([0.1, 0.2], [0, 2]), /auroc: labels must be 0 or 1; labels\[1\] is 2/);
  assert.throws(() => auroc([0.1], [0, 1]), /auroc: scores has 1 values but labels has 2/);
  assert.throws(() => auroc([], []), /auroc: no values/);
});

test('macroAurocOvr: mean of the one-vs-rest AUROCs; absent classes are left out', () => {
  // 3 classes, row-major probabilities; class 0 and 2 perfectly ranked, class 1 inverted in one pair
  const probs = [
    0.8, 0.1, 0.1, // label 0
    0.6, 0.3, 0.1, // label 0
    0.1, 0.5, 0.4, // label 1
    0.2, 0.2, 0.6, // label 2
  ];
  const labels = [0, 0, 1, 2];
  const a0 = auroc([0.8, 0.6, 0.1, 0.2], [1, 1, 0, 0]);
  const a1 = auroc([0.1, 0.3, 0.5, 0.2], [0, 0, 1, 0]);
  const a2 = auroc([0.1, 0.1, 0.4, 0.6], [0, 0, 0, 1]);
  assert.equal(a0, 1);
  assert.equal(a1, 1);
  assert.equal(a2, 1);
  assert.equal(macroAurocOvr(probs, labels, 3), 1);
  // class 1 now below one negative: its AUROC is 2/3, the macro mean (1 + 2/3 + 1) / 3
  const worse = [...probs];
  worse[4] = 0.6;
  worse[3] = 0.3;
  assert.equal(macroAurocOvr(worse, labels, 3), (1 + 2 / 3 + 1) / 3);
  // class 2 absent from the labels: averaged over classes 0 and 1 only
  assert.equal(macroAurocOvr(new Float32Array([0.9, 0.05, 0.05, 0.2, 0.7, 0.1]), [0, 1], 3), 1);
  assert.throws(() => macroAurocOvr([0.5, 0.5], [0], 3), /probs must hold n × k = 1 × 3 = 3 values/);
  assert.throws(() => macroAurocOvr([0.5, 0.5, 0], [3], 3), /labels must be class indices in \[0, 3\)/);
});

test('accuracy and rmse on hand cases', () => {
  assert.equal(accuracy([0, 1, 2, 2], [0, 1, 1, 2]), 0.75);
  assert.equal(accuracy(new Float32Array([1]), new Float32Array([1])), 1);
  assert.equal(rmse([1, 2, 3], [1, 2, 3]), 0);
  assert.equal(rmse([0, 0], [3, 4]), Math.sqrt(12.5));
  assert.equal(rmse(new Float32Array([2]), [-1]), 3);
  assert.throws(() => rmse([1], []), /rmse: pred has 1 values but target has 0/);
  assert.throws(() => accuracy([], []), /accuracy: no values/);
});

test('binarityScore: share of values above 0.99 or below 0.01', () => {
  assert.equal(binarityScore([0, 1, 0.5, 0.995]), 0.75);
  assert.equal(binarityScore([0.01, 0.99]), 0); // the bounds themselves are not binary
  assert.equal(binarityScore(new Float32Array([0.001, 0.2, 0.3, 0.999])), 0.5);
  assert.equal(binarityScore([0.05, 0.95], 0.1, 0.9), 1);
  assert.equal(binarityScore([NaN, 1]), 0.5);
  assert.throws(() => binarityScore([]), /binarityScore: no values/);
  assert.throws(() => binarityScore([0.5], 0.9, 0.1), /low <= high/);
});
