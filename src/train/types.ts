// The contract of the tabular training pieces (issue 4): one training run and what it reports.
import type { TaskKind } from '../data/tabular_types.js';

export type OptimizerName = 'adam' | 'sgd';

/** Everything that defines one training run; JSON-able, so runs can be logged, compared and resumed. */
export interface RunConfig {
  task: TaskKind;
  /** Activation spec of the hidden layers (src/activations registry), e.g. 'htaf:alpha=2,beta=11', 'relu'. */
  method: string;
  hidden: number[];
  epochs: number;
  lr: number;
  optimizer: OptimizerName;
  batch: number;
  seed: number;
  /** Stop when the validation metric has not improved for this many epochs (0 = never). */
  patience: number;
}

/** Metrics of one evaluation; higher is better for auroc/accuracy, lower for rmse. */
export interface Metrics {
  /** 'auroc' (binary), 'accuracy' + 'auroc' (multiclass, macro one-vs-rest), 'rmse' (regression, target units). */
  [name: string]: number;
}

export interface RunResult {
  config: RunConfig;
  /** The epoch whose weights were kept (best validation metric). */
  bestEpoch: number;
  epochsRun: number;
  /** Metrics with exact steps (the default for reporting) and with smooth steps. */
  val: { exact: Metrics; smooth: Metrics };
  test: { exact: Metrics; smooth: Metrics };
  /** Share of hidden activations > 0.99 or < 0.01 with smooth steps on the test rows (docs/method.md §4). */
  binarity: number;
  seconds: number;
  /** Set when the run stopped on a NaN/Inf loss (the best checkpoint is kept). */
  stoppedOnNaN?: { epoch: number };
}
