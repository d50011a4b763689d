// The small CSVs shipped in datasets/ (see datasets/README.md), by name, so that `--data churn` works.
import { existsSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
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

/** What a command's `--data` (with `--target`, `--task`) names: a built-in dataset or a CSV file of the user's. */
export interface DataSource {
  /** The built-in's name, or the file's name without its extension (used in tables and output folders). */
  name: string;
  file: string;
  target: string;
  /** undefined: inferred from the target. */
  task?: TaskKind;
  builtin: boolean;
}

/**
 * The file `--data` names: an existing file as it is, otherwise a built-in dataset's CSV. Errors start
 * with `command --data '...'`.
 */
export function dataFile(command: string, data: string, datasets: Readonly<Record<string, Pick<BuiltinDataset, 'file'>>> = builtinDatasets): { file: string; builtin: boolean } {
  if (Object.prototype.hasOwnProperty.call(datasets, data) && !existsSync(data)) return { file: datasets[data].file, builtin: true };
  if (!existsSync(data) || !statSync(data).isFile()) {
    throw new Error(`${command} --data '${data}': no such file, and not a built-in dataset (${Object.keys(datasets).join(', ')})`);
  }
  return { file: data, builtin: false };
}

/**
 * Resolves `--data`: an existing file is the user's CSV (then `--target` is required); otherwise a built-in
 * dataset's name. A built-in keeps its own target and task unless `--target`/`--task` say otherwise; with
 * another target the task is inferred. Errors start with `command --data '...'`.
 */
export function resolveDataSource(
  command: string,
  o: { data: string; target?: string; task?: TaskKind },
  datasets: Readonly<Record<string, Pick<BuiltinDataset, 'file' | 'target' | 'task'>>> = builtinDatasets,
): DataSource {
  const names = Object.keys(datasets).join(', ');
  const { file, builtin } = dataFile(command, o.data, datasets);
  if (builtin) {
    const own = datasets[o.data];
    const target = o.target ?? own.target;
    return { name: o.data, file, target, task: o.task ?? (target === own.target ? own.task : undefined), builtin: true };
  }
  if (!o.target) {
    throw new Error(`${command} --data '${o.data}': --target COLUMN is required for a CSV file (built-in datasets know theirs: ${names})`);
  }
  return { name: basename(o.data, extname(o.data)), file: o.data, target: o.target, task: o.task, builtin: false };
}
