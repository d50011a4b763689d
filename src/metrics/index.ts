// Metrics on plain arrays: AUROC (ties by average ranks), macro one-vs-rest AUROC, accuracy, RMSE and
// the binarity score of SPEC §4.
export { auroc, macroAurocOvr, accuracy } from './classification.js';
export { rmse } from './regression.js';
export { binarityScore } from './binarity.js';
