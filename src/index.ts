// The public API for outside users: `import { tensor, nn, trainRun } from 'htaf'`. Nothing inside src/
// imports this file (docs/design.md rule 9; tools/check-imports.mjs enforces it). The heavy parts have
// their own entry points so that this one loads neither image decoding (sharp) nor the LLM client:
// 'htaf/images' (src/images.ts: image data, training, evaluation, Table 1) and 'htaf/concepts'
// (src/concepts.ts: ICBM runs, concept naming, explanations).
export type { DType, Device, Reduction } from './core/types.js';
export { DTYPES } from './core/types.js';
export { tidy, Scope, currentScope, scopeDepth } from './core/scope.js';
export { manualSeed, setNumThreads, getNumThreads, getBlasThreads, cudaAvailable, libtorchVersion, memory, resetPeakTensors, emptyCache } from './core/runtime.js';
export type { MemoryInfo } from './core/runtime.js';
export { Tensor } from './tensor/tensor.js';
export type { TypedArray, NestedArray } from './tensor/tensor.js';
export { tensor, fromArray, fromTypedArray } from './tensor/creation.js';
export type { TensorOptions } from './tensor/creation.js';
export * from './tensor/functions.generated.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad_mode.js';
// nn: Module, layers, containers; `init` (torch.nn.init) and `F` (torch.nn.functional) namespaces; and
// the whole package as `nn` for code that reads like PyTorch (`new nn.Linear(4, 2)`).
export * from './nn/index.js';
export * as nn from './nn/index.js';
// io: safetensors files (read, validate, write atomically) and checkpoints (model + optimizer + meta in one file).
export { saveSafetensors, loadSafetensors, readSafetensorsHeader, MAX_SAFETENSORS_HEADER_BYTES } from './io/safetensors.js';
export type { SafetensorsDtype, SafetensorsEntry, SafetensorsHeader, LoadedSafetensors, LoadSafetensorsOptions } from './io/safetensors.js';
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION } from './io/checkpoint.js';
export type { CheckpointContents, LoadedCheckpoint } from './io/checkpoint.js';
// optim: optimizers (SGD, Adam, AdamW) with param groups and state dicts; LR schedules (StepLR, MultiStepLR,
// CosineAnnealingLR, LinearLR/LinearWarmup, SequentialLR, warmupCosine).
export * from './optim/index.js';
export * from './distributed/index.js';
// theory: Proposition 3.1 bounds (logitBound, betaMin, alphaMin, betaMinForAlpha, checkApproximation) and
// Theorem 3.2 quantities (htafValue, htafDerivative, slopeAtZero, tailConstant, tailRatioVsScaledSigmoid), float64 math.
export * from './theory/index.js';
// activations: binary activations as modules (HTAF, ScaledSigmoid, STE, Heaviside, ApproxSign; 'smooth'
// or 'exact' mode; sign (±1) forms), the spec registry ('htaf:alpha=2,beta=11') and setStepMode(model, mode).
export * from './activations/index.js';
// metrics: AUROC (ties by average ranks), macro one-vs-rest AUROC, accuracy, RMSE, binarity score (docs/method.md §4).
export * from './metrics/index.js';
// models: the tabular MLP (Linear → activation → ... → Linear, no batch norm; the paper's DHN with a binary activation).
export * from './models/index.js';
// train: one tabular training run (seeded, early stopping on val with exact steps, checkpoints, resume).
export { trainRun, primaryMetric, nanStopMessage } from './train/trainer.js';
export type { TrainData, TrainRunOptions, EpochEvent, BatchEvent } from './train/trainer.js';
export type { RunConfig, RunResult, Metrics, OptimizerName } from './train/types.js';
// compare: the paper's tabular protocol (Table 8) behind `htaf compare`: the hyperparameter grid (per method
// family, expanded to activation spec × optimizer × lr), repeated seeded splits with selection on validation and a
// resumable journal, and result tables (mean (standard error)) as Markdown, CSV and JSON.
export {
  defaultGrid, demoGrid, GRID_PRESETS, validateGrid, planMethods, familySpecs, alphaMinForGrid, runsPerSplit, METHOD_FAMILIES, METHOD_LABELS,
} from './train/grid.js';
export type { Grid, GridPoint, MethodPlan, MethodFamily, OptimizerGrid, HtafGrid, SsGrid, SteGrid } from './train/grid.js';
export { runCompare, defaultProtocolDeps, readJournal, splitSeed, SPLIT_FRACTIONS } from './train/protocol.js';
export type { CompareOptions, CompareEvent, CompareResults, CompareRun, MethodResult, RunRecord, ProtocolDeps } from './train/protocol.js';
export { JOURNAL_FILE, Journal, runGrid } from './train/journal.js';
export { fit } from './train/fit.js';
export { exportTabularRun } from './export/tabular.js';
export type { FitSpec, FitHooks, FitResult, StepOutput, EpochTraining, EpochVerdict } from './train/fit.js';
export { RunState } from './train/run_state.js';
export type { FitState, RunIdentity } from './train/run_state.js';
export { improves, bestIndex } from './train/selection.js';
export { writeCompareReport } from './report/compare_report.js';
export type { CompareFiles, CompareReport } from './report/compare_report.js';
export { summarize, formatMeanSe, metricLabel, tableToMarkdown, tableToText, tableToCSV, tableToJSON } from './report/table.js';
export type { Summary, ResultTable, ResultColumn, ResultRow } from './report/table.js';
// data: tabular CSVs (readCsv, loadTabular with task detection and warnings), seeded splits (randomSplit),
// preprocessing fitted on the training rows (fitPreprocessor, preprocessorFromJSON), built-in datasets.
export * from './data/index.js';
// gradient studies (Appendix F): per-layer gradient norms w.r.t. pre-activations (Figure 7), vanishing per
// architecture (Table 7), and the Proposition 3.1 bound ablation (Figure 6), behind `htaf gradients` / `htaf ablate-bounds`.
export {
  DEFAULT_VANISHING_THRESHOLD, FIGURE7_METHODS, FIGURE7_HIDDEN, TABLE7_ARCHITECTURES, GRADIENT_NORM_DEFINITION, PreactivationProbe, defaultMlpFactory,
  trainWithGradientProbe, gradientStudy, vanishingStudy,
} from './train/gradient_study.js';
export {
  archLabel, gradientStatus, formatThreshold, thresholdLine, gradientSummaryMarkdown, gradientCsv, vanishingTableMarkdown, vanishingTableCsv,
} from './report/gradients.js';
export { toJsonSafe, finiteOrNull } from './io/json.js';
export type {
  MlpLike, MlpFactory, GradientStudyConfig, EpochGradients, MethodGradients, GradientStudyResult, GradientStudyOptions, VanishingTable,
} from './train/gradient_study.js';
export { ABLATION_BETAS, ABLATION_HIDDEN, boundAblationPlan, ablateBounds, ablationMetric } from './train/ablate_bounds.js';
export { ablationHeader, ablationMarkdown, ablationCsv } from './report/ablate_bounds.js';
export type { BoundPoint, BoundAblationConfig, BoundAblationRow, BoundAblationResult, BoundAblationOptions } from './train/ablate_bounds.js';
