// The ICBM concept metrics of docs/method.md §4 on plain typed arrays (row-major, one row per image, M columns):
// class specificity, concept accuracy (a logistic regression from the one-hot class to each bit, solved
// in closed form), importance from the linear head, and the post-hoc thresholds of the baselines (BM at
// each node's median; Figure 4's thresholds matched to ICBM's share of ones). The binarity score lives
// in binarity.ts. No tensors here: the report, naming and explanations all run on these arrays.
import { checkValues } from './check.js';

function checkCount(where: string, name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) throw new Error(`${where}: ${name} must be an integer >= ${min}; got ${v}`);
}

function checkMatrix(where: string, name: string, values: ArrayLike<number>, rows: number, cols: number, rowsName: string): void {
  checkValues(where, name, values);
  if (values.length !== rows * cols) {
    throw new Error(`${where}: ${name} must hold ${rowsName} × M = ${rows} × ${cols} = ${rows * cols} values (row-major); it has ${values.length}`);
  }
}

function checkBits(where: string, name: string, bits: ArrayLike<number>, m: number): void {
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if (b !== 0 && b !== 1) throw new Error(`${where}: ${name} must hold 0 or 1; ${name}[${i}] (image ${Math.floor(i / m)}, node ${i % m}) is ${b}`);
  }
}

function checkLabels(where: string, name: string, labels: ArrayLike<number>, k: number): void {
  checkValues(where, name, labels);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= k) throw new Error(`${where}: ${name} must be class indices in [0, ${k}); ${name}[${i}] is ${l}`);
  }
}

/** Checks bits (N × M of 0/1) against labels (N class indices in [0, K)); returns N. */
function checkBitsAndLabels(where: string, bits: ArrayLike<number>, bitsName: string, labels: ArrayLike<number>, labelsName: string, m: number, k: number): number {
  checkLabels(where, labelsName, labels, k);
  const n = labels.length;
  checkMatrix(where, bitsName, bits, n, m, `${labelsName}.length`);
  checkBits(where, bitsName, bits, m);
  return n;
}

/**
 * Class specificity q (K × M, row-major): q[c][j] = share of the class-c images whose concept j is on
 * (docs/method.md §4, Figure 4). Rows of a class with no images are NaN: there is no share to report, and 0 would
 * read as "this class never has the concept". bits is N × M (0/1), labels N class indices in [0, K).
 */
export function classSpecificity(bits: ArrayLike<number>, labels: ArrayLike<number>, numConcepts: number, numClasses: number): Float64Array {
  const where = 'classSpecificity';
  checkCount(where, 'numConcepts', numConcepts, 1);
  checkCount(where, 'numClasses', numClasses, 1);
  const n = checkBitsAndLabels(where, bits, 'bits', labels, 'labels', numConcepts, numClasses);
  const m = numConcepts;
  const q = new Float64Array(numClasses * m);
  const count = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    count[c]++;
    const row = c * m;
    const at = i * m;
    for (let j = 0; j < m; j++) q[row + j] += bits[at + j];
  }
  for (let c = 0; c < numClasses; c++) {
    for (let j = 0; j < m; j++) q[c * m + j] = count[c] === 0 ? NaN : q[c * m + j] / count[c];
  }
  return q;
}

/** Shares of 0 and 1 below/above which a concept regression's log-odds are clipped (logit ±9.21). */
export const CONCEPT_REGRESSION_CLIP = 1e-4;

/**
 * The logistic regression of docs/method.md §4's concept accuracy, fitted on (bits, labels): for each node j, the
 * log-odds that z_j = 1 given the class, as a K × M matrix (row-major).
 *
 * Why a closed form: the input is the one-hot class e_c, so the model's logit for class c is w_c + b, a
 * free number per class (the bias is redundant). The log-likelihood splits into one term per class,
 * n1·log σ(w_c + b) + n0·log(1 − σ(w_c + b)), maximized at σ(w_c + b) = p_c = n1 / (n1 + n0), the class's
 * share of ones: the fitted logit is log(p_c / (1 − p_c)). When p_c is 0 or 1 the unregularized fit runs
 * off to ∓∞ (gradient descent never stops); we clip p_c to [1e-4, 1 − 1e-4] (CONCEPT_REGRESSION_CLIP),
 * which changes no prediction. A class with no training images has no likelihood term; it gets the
 * log-odds of the node's share over all training images (what the shared bias alone predicts).
 */
export function conceptRegressionLogits(bits: ArrayLike<number>, labels: ArrayLike<number>, numConcepts: number, numClasses: number): Float64Array {
  const where = 'conceptRegressionLogits';
  checkCount(where, 'numConcepts', numConcepts, 1);
  checkCount(where, 'numClasses', numClasses, 1);
  const n = checkBitsAndLabels(where, bits, 'bits', labels, 'labels', numConcepts, numClasses);
  if (n === 0) throw new Error(`${where}: no training images (labels is empty)`);
  return logitsFromChecked(bits, labels, numConcepts, numClasses);
}

function clippedLogit(p: number): number {
  const e = CONCEPT_REGRESSION_CLIP;
  const c = Math.min(1 - e, Math.max(e, p));
  return Math.log(c / (1 - c));
}

function logitsFromChecked(bits: ArrayLike<number>, labels: ArrayLike<number>, m: number, k: number): Float64Array {
  const n = labels.length;
  const ones = new Float64Array(k * m);
  const count = new Float64Array(k);
  const overall = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    count[c]++;
    for (let j = 0; j < m; j++) {
      const b = bits[i * m + j];
      ones[c * m + j] += b;
      overall[j] += b;
    }
  }
  const logits = new Float64Array(k * m);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < m; j++) {
      logits[c * m + j] = clippedLogit(count[c] === 0 ? overall[j] / n : ones[c * m + j] / count[c]);
    }
  }
  return logits;
}

/** Concept accuracy: the mean over nodes, and each node's own. */
export interface ConceptAccuracy {
  mean: number;
  perNode: Float64Array;
}

/**
 * Concept accuracy (docs/method.md §4, Table 9): for each node j, a logistic regression from the one-hot class
 * label to the bit z_j, fitted on the training images (conceptRegressionLogits, in closed form), scored
 * on the test images: the share of test images whose bit equals the regression's prediction (1 when the
 * fitted probability is > 0.5, so a class whose share of ones is exactly 0.5 predicts 0, as sklearn's
 * LogisticRegression.predict does). `mean` averages the nodes.
 */
export function conceptAccuracy(
  trainBits: ArrayLike<number>, trainLabels: ArrayLike<number>, testBits: ArrayLike<number>, testLabels: ArrayLike<number>,
  numConcepts: number, numClasses: number,
): ConceptAccuracy {
  const where = 'conceptAccuracy';
  checkCount(where, 'numConcepts', numConcepts, 1);
  checkCount(where, 'numClasses', numClasses, 1);
  const ntr = checkBitsAndLabels(where, trainBits, 'trainBits', trainLabels, 'trainLabels', numConcepts, numClasses);
  const nte = checkBitsAndLabels(where, testBits, 'testBits', testLabels, 'testLabels', numConcepts, numClasses);
  if (ntr === 0) throw new Error(`${where}: no training images (trainLabels is empty)`);
  if (nte === 0) throw new Error(`${where}: no test images (testLabels is empty)`);
  const m = numConcepts;
  const logits = logitsFromChecked(trainBits, trainLabels, m, numClasses);
  const hits = new Float64Array(m);
  for (let i = 0; i < nte; i++) {
    const row = testLabels[i] * m;
    for (let j = 0; j < m; j++) {
      const predicted = logits[row + j] > 0 ? 1 : 0;
      if (predicted === testBits[i * m + j]) hits[j]++;
    }
  }
  let sum = 0;
  for (let j = 0; j < m; j++) {
    hits[j] /= nte;
    sum += hits[j];
  }
  return { mean: sum / m, perNode: hits };
}

/** The K × M shape of each matrix `importance` returned, so `topNodes` can be called without M. */
const IMPORTANCE_SHAPES = new WeakMap<Float64Array, { numClasses: number; numConcepts: number }>();

/** Importance of node j for class c: |w[c][j]| of the linear head (K × M, row-major), docs/method.md §4. */
export function importance(headWeight: ArrayLike<number>, numClasses: number, numConcepts: number): Float64Array {
  const where = 'importance';
  checkCount(where, 'numClasses', numClasses, 1);
  checkCount(where, 'numConcepts', numConcepts, 1);
  checkValues(where, 'headWeight', headWeight);
  if (headWeight.length !== numClasses * numConcepts) {
    throw new Error(`${where}: headWeight must hold K × M = ${numClasses} × ${numConcepts} = ${numClasses * numConcepts} values (row-major); it has ${headWeight.length}`);
  }
  const out = new Float64Array(headWeight.length);
  for (let i = 0; i < out.length; i++) {
    const w = headWeight[i];
    if (!Number.isFinite(w)) throw new Error(`${where}: headWeight[${i}] (class ${Math.floor(i / numConcepts)}, node ${i % numConcepts}) is ${w}; weights must be finite`);
    out[i] = Math.abs(w);
  }
  IMPORTANCE_SHAPES.set(out, { numClasses, numConcepts });
  return out;
}

/**
 * The k nodes most important for class c (importance is K × M, row-major), most important first; equal
 * importances in node order. k larger than M gives all M nodes. `numConcepts` (M) may be left out for a
 * matrix that `importance()` returned (it remembers its shape); any other array needs it.
 */
export function topNodes(importanceMatrix: ArrayLike<number>, c: number, k: number, numConcepts?: number): number[] {
  const where = 'topNodes';
  checkValues(where, 'importance', importanceMatrix);
  if (numConcepts === undefined) {
    const known = importanceMatrix instanceof Float64Array ? IMPORTANCE_SHAPES.get(importanceMatrix) : undefined;
    if (known === undefined) throw new Error(`${where}: numConcepts (M) is needed for an importance matrix that importance() did not return`);
    numConcepts = known.numConcepts;
  }
  checkCount(where, 'numConcepts', numConcepts, 1);
  checkCount(where, 'k', k, 1);
  if (importanceMatrix.length % numConcepts !== 0 || importanceMatrix.length === 0) {
    throw new Error(`${where}: importance holds ${importanceMatrix.length} values, not a whole number of rows of M = ${numConcepts}`);
  }
  const numClasses = importanceMatrix.length / numConcepts;
  if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new Error(`${where}: class ${c} is not in [0, ${numClasses})`);
  const nodes = Array.from({ length: numConcepts }, (_, j) => j);
  const v = (j: number) => importanceMatrix[c * numConcepts + j];
  nodes.sort((a, b) => v(b) - v(a) || a - b);
  return nodes.slice(0, Math.min(k, numConcepts));
}

function checkFeatures(where: string, features: ArrayLike<number>, n: number, m: number): void {
  checkCount(where, 'n', n, 1);
  checkCount(where, 'm', m, 1);
  checkValues(where, 'features', features);
  if (features.length !== n * m) throw new Error(`${where}: features must hold n × m = ${n} × ${m} = ${n * m} values (row-major); it has ${features.length}`);
}

/** Column j of a row-major n × m matrix, sorted ascending (NaN rejected: it has no place in an order). */
function sortedColumn(where: string, features: ArrayLike<number>, n: number, m: number, j: number): Float64Array {
  const col = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = features[i * m + j];
    if (Number.isNaN(v)) throw new Error(`${where}: features[${i * m + j}] (row ${i}, node ${j}) is NaN`);
    col[i] = v;
  }
  return col.sort();
}

/**
 * Each node's median over the n rows (the BM baseline's thresholds, docs/method.md §4): the middle value, or the
 * mean of the two middle values when n is even (numpy.median).
 */
export function medianThresholds(features: ArrayLike<number>, n: number, m: number): Float64Array {
  const where = 'medianThresholds';
  checkFeatures(where, features, n, m);
  const out = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const col = sortedColumn(where, features, n, m, j);
    out[j] = n % 2 === 1 ? col[(n - 1) / 2] : (col[n / 2 - 1] + col[n / 2]) / 2;
  }
  return out;
}

/**
 * Post-hoc bits: 1 where x > t (strictly), else 0. A value equal to its node's threshold is 0, so with
 * ReLU features and a median of 0 the zeros stay off; NaN gives 0.
 */
export function binarize(features: ArrayLike<number>, thresholds: ArrayLike<number>, n: number, m: number): Uint8Array {
  const where = 'binarize';
  checkFeatures(where, features, n, m);
  checkValues(where, 'thresholds', thresholds);
  if (thresholds.length !== m) throw new Error(`${where}: thresholds must hold one value per node (m = ${m}); it has ${thresholds.length}`);
  const out = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) out[i * m + j] = features[i * m + j] > thresholds[j] ? 1 : 0;
  }
  return out;
}

/** Each node's share of ones in N × M bits: ICBM's shares, the targets of `matchedThresholds`. */
export function activationShares(bits: ArrayLike<number>, n: number, m: number): Float64Array {
  const where = 'activationShares';
  checkCount(where, 'n', n, 1);
  checkCount(where, 'm', m, 1);
  checkMatrix(where, 'bits', bits, n, m, 'n');
  checkBits(where, 'bits', bits, m);
  const out = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j] += bits[i * m + j];
  for (let j = 0; j < m; j++) out[j] /= n;
  return out;
}

/**
 * Figure 4's baseline: per node, the threshold whose share of ones under `binarize` (x > t) is closest
 * to `targetShares[j]` (ICBM's share for that node, see `activationShares`). The thresholds are taken
 * among the column's own values, and −Infinity (every value on); with ties at the boundary the share
 * cannot always be met exactly, and of two equally close shares the smaller (higher threshold) wins.
 */
export function matchedThresholds(features: ArrayLike<number>, n: number, m: number, targetShares: ArrayLike<number>): Float64Array {
  const where = 'matchedThresholds';
  checkFeatures(where, features, n, m);
  checkValues(where, 'targetShares', targetShares);
  if (targetShares.length !== m) throw new Error(`${where}: targetShares must hold one share per node (m = ${m}); it has ${targetShares.length}`);
  const out = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const s = targetShares[j];
    if (!(s >= 0 && s <= 1)) throw new Error(`${where}: targetShares[${j}] is ${s}; shares must lie in [0, 1]`);
    const target = s * n;
    const col = sortedColumn(where, features, n, m, j);
    // Threshold −∞: all n on. Threshold col[i] (the last of its tie group): n − i − 1 on.
    let best = -Infinity;
    let bestGap = n - target;
    for (let i = 0; i < n; i++) {
      if (i + 1 < n && col[i + 1] === col[i]) continue;
      const gap = Math.abs(n - i - 1 - target);
      if (gap <= bestGap) {
        best = col[i];
        bestGap = gap;
      }
    }
    out[j] = best;
  }
  return out;
}
