// Metrics on plain arrays: AUROC (ties by average ranks), macro one-vs-rest AUROC, accuracy, RMSE and
// the binarity score of docs/method.md §4.
export { auroc, macroAurocOvr, accuracy } from './classification.js';
export { rmse } from './regression.js';
export { binarityScore } from './binarity.js';
// ICBM concept metrics (docs/method.md §4): class specificity, concept accuracy (closed-form logistic regression on
// the one-hot class), importance and top nodes, and the BM / matched-threshold baselines' thresholds.
export {
  classSpecificity, conceptAccuracy, conceptRegressionLogits, CONCEPT_REGRESSION_CLIP, importance, topNodes,
  medianThresholds, binarize, activationShares, matchedThresholds,
} from './concepts.js';
export type { ConceptAccuracy } from './concepts.js';
