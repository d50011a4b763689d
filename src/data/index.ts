// Tabular data (issue 4): CSV reading, datasets, splits, preprocessing fitted on the training rows.
export type { RawTable, TabularDataset, TaskKind, Split, Encoded, Preprocessor } from './tabular_types.js';
export { readCsv, parseCsv, CSV_DELIMITERS } from './csv.js';
export type { CsvOptions } from './csv.js';
export { MISSING_TOKENS } from './values.js';
export { loadTabular, tabularFromTable, analyzeColumns, DEFAULT_MAX_LEVELS, MULTICLASS_MAX_LEVELS, MULTICLASS_MIN_ROWS_PER_LEVEL, FREE_TEXT_MIN_WORDS, ID_LIKE_MIN_ROWS, TASK_KINDS } from './tabular.js';
export type { LoadTabularOptions, ColumnInfo } from './tabular.js';
export { randomSplit, splitSizes, DEFAULT_FRACTIONS, SPLIT_SCHEME } from './splits.js';
export { fitPreprocessor, preprocessorFromJSON, TabularPreprocessor, PREPROCESSOR_FORMAT, PREPROCESSOR_VERSION } from './preprocess.js';
export type { FitOptions, PreprocessorJSON, ColumnSpec, NumericColumnSpec, TextColumnSpec } from './preprocess.js';
export { builtinDatasets, builtinNames, loadBuiltin, resolveDataSource, dataFile } from './builtin.js';
export type { BuiltinDataset, DataSource } from './builtin.js';
export { DistributedSampler, shardOrder, shardLength } from './distributed_sampler.js';
export type { DistributedSamplerOptions } from './distributed_sampler.js';
