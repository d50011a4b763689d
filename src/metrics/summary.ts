// Summaries of repeated runs and the tables built from them: mean, standard error, and the rows ×
// (dataset, metric) layout of the paper's Table 8. Data only; src/report/table.ts renders it (Markdown,
// CSV, JSON, text). It sits in metrics so that src/train, which builds the tables, needs no report code.

/** Mean and standard error (sample sd / √n) of some values; `se` and `sd` are null for fewer than 2. */
export interface Summary {
  mean: number;
  se: number | null;
  sd: number | null;
  n: number;
}

/** mean, sd (n − 1 in the denominator) and se = sd/√n. NaN values make the mean NaN (shown as "n/a"). */
export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { mean: NaN, se: null, sd: null, n: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, se: null, sd: null, n };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return { mean, se: sd / Math.sqrt(n), sd, n };
}

/** "0.828 (0.004)"; "0.828" when there is no standard error; "n/a" for a missing or non-finite mean. */
export function formatMeanSe(mean: number | null | undefined, se: number | null | undefined, digits = 3): string {
  if (mean === null || mean === undefined || !Number.isFinite(mean)) return 'n/a';
  const m = mean.toFixed(digits);
  return se === null || se === undefined || !Number.isFinite(se) ? m : `${m} (${se.toFixed(digits)})`;
}

export interface ResultColumn {
  /** Identifies the column in rows' `cells`. */
  key: string;
  dataset: string;
  /** 'auroc', 'rmse', 'accuracy', ... */
  metric: string;
  /** Marks the best mean in bold in Markdown when set. */
  higherIsBetter?: boolean;
}

export interface ResultRow {
  /** Method id ('htaf', 'htaf:alpha=8,beta=2.75'). */
  key: string;
  /** Row label ('DNN+HTAF'). */
  label: string;
  cells: Record<string, Summary | undefined>;
}

export interface ResultTable {
  title?: string;
  /** What the rows are, the first column's title (default 'Method'; 'Model' in the image tables). */
  rowHeader?: string;
  columns: ResultColumn[];
  rows: ResultRow[];
  /** Decimals of means and standard errors (default 3, as in Table 8). */
  digits?: number;
  /** Lines printed under the table (Markdown and text). */
  notes?: string[];
}

const METRIC_NAMES: Record<string, string> = { auroc: 'AUROC', rmse: 'RMSE', accuracy: 'Accuracy' };

/** How a metric is written in tables: 'auroc' → 'AUROC', 'rmse' → 'RMSE'; others as given. */
export function metricLabel(metric: string): string {
  return METRIC_NAMES[metric] ?? metric;
}

