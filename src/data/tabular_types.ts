// The contract between the tabular pieces (issue 4): loading a CSV, splitting it, fitting the
// preprocessing on the training rows only, and turning rows into tensors.
export type TaskKind = 'binary' | 'multiclass' | 'regression';

/** A CSV read into columns of raw strings ('' = missing), with where each came from for error messages. */
export interface RawTable {
  file: string;
  header: string[];
  /** rows[r][c]: the field's text as written (quotes removed); r is 0-based over data rows. */
  rows: string[][];
  /** 1-based line number in the file of each data row (for messages naming the row). */
  lineOf: number[];
  delimiter: string;
  /** Whether the first line was read as a header (false: columns are named column1, column2, ...). */
  hasHeader?: boolean;
  /** What reading noticed that the user should know (no header line found, a column without a name). */
  warnings?: string[];
}

export interface TabularDataset {
  table: RawTable;
  target: string;
  task: TaskKind;
  /** Class labels in a fixed (sorted) order for binary/multiclass; empty for regression. */
  classes: string[];
  /** Warnings for the user (constant columns dropped, ID-like column, text in a numeric column, ...). */
  warnings: string[];
}

/** Row indices of a seeded random split (default 70/10/20). */
export interface Split {
  train: number[];
  val: number[];
  test: number[];
}

/** Features and targets of some rows, ready for tensors. */
export interface Encoded {
  /** rows × features, row-major. */
  x: Float32Array;
  /** regression: the target min-max scaled with the training rows' range; classification: class index. */
  y: Float32Array;
  rows: number;
  features: number;
}

/** Preprocessing fitted on the training rows: min-max scaling, one-hot, imputation, dropped columns. */
export interface Preprocessor {
  /** Names of the produced feature columns (e.g. 'tenure', 'contract=One year', 'total_charges__missing'). */
  readonly featureNames: string[];
  encode(rows: readonly number[]): Encoded;
  /** Back to the target's own units (regression; identity otherwise): RMSE is reported in those. */
  unscaleTarget(y: number): number;
  /** A JSON-able description (saved beside checkpoints; `preprocessorFromJSON` rebuilds it). */
  toJSON(): object;
  /** Columns dropped or changed when fitting (constant on the training rows, ...), for the user. */
  readonly notes?: string[];
}
