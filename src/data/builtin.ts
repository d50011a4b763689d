// The small CSVs shipped in datasets/ (see datasets/README.md), by name, so that `--data churn` works.
import { join } from 'node:path';
import { loadTabular, type LoadTabularOptions } from './tabular.js';
import type { TabularDataset, TaskKind } from './tabular_types.js';
import { packageRoot } from '../core/package_root.js';

export interface BuiltinDataset {
  name: string;
  /** Absolute path of the CSV in the installed package. */
  file: string;
  target: string;
  task: TaskKind;
  /** Data rows and columns (the target included). */
  rows: number;
  columns: number;
  /** The paper's dataset (Table 8) it stands in for. */
  standsFor: string;
  /** Where it comes from (R package::object) and its licence. */
  source: string;
  licence: string;
}

const root = packageRoot();

function entry(name: string, target: string, task: TaskKind, rows: number, columns: number, standsFor: string, source: string, licence: string): BuiltinDataset {
  return Object.freeze({ name, file: join(root, 'datasets', `${name}.csv`), target, task, rows, columns, standsFor, source, licence });
}

/** Built-in datasets by name: churn and credit (binary), concrete and boston (regression). */
export const builtinDatasets: Readonly<Record<string, BuiltinDataset>> = Object.freeze({
  churn: entry('churn', 'churn', 'binary', 7043, 20, 'Churn (Table 8)', 'modeldata::wa_churn (IBM Watson Telco customer churn)', 'MIT'),
  credit: entry('credit', 'Status', 'binary', 4454, 14, 'FICO (Table 8)', 'modeldata::credit_data', 'MIT'),
  concrete: entry('concrete', 'compressive_strength', 'regression', 1030, 9, 'Wine (Table 8)', 'modeldata::concrete', 'MIT'),
  boston: entry('boston', 'medv', 'regression', 506, 14, 'Abalone (Table 8)', 'mlbench::BostonHousing', 'GPL-2'),
});

/** The names of the built-in datasets. */
export function builtinNames(): string[] {
  return Object.keys(builtinDatasets);
}

/** Loads a built-in dataset by name with its target and task (options may override task and maxLevels). */
export function loadBuiltin(name: string, options: Partial<Pick<LoadTabularOptions, 'task' | 'maxLevels'>> = {}): TabularDataset {
  const d = Object.prototype.hasOwnProperty.call(builtinDatasets, name) ? builtinDatasets[name] : undefined;
  if (!d) throw new Error(`unknown built-in dataset '${name}'; the built-in datasets are ${builtinNames().join(', ')}`);
  return loadTabular(d.file, { target: d.target, task: options.task ?? d.task, ...(options.maxLevels !== undefined ? { maxLevels: options.maxLevels } : {}) });
}
