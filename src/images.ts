// The 'htaf/images' entry point: image datasets (IDX, CIFAR, folders decoded with sharp), the prefetching
// loader, image training (DHN, BNN, SNN, standard), evaluation with exact and smooth steps, and the Table 1
// comparison. The tensor API itself is in 'htaf' (src/index.ts).
export * from './data/images/index.js';
export { trainImageModel, loadImageModel, imageTrainConfig, IMAGE_TRAIN_DEFAULTS, IMAGE_OPTIMIZERS, LR_SCHEDULES } from './train/image_trainer.js';
export type { ImageTrainConfig, ImageTrainData, ImageTrainEvent, ImageTrainOptions, ImageTrainResult, ImageEpochRecord, ImageModelMeta } from './train/image_trainer.js';
export { evaluateImageModel, layerActivityLines } from './train/image_eval.js';
export type { ImageEvalResult, ImageEvalOptions, LayerActivity } from './train/image_eval.js';
export { runImageCompare, readImageJournal, IMAGE_METHOD_FAMILIES } from './train/image_compare.js';
export type { ImageCompareOptions, ImageCompareEvent, ImageCompareResults } from './train/image_compare.js';
export { recomputeBatchNormStats } from './train/image_precise_bn.js';
export { writeImageCompareReport } from './report/compare_report.js';
export type { ImageCompareRun } from './train/image_compare.js';
export { exportRun, runKind } from './export/run.js';
export type { ExportResult } from './export/run.js';
export { exportImageRun } from './export/image.js';
export { exactReference } from './export/reference.js';
export type { ExactReference } from './export/reference.js';
