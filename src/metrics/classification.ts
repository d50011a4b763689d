// Classification metrics on plain arrays (typed arrays or number[]): AUROC with ties handled by average
// ranks (the Mann–Whitney U statistic, as sklearn's roc_auc_score), macro one-vs-rest AUROC, accuracy.
import { checkSameLength, checkValues } from './check.js';

/**
 * Area under the ROC curve of `scores` for the 0/1 `labels`: the probability that a random positive
 * scores higher than a random negative, ties counting one half (average ranks). 1 = perfect ranking,
 * 0 = inverted, 0.5 = no information (also when every score is equal). Any score order-preserving
 * transform (logits or probabilities) gives the same value.
 * NaN when the labels hold only one class, or when a score is NaN.
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkSameLength('auroc', scores, 'scores', labels, 'labels');
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1) throw new Error(`auroc: labels must be 0 or 1; labels[${i}] is ${l}`);
    positives += l;
    if (Number.isNaN(scores[i])) return NaN;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b] || a - b);
  // Sum of the positives' ranks (1-based), each tie group getting its average rank.
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const averageRank = (start + 1 + end) / 2;
    let groupPositives = 0;
    for (let j = start; j < end; j++) groupPositives += labels[order[j]];
    rankSum += groupPositives * averageRank;
    start = end;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function checkClassLabels(where: string, labels: ArrayLike<number>, k: number): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= k) throw new Error(`${where}: labels must be class indices in [0, ${k}); labels[${i}] is ${l}`);
  }
}

/**
 * Macro-averaged one-vs-rest AUROC: for each class c, the AUROC of column c of `probs` (n × k,
 * row-major) against "label is c", averaged over the classes. A class absent from the labels (or the
 * only one present) has no AUROC and is left out of the average; NaN when no class has one.
 */
export function macroAurocOvr(probs: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  checkValues('macroAurocOvr', 'probs', probs);
  checkValues('macroAurocOvr', 'labels', labels);
  if (!Number.isInteger(k) || k < 2) throw new Error(`macroAurocOvr: k (the number of classes) must be an integer >= 2; got ${k}`);
  const n = labels.length;
  if (n === 0) throw new Error('macroAurocOvr: no values (labels is empty)');
  if (probs.length !== n * k) throw new Error(`macroAurocOvr: probs must hold n × k = ${n} × ${k} = ${n * k} values (row-major); it has ${probs.length}`);
  checkClassLabels('macroAurocOvr', labels, k);
  const column = new Float64Array(n);
  const isClass = new Uint8Array(n);
  let sum = 0;
  let counted = 0;
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      column[i] = probs[i * k + c];
      isClass[i] = labels[i] === c ? 1 : 0;
    }
    const a = auroc(column, isClass);
    if (Number.isNaN(a)) {
      if (column.some(Number.isNaN)) return NaN;
      continue; // the class is absent (or alone): no AUROC
    }
    sum += a;
    counted++;
  }
  return counted === 0 ? NaN : sum / counted;
}

/** Share of positions where `predicted` equals `labels` (class indices, or any values compared with ===). */
export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkSameLength('accuracy', predicted, 'predicted', labels, 'labels');
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return hits / labels.length;
}
