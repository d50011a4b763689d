// ICBM concept metrics on hand-built bits and activations (docs/method.md §4): class specificity, concept accuracy
// (the closed-form logistic regression checked against a direct gradient-descent fit), importance and top
// nodes, median / matched thresholds and binarize, with their argument errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activationShares, binarityScore, binarize, classSpecificity, conceptAccuracy, conceptRegressionLogits, importance, matchedThresholds,
  medianThresholds, topNodes,
} from '../../src/index.js';
import { throwsWith } from '../helpers/errors.js';

// 6 images, M = 3 nodes, K = 3 classes (class 2 has no images).
//   image  label  bits
//     0      0    1 0 1
//     1      0    1 1 0
//     2      0    0 1 1
//     3      1    0 0 1
//     4      1    1 0 1
//     5      0    1 0 0
const BITS = new Uint8Array([1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0]);
const LABELS = new Int32Array([0, 0, 0, 1, 1, 0]);

test('classSpecificity: share of each class with each concept on; an empty class is a NaN row', () => {
  const q = classSpecificity(BITS, LABELS, 3, 3);
  // class 0 (images 0,1,2,5): node0 3/4, node1 2/4, node2 2/4; class 1 (images 3,4): 1/2, 0/2, 2/2
  assert.deepEqual([...q.slice(0, 6)], [0.75, 0.5, 0.5, 0.5, 0, 1]);
  assert.ok([...q.slice(6)].every(Number.isNaN));
  // plain arrays work too
  assert.deepEqual([...classSpecificity([1, 0, 0, 1], [1, 0], 2, 2)], [0, 1, 1, 0]);
});

test('classSpecificity: bad shapes, bits and labels are named', () => {
  throwsWith(() => classSpecificity(BITS.slice(1), LABELS, 3, 3), 'classSpecificity', 'bits must hold', '6 × 3 = 18', 'has 17');
  throwsWith(() => classSpecificity(new Uint8Array([1, 2]), [0], 2, 2), 'classSpecificity', 'bits[1] (image 0, node 1) is 2');
  throwsWith(() => classSpecificity(BITS, new Int32Array([0, 0, 0, 3, 1, 0]), 3, 3), 'labels[3] is 3', '[0, 3)');
  throwsWith(() => classSpecificity(BITS, LABELS, 0, 3), 'numConcepts must be an integer >= 1; got 0');
  throwsWith(() => classSpecificity(BITS, LABELS, 3, 1.5), 'numClasses', '1.5');
});

test('conceptRegressionLogits: log-odds of each class share, clipped at 0 and 1; an unseen class gets the overall share', () => {
  const z = conceptRegressionLogits(BITS, LABELS, 3, 3);
  const logit = (p: number) => Math.log(p / (1 - p));
  // class 0: shares 0.75, 0.5, 0.5 -> log 3, 0, 0
  assert.ok(Math.abs(z[0] - Math.log(3)) < 1e-12);
  assert.equal(z[1], 0);
  assert.equal(z[2], 0);
  // class 1: shares 0.5, 0, 1 -> 0, clipped logit(1e-4) = -9.2102..., +9.2102...
  assert.equal(z[3], 0);
  assert.ok(Math.abs(z[4] - logit(1e-4)) < 1e-9 && z[4] < -9.2 && z[4] > -9.22);
  assert.ok(Math.abs(z[5] + z[4]) < 1e-9);
  // class 2 (no images): overall shares 4/6, 2/6, 4/6 -> log 2, -log 2, log 2
  assert.ok(Math.abs(z[6] - Math.log(2)) < 1e-12);
  assert.ok(Math.abs(z[7] + Math.log(2)) < 1e-12);
  assert.ok(Math.abs(z[8] - Math.log(2)) < 1e-12);
});

/** Logistic regression from the one-hot class (weights w_c and a bias) fitted by plain gradient descent. */
function gradientDescentFit(bits: number[], labels: number[], k: number): number[] {
  const w = new Array(k).fill(0);
  let b = 0;
  const n = labels.length;
  for (let step = 0; step < 20000; step++) {
    const gw = new Array(k).fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(w[labels[i]] + b)));
      gw[labels[i]] += (p - bits[i]) / n;
      gb += (p - bits[i]) / n;
    }
    for (let c = 0; c < k; c++) w[c] -= 2 * gw[c];
    b -= 2 * gb;
  }
  return w.map((wc) => wc + b);
}

test('conceptRegressionLogits agrees with a gradient-descent fit of the logistic regression', () => {
  // One node, K = 3; class shares 1/4, 2/3, 3/5 (none 0 or 1, so the maximum likelihood is finite).
  const labels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2];
  const bits = [1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0];
  const closed = conceptRegressionLogits(bits, labels, 1, 3);
  const fitted = gradientDescentFit(bits, labels, 3);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(closed[c] - fitted[c]) < 1e-6, `class ${c}: ${closed[c]} vs ${fitted[c]}`);
  assert.ok(Math.abs(closed[0] - Math.log(1 / 3)) < 1e-12);
  // A class with share 1: gradient descent keeps raising its logit, the closed form stops at the clip; both predict 1.
  const fitted1 = gradientDescentFit([1, 1, 0, 1], [0, 0, 1, 1], 2);
  const closed1 = conceptRegressionLogits([1, 1, 0, 1], [0, 0, 1, 1], 1, 2);
  assert.ok(fitted1[0] > 5 && closed1[0] > 9);
  assert.equal(closed1[1], 0); // share 1/2: logit 0, and gradient descent gets there too
  assert.ok(Math.abs(fitted1[1]) < 1e-3, `${fitted1[1]}`);
});

test('conceptAccuracy: fitted on train, scored on test, per node and averaged', () => {
  // train: the 6 images above. Predicted bits per class: class 0 -> 1 0 0 (share 0.5 predicts 0), class 1 -> 0 0 1,
  // class 2 (unseen) -> 1 0 1 (overall shares 4/6, 2/6, 4/6).
  // test:  label  bits    hits per node
  //          0    1 0 0    1 1 1
  //          1    1 0 1    0 1 1
  //          2    1 1 1    1 0 1
  //          0    0 1 0    0 0 1
  const testBits = new Uint8Array([1, 0, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0]);
  const testLabels = new Int32Array([0, 1, 2, 0]);
  const r = conceptAccuracy(BITS, LABELS, testBits, testLabels, 3, 3);
  assert.deepEqual([...r.perNode], [0.5, 0.5, 1]);
  assert.equal(r.mean, 2 / 3);
  // bits that follow the class exactly score 1
  const own = conceptAccuracy([1, 0, 0, 1, 1, 0], [0, 1, 0], [0, 1, 1, 0], [1, 0], 2, 2);
  assert.deepEqual([...own.perNode], [1, 1]);
  throwsWith(() => conceptAccuracy(BITS, LABELS, testBits, new Int32Array([0, 1, 2]), 3, 3), 'conceptAccuracy', 'testBits must hold', '3 × 3 = 9');
  throwsWith(() => conceptAccuracy(BITS, LABELS, [], [], 3, 3), 'conceptAccuracy: no test images');
  throwsWith(() => conceptAccuracy([], [], testBits, testLabels, 3, 3), 'conceptAccuracy: no training images');
});

test('importance is |w| of the head; topNodes orders by it, ties by node', () => {
  // K = 2, M = 4
  const w = new Float32Array([0.5, -2, 0, 2, -1, 0.25, 3, -0.25]);
  const imp = importance(w, 2, 4);
  assert.deepEqual([...imp], [0.5, 2, 0, 2, 1, 0.25, 3, 0.25]);
  assert.deepEqual(topNodes(imp, 0, 3, 4), [1, 3, 0]); // 2 (node 1) ties 2 (node 3): node order
  assert.deepEqual(topNodes(imp, 1, 2, 4), [2, 0]);
  assert.deepEqual(topNodes(imp, 1, 10, 4), [2, 0, 1, 3]);
  // M may be left out for a matrix importance() returned; a plain array needs it
  assert.deepEqual(topNodes(imp, 0, 3), [1, 3, 0]);
  throwsWith(() => topNodes([...imp], 0, 3), 'topNodes: numConcepts (M) is needed');
  throwsWith(() => importance(w, 3, 4), 'importance: headWeight must hold K × M = 3 × 4 = 12', 'has 8');
  throwsWith(() => importance([1, NaN], 1, 2), 'headWeight[1] (class 0, node 1) is NaN');
  throwsWith(() => topNodes(imp, 2, 1, 4), 'topNodes: class 2 is not in [0, 2)');
  throwsWith(() => topNodes(imp, 0, 0, 4), 'topNodes: k must be an integer >= 1; got 0');
  throwsWith(() => topNodes(imp, 0, 1, 3), 'not a whole number of rows of M = 3');
});

test('medianThresholds (numpy median) and binarize (x > t, ties off)', () => {
  // n = 4, m = 2: column 0 = 3, 0, 1, 2 -> median 1.5; column 1 = 0, 0, 0, 5 (ReLU-like) -> median 0
  const f = new Float32Array([3, 0, 0, 0, 1, 0, 2, 5]);
  const t = medianThresholds(f, 4, 2);
  assert.deepEqual([...t], [1.5, 0]);
  assert.deepEqual([...binarize(f, t, 4, 2)], [1, 0, 0, 0, 0, 0, 1, 1]);
  // odd n: the middle value; a value equal to its threshold is off
  const g = [2, 7, 5];
  const tg = medianThresholds(g, 3, 1);
  assert.deepEqual([...tg], [5]);
  assert.deepEqual([...binarize(g, tg, 3, 1)], [0, 1, 0]);
  throwsWith(() => medianThresholds(f, 3, 2), 'medianThresholds: features must hold n × m = 3 × 2 = 6', 'has 8');
  throwsWith(() => medianThresholds([1, NaN], 2, 1), 'features[1] (row 1, node 0) is NaN');
  throwsWith(() => binarize(f, [0], 4, 2), 'binarize: thresholds must hold one value per node (m = 2); it has 1');
});

test('matchedThresholds: the share of ones matches the target; ties at the boundary pick the closest share', () => {
  // column 0: 0.1 0.4 0.2 0.3 0.5 -> target 0.4 (2 of 5 on): threshold 0.3 (0.4 and 0.5 are > 0.3)
  // column 1: 0 0 0 1 2 -> target 0.6 (3 of 5): thresholds give 5 (−∞), 2 (t=0), 1 (t=1), 0 (t=2) on;
  //   2 and... 3 is out of reach: |2−3| = 1 (t=0) vs |5−3| = 2 (−∞) -> t = 0, share 0.4
  // column 2: target 1 -> −∞ (all on); column 3: target 0 -> the maximum (none on)
  const f = [0.1, 0, 7, 7, 0.4, 0, 8, 8, 0.2, 0, 9, 9, 0.3, 1, 1, 1, 0.5, 2, 2, 2];
  const t = matchedThresholds(f, 5, 4, [0.4, 0.6, 1, 0]);
  assert.deepEqual([...t], [0.3, 0, -Infinity, 9]);
  const b = binarize(f, t, 5, 4);
  assert.deepEqual([...activationShares(b, 5, 4)], [0.4, 0.4, 1, 0]);
  // equally close shares: the smaller one (higher threshold). Column 0 0 1 1, target 0.25 (1 of 4):
  // t=0 -> 2 on (gap 1), t=1 -> 0 on (gap 1) -> t = 1
  assert.deepEqual([...matchedThresholds([0, 0, 1, 1], 4, 1, [0.25])], [1]);
  throwsWith(() => matchedThresholds(f, 5, 4, [0.4, 0.6, 1]), 'matchedThresholds: targetShares must hold one share per node (m = 4); it has 3');
  throwsWith(() => matchedThresholds(f, 5, 4, [0.4, 1.2, 1, 0]), 'targetShares[1] is 1.2');
});

test('ICBM shares feed matchedThresholds: the baseline switches on as often as ICBM does', () => {
  // ICBM bits (n = 4, m = 2) with shares 0.25 and 0.75; standard features of the same images.
  const icbm = new Uint8Array([1, 1, 0, 1, 0, 0, 0, 1]);
  const shares = activationShares(icbm, 4, 2);
  assert.deepEqual([...shares], [0.25, 0.75]);
  const features = new Float32Array([0.9, 0.0, 0.1, 0.6, 0.2, 0.3, 0.3, 0.8]);
  const bm = binarize(features, matchedThresholds(features, 4, 2, shares), 4, 2);
  assert.deepEqual([...activationShares(bm, 4, 2)], [0.25, 0.75]);
  assert.deepEqual([...bm], [1, 0, 0, 1, 0, 1, 0, 1]);
  throwsWith(() => activationShares(new Uint8Array([0, 3]), 1, 2), 'activationShares: bits must hold 0 or 1; bits[1] (image 0, node 1) is 3');
  // The binarity score is reused from binarity.ts, not redefined: 2 of 4 smooth outputs are binary.
  assert.equal(binarityScore(new Float32Array([0.995, 0.5, 0.005, 0.9])), 0.5);
});
