// The 'htaf/concepts' entry point: ICBM runs (a binary concept layer trained on an image backbone), the
// run data the concept tools read, concept naming through an LLM (an OpenAI-compatible HTTP client, with a
// cache) or offline candidates, explanations and interventions. Image data and training are in
// 'htaf/images'; the tensor API in 'htaf'.
export * from './concepts/index.js';
export { conceptTableMarkdown, conceptTableText, conceptTableCsv, conceptTableJson } from './report/concept_table.js';
export { trainIcbm, icbmFactory, ICBM_BACKBONES } from './train/icbm_train.js';
export type { IcbmConfig, IcbmRunOptions, IcbmRunResult, IcbmMetrics, IcbmBackbone } from './train/icbm_train.js';
