// A CSV as a supervised learning problem (issue 4): the target column found, its task detected (or
// given), rows without a target dropped, each feature column typed numeric or text, and what the user
// should know said in `warnings`. Statistics (scaling ranges, medians, one-hot levels) are not computed
// here: `fitPreprocessor` fits them on the training rows only.
import { readCsv, type CsvOptions } from './csv.js';
import type { RawTable, TabularDataset, TaskKind } from './tabular_types.js';
import { showValue } from '../core/show.js';
import { isMissingToken, parseNumber, where } from './values.js';

/** Default cap on the distinct values of one text column (its one-hot width); raise with `maxLevels`. */
export const DEFAULT_MAX_LEVELS = 1000;
/**
 * A non-numeric target with 3..20 levels is detected as multiclass. One with more levels is detected as
 * multiclass too when it has many rows per level (MULTICLASS_MIN_ROWS_PER_LEVEL) and its levels read as
 * labels, not free text; otherwise it is refused as plausibly an ID or free text (`task: 'multiclass'`
 * overrides).
 */
export const MULTICLASS_MAX_LEVELS = 20;
/** A target with more than MULTICLASS_MAX_LEVELS levels is detected as multiclass only with a median of at least this many rows per level. */
export const MULTICLASS_MIN_ROWS_PER_LEVEL = 5;
/** A level of this many words or more reads as free text, not a class label (e.g. 'Iris-setosa' and 'not recom' are labels). */
export const FREE_TEXT_MIN_WORDS = 4;
/** The ID-like warning (a text column with all values distinct) needs at least this many rows. */
export const ID_LIKE_MIN_ROWS = 10;

export const TASK_KINDS: readonly TaskKind[] = ['binary', 'multiclass', 'regression'];

export interface LoadTabularOptions extends CsvOptions {
  /** The column to predict (its header name; `column3` in a file without a header). */
  target: string;
  /** Overrides the detected task. */
  task?: TaskKind;
  /** Cap on the levels of a text column (default DEFAULT_MAX_LEVELS = 1000); also caps multiclass classes. */
  maxLevels?: number;
}

/** What one column holds over all rows (typing is a property of the file, not a fitted statistic). */
export interface ColumnInfo {
  name: string;
  /** Index in table.header. */
  index: number;
  /** numeric: every non-empty field is a number or a NaN/inf/NA token (at least one number); text otherwise. */
  kind: 'numeric' | 'text';
  /** Empty fields. */
  empty: number;
  /** Fields that read as finite numbers. */
  numbers: number;
  /** NaN/inf/NA-like tokens (missing values in a numeric column, levels in a text one). */
  tokens: number;
  /** Other fields (text). */
  texts: number;
  /** Distinct field values, '' included. */
  distinct: number;
  /** The first token's and the first text's row index (0-based over table.rows), if any. */
  firstToken?: number;
  firstText?: number;
}

/** Types every column of a table over all its rows. */
export function analyzeColumns(table: RawTable): ColumnInfo[] {
  return table.header.map((name, index) => analyzeColumn(table, index, name));
}

function analyzeColumn(table: RawTable, index: number, name: string): ColumnInfo {
  let empty = 0, numbers = 0, tokens = 0, texts = 0;
  let firstToken: number | undefined, firstText: number | undefined;
  const values = new Set<string>();
  table.rows.forEach((row, r) => {
    const v = row[index];
    values.add(v);
    if (v === '') empty++;
    else if (parseNumber(v) !== undefined) numbers++;
    else if (isMissingToken(v)) {
      tokens++;
      firstToken ??= r;
    } else {
      texts++;
      firstText ??= r;
    }
  });
  const kind = texts === 0 && numbers > 0 ? 'numeric' : 'text';
  const info: ColumnInfo = { name, index, kind, empty, numbers, tokens, texts, distinct: values.size };
  if (firstToken !== undefined) info.firstToken = firstToken;
  if (firstText !== undefined) info.firstText = firstText;
  return info;
}

/** Whether a target field is missing: empty, or a NaN/inf/NA token in a numeric target. */
function targetMissing(field: string, numeric: boolean): boolean {
  return field === '' || (numeric && isMissingToken(field));
}

function checkMaxLevels(maxLevels: unknown, what: string): number {
  if (maxLevels === undefined) return DEFAULT_MAX_LEVELS;
  if (typeof maxLevels !== 'number' || !Number.isInteger(maxLevels) || maxLevels < 2) {
    throw new Error(`${what}: maxLevels must be an integer >= 2, got ${String(maxLevels)}`);
  }
  return maxLevels;
}

/** Sorted class labels: numerically when all are numbers, else by code units (fixed, locale-free). */
export function sortLabels(labels: Iterable<string>): string[] {
  const all = [...labels];
  if (all.every((v) => parseNumber(v) !== undefined)) return all.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  return all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function levelList(levels: readonly string[], max = 5): string {
  const shown = levels.slice(0, max).map((v) => showValue(v)).join(', ');
  return levels.length > max ? `${shown}, ... (${levels.length} in all)` : shown;
}

function tooManyClasses(file: string, target: string, levels: number, maxLevels: number): Error {
  return new Error(`${where(file, undefined, target)}the target has ${levels} levels, more than the cap of ${maxLevels} classes; ` +
    'raise it with the maxLevels option (--max-levels on the command line)');
}

/** The words of a field (runs of non-space characters). */
function wordCount(v: string): number {
  return v.split(/\s+/).filter((w) => w !== '').length;
}

/**
 * Why a text target with more than MULTICLASS_MAX_LEVELS levels is not taken as classes (undefined: it
 * is): too few rows per level (an ID, a name), levels that read as free text, or more levels than the cap.
 */
function manyLevelsRefusal(values: readonly string[], levels: readonly string[], maxLevels: number): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const sorted = [...counts.values()].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  if (median < MULTICLASS_MIN_ROWS_PER_LEVEL) {
    const idLike = levels.length === values.length ? 'every row has its own value' : `a median of ${median} row${median === 1 ? '' : 's'} per level`;
    return `${idLike} in ${values.length} rows (detected classes need a median of at least ${MULTICLASS_MIN_ROWS_PER_LEVEL}): ` +
      'it looks like an ID or a name, not a class';
  }
  const prose = levels.filter((v) => wordCount(v) >= FREE_TEXT_MIN_WORDS);
  if (prose.length * 2 > levels.length) {
    return `${prose.length} of them have ${FREE_TEXT_MIN_WORDS} words or more (e.g. ${showValue(prose[0])}): it looks like free text, not a class`;
  }
  return undefined;
}

/**
 * Loads a CSV for supervised learning. The task is detected from the target unless `task` is given:
 * two distinct values → binary (also 0/1 or 1/2 numbers); otherwise all numbers → regression (even few
 * distinct integers, like wine quality 3..9: pass task 'multiclass' to classify); otherwise 3..20
 * levels → multiclass, and more levels → multiclass when they have a median of at least
 * MULTICLASS_MIN_ROWS_PER_LEVEL rows each and read as labels (26 letters over 20,000 rows); a target
 * with about one row per level (an ID, a name) or with free text is refused, saying which. Rows with an empty target (or NaN/inf/NA in a numeric one) are dropped with a
 * warning. Throws, naming the file (row and column where one applies), on: an empty file, a header
 * without rows, a ragged row, an absent target, a target with one level, a text column with more than
 * `maxLevels` distinct values, or a target that does not fit the requested task.
 */
export function loadTabular(file: string, options: LoadTabularOptions): TabularDataset {
  if (!options || typeof options.target !== 'string' || options.target === '') {
    throw new Error(`loadTabular(${file}): options.target (the name of the column to predict) is required`);
  }
  if (options.task !== undefined && !TASK_KINDS.includes(options.task)) {
    throw new Error(`loadTabular(${file}): task must be one of ${TASK_KINDS.join(', ')}, got ${JSON.stringify(options.task)}`);
  }
  const maxLevels = checkMaxLevels(options.maxLevels, `loadTabular(${file})`);
  const csvOptions: CsvOptions = {};
  if (options.delimiter !== undefined) csvOptions.delimiter = options.delimiter;
  if (options.header !== undefined) csvOptions.header = options.header;
  return tabularFromTable(readCsv(file, csvOptions), { ...options, maxLevels });
}

/** `loadTabular` on a table already read (`readCsv`/`parseCsv`). */
export function tabularFromTable(table: RawTable, options: LoadTabularOptions): TabularDataset {
  const file = table.file;
  const maxLevels = checkMaxLevels(options.maxLevels, `loadTabular(${file})`);
  const { target } = options;
  if (table.rows.length === 0) {
    throw new Error(`${file}: no data rows: the file has only a header line`);
  }
  const t = table.header.indexOf(target);
  if (t < 0) {
    const near = table.header.find((h) => h.trim().toLowerCase() === target.trim().toLowerCase());
    throw new Error(`${where(file, undefined, target)}the target column is not in the file` +
      (near !== undefined ? ` (did you mean '${near}'?)` : '') +
      `; its columns are ${table.header.map((h) => `'${h}'`).join(', ')}` +
      (table.hasHeader === false ? ' (no header line was found, so columns are named by position)' : ''));
  }
  if (table.header.length < 2) {
    throw new Error(`${where(file, undefined, target)}the file has no columns besides the target`);
  }
  const warnings: string[] = [...(table.warnings ?? [])];

  // The target: drop rows without one, then detect (or check) the task.
  const targetInfo = analyzeColumn(table, t, target);
  const numericTarget = targetInfo.texts === 0 && targetInfo.numbers > 0;
  const keep: number[] = [];
  const dropped: number[] = [];
  table.rows.forEach((row, r) => (targetMissing(row[t], numericTarget) ? dropped : keep).push(r));
  if (keep.length === 0) {
    throw new Error(`${where(file, undefined, target)}the target is missing (empty${numericTarget ? ' or NaN/inf' : ''}) in every row`);
  }
  let kept = table;
  if (dropped.length) {
    kept = { ...table, rows: keep.map((r) => table.rows[r]), lineOf: keep.map((r) => table.lineOf[r]) };
    warnings.push(`${where(file, table.lineOf[dropped[0]], target)}${dropped.length} row${dropped.length > 1 ? 's have' : ' has'} no target value ` +
      `(empty${numericTarget ? ', NaN, inf or NA' : ''}; the first is row ${table.lineOf[dropped[0]]}): dropped, ${keep.length} rows remain`);
  }
  const labels = new Set<string>();
  for (const row of kept.rows) labels.add(row[t]);
  const levels = sortLabels(labels);
  const firstText = (): { row: number; value: string } | undefined => {
    const r = kept.rows.findIndex((row) => parseNumber(row[t]) === undefined);
    return r < 0 ? undefined : { row: kept.lineOf[r], value: kept.rows[r][t] };
  };
  if (levels.length === 1) {
    throw new Error(`${where(file, undefined, target)}the target has one level (${showValue(levels[0])}) in all ${kept.rows.length} rows: nothing to learn`);
  }
  let task: TaskKind;
  if (options.task === undefined) {
    if (levels.length === 2) task = 'binary';
    else if (numericTarget) task = 'regression';
    else if (levels.length <= MULTICLASS_MAX_LEVELS) task = 'multiclass';
    else {
      const text = firstText()!;
      if (targetInfo.numbers > targetInfo.texts) {
        throw new Error(`${where(file, text.row, target)}the target holds numbers but also ${showValue(text.value)} (${targetInfo.texts} non-numbers in all): ` +
          'fix these fields, or empty them (rows with an empty target are dropped)');
      }
      const refusal = manyLevelsRefusal(kept.rows.map((row) => row[t]), levels, maxLevels);
      if (refusal !== undefined) {
        throw new Error(`${where(file, undefined, target)}the target has ${levels.length} levels (${levelList(levels)}), more than ${MULTICLASS_MAX_LEVELS} ` +
          `for an automatically detected multiclass task, and ${refusal}; pass task 'multiclass' (--task multiclass) if it is one`);
      }
      if (levels.length > maxLevels) throw tooManyClasses(file, target, levels.length, maxLevels);
      task = 'multiclass';
    }
  } else {
    task = options.task;
    if (task === 'regression' && !numericTarget) {
      const text = firstText()!;
      throw new Error(`${where(file, text.row, target)}task 'regression' needs a numeric target, but this row has ${showValue(text.value)}`);
    }
    if (task === 'binary' && levels.length !== 2) {
      throw new Error(`${where(file, undefined, target)}task 'binary' needs a target with two levels; it has ${levels.length} (${levelList(levels)})`);
    }
    if (task === 'multiclass' && levels.length > maxLevels) throw tooManyClasses(file, target, levels.length, maxLevels);
  }
  const classes = task === 'regression' ? [] : levels;

  // The features: types, and what the user should know about them.
  const features = analyzeColumns(kept).filter((c) => c.index !== t);
  for (const c of features) {
    const rows = kept.rows.length;
    if (c.kind === 'numeric' && c.tokens > 0) {
      const seen = [...new Set(kept.rows.filter((row) => row[c.index] !== '' && parseNumber(row[c.index]) === undefined).map((row) => row[c.index]))];
      warnings.push(`${where(file, kept.lineOf[c.firstToken!], c.name)}${c.tokens} value${c.tokens > 1 ? 's' : ''} ${levelList(seen, 3)} ` +
        `(the first in this row) read as missing values, not numbers: imputed with the training median, ` +
        `flagged in '${c.name}__missing'`);
    }
    if (c.kind === 'text' && c.numbers > 0 && c.texts > 0) {
      const v = kept.rows[c.firstText!][c.index];
      const decimalComma = /^[+-]?\d+,\d+$/.test(v) ? ' (decimal commas? write numbers with a decimal point)' : '';
      warnings.push(`${where(file, kept.lineOf[c.firstText!], c.name)}${showValue(v)} among numbers${decimalComma}: the column is treated as text ` +
        `(one-hot): ${c.texts + c.tokens} of its ${rows - c.empty} values are not numbers; if they mark missing values, empty those fields`);
    }
    if (c.kind === 'text' && c.distinct > maxLevels) {
      const seen = new Set<string>();
      let passRow = 0;
      for (let r = 0; r < rows; r++) {
        seen.add(kept.rows[r][c.index]);
        if (seen.size > maxLevels) {
          passRow = kept.lineOf[r];
          break;
        }
      }
      const idLike = c.distinct === rows ? ' Every value is different: an ID column? Drop it from the CSV.' : '';
      throw new Error(`${where(file, passRow, c.name)}the text column has ${c.distinct} distinct values (distinct value number ${maxLevels + 1} is in this row), ` +
        `more than the cap of ${maxLevels} levels for one-hot encoding; raise it with the maxLevels option ` +
        `(--max-levels on the command line), or drop the column.${idLike}`);
    }
    if (c.distinct === 1) {
      warnings.push(`${where(file, undefined, c.name)}the same value ${showValue(kept.rows[0][c.index])} in every row: the column is constant and dropped`);
    } else if (c.kind === 'text' && c.numbers === 0 && c.empty === 0 && rows >= ID_LIKE_MIN_ROWS && c.distinct === rows) {
      warnings.push(`${where(file, undefined, c.name)}every value is different (${rows} distinct texts, e.g. ${showValue(kept.rows[0][c.index])}): ` +
        'this looks like an ID column; it tells nothing about new rows (their levels are unseen in training, encoded as zeros); drop it from the CSV');
    }
  }
  return { table: kept, target, task, classes, warnings };
}
