// Preprocessing fitted on the training rows only (issue 4; docs/method.md §5: min-max scaling):
// - numeric columns: min-max scaled with the training range ((v − min)/(max − min); values outside
//   it, seen only in val/test, fall outside [0, 1] and are not clipped); missing values (empty,
//   NaN/inf/NA) imputed with the training median, and a `name__missing` 0/1 column added when the
//   training rows have any;
// - text columns: one-hot over the levels seen in the training rows (sorted; an empty field is its own
//   level, `name=(missing)`); a level not seen in training encodes as all zeros;
// - columns constant on the training rows are dropped, with a note;
// - the target: class index (classification), or min-max scaled with the training range (regression),
//   `unscaleTarget` mapping back to its units.
import type { Encoded, Preprocessor, RawTable, TabularDataset, TaskKind } from './tabular_types.js';
import { analyzeColumns, DEFAULT_MAX_LEVELS, sortLabels, TASK_KINDS } from './tabular.js';
import { showValue } from '../core/show.js';
import { isMissingToken, parseNumber, where } from './values.js';

export const PREPROCESSOR_FORMAT = 'htaf-tabular-preprocessor';
export const PREPROCESSOR_VERSION = 1;

export interface NumericColumnSpec {
  name: string;
  kind: 'numeric';
  /** Training range and median (of the non-missing training values). */
  min: number;
  max: number;
  median: number;
  /** Emits the scaled value (false when the training values are constant: only the indicator is kept). */
  scale: boolean;
  /** Emits `name__missing` (the training rows have missing values). */
  indicator: boolean;
}

export interface TextColumnSpec {
  name: string;
  kind: 'text';
  /** Training levels in feature order; '' is the missing level. */
  levels: string[];
}

export type ColumnSpec = NumericColumnSpec | TextColumnSpec;

/** `Preprocessor.toJSON()`'s shape. */
export interface PreprocessorJSON {
  format: typeof PREPROCESSOR_FORMAT;
  version: typeof PREPROCESSOR_VERSION;
  target: string;
  task: TaskKind;
  /** Class labels, index = class (classification); [] for regression. */
  classes: string[];
  /** Training range of a regression target; null otherwise. */
  targetRange: [number, number] | null;
  /** The kept feature columns in order (dropped ones are absent). */
  columns: ColumnSpec[];
  notes: string[];
}

export interface FitOptions {
  /** Cap on the training levels of a text column (default DEFAULT_MAX_LEVELS = 1000). */
  maxLevels?: number;
}

/** Feature name of a one-hot level. */
function levelName(column: string, level: string): string {
  return `${column}=${level === '' ? '(missing)' : level}`;
}

/** Levels in a fixed order: code units, the missing level ('') last. */
function sortLevels(levels: Iterable<string>): string[] {
  return [...levels].sort((a, b) => (a === b ? 0 : a === '' ? 1 : b === '' ? -1 : a < b ? -1 : 1));
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

function checkRows(rows: readonly number[], n: number, what: string): void {
  if (!Array.isArray(rows) && !ArrayBuffer.isView(rows)) throw new Error(`${what}: rows must be an array of row indices`);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!Number.isInteger(r) || r < 0 || r >= n) {
      throw new Error(`${what}: rows[${i}] = ${String(r)} is not a row index (0..${n - 1})`);
    }
  }
}

/** The preprocessing of one dataset; `fitPreprocessor` or `preprocessorFromJSON` make one. */
export class TabularPreprocessor implements Preprocessor {
  readonly featureNames: string[];
  readonly notes: string[];
  private readonly spec: PreprocessorJSON;
  private readonly table: RawTable | undefined;

  constructor(spec: PreprocessorJSON, table?: RawTable) {
    this.spec = structuredClone(spec);
    this.table = table;
    this.notes = [...spec.notes];
    this.featureNames = [];
    for (const c of spec.columns) {
      if (c.kind === 'numeric') {
        if (c.scale) this.featureNames.push(c.name);
        if (c.indicator) this.featureNames.push(`${c.name}__missing`);
      } else {
        for (const level of c.levels) this.featureNames.push(levelName(c.name, level));
      }
    }
  }

  get task(): TaskKind {
    return this.spec.task;
  }

  get target(): string {
    return this.spec.target;
  }

  get classes(): string[] {
    return [...this.spec.classes];
  }

  /** Encodes rows (indices into the dataset's table) of the dataset it was fitted on (or given to preprocessorFromJSON). */
  encode(rows: readonly number[]): Encoded {
    if (!this.table) {
      throw new Error('Preprocessor.encode: this preprocessor was rebuilt from JSON without a dataset; ' +
        'pass one to preprocessorFromJSON(json, data), or call encodeTable(table, rows)');
    }
    return this.encodeTable(this.table, rows);
  }

  /**
   * Encodes rows of any table with the fitted columns (found by name), e.g. a new CSV to predict on.
   * Without a target column, y is NaN. Throws, naming file, row and column, on text in a numeric
   * column, a missing column, a missing or unknown target value.
   */
  encodeTable(table: RawTable, rows?: readonly number[]): Encoded {
    const file = table.file;
    const ids = rows ?? table.rows.map((_, r) => r);
    checkRows(ids, table.rows.length, `encode(${file})`);
    const index = (name: string): number => {
      const c = table.header.indexOf(name);
      if (c < 0) throw new Error(`${where(file, undefined, name)}the column is not in the file (the preprocessor was fitted with it)`);
      return c;
    };
    const features = this.featureNames.length;
    const x = new Float32Array(ids.length * features);
    let offset = 0;
    for (const spec of this.spec.columns) {
      const c = index(spec.name);
      if (spec.kind === 'numeric') {
        const width = (spec.scale ? 1 : 0) + (spec.indicator ? 1 : 0);
        const range = spec.max - spec.min;
        for (let i = 0; i < ids.length; i++) {
          const field = table.rows[ids[i]][c];
          let v = parseNumber(field);
          const missing = v === undefined;
          if (missing && field !== '' && !isMissingToken(field)) {
            throw new Error(`${where(file, table.lineOf[ids[i]], spec.name)}${showValue(field)} is not a number (the column is numeric)`);
          }
          if (v === undefined) v = spec.median;
          const base = i * features + offset;
          if (spec.scale) x[base] = (v - spec.min) / range;
          if (spec.indicator) x[base + (spec.scale ? 1 : 0)] = missing ? 1 : 0;
        }
        offset += width;
      } else {
        const position = new Map(spec.levels.map((level, k) => [level, k]));
        for (let i = 0; i < ids.length; i++) {
          const k = position.get(table.rows[ids[i]][c]);
          if (k !== undefined) x[i * features + offset + k] = 1; // unseen level: all zeros
        }
        offset += spec.levels.length;
      }
    }
    const y = new Float32Array(ids.length);
    const t = table.header.indexOf(this.spec.target);
    if (t < 0) {
      y.fill(NaN);
    } else if (this.spec.task === 'regression') {
      const [min, max] = this.spec.targetRange!;
      for (let i = 0; i < ids.length; i++) {
        const field = table.rows[ids[i]][t];
        const v = parseNumber(field);
        if (v === undefined) throw new Error(`${where(file, table.lineOf[ids[i]], this.spec.target)}the target ${showValue(field)} is not a number`);
        y[i] = (v - min) / (max - min);
      }
    } else {
      const position = new Map(this.spec.classes.map((label, k) => [label, k]));
      for (let i = 0; i < ids.length; i++) {
        const field = table.rows[ids[i]][t];
        const k = position.get(field);
        if (k === undefined) {
          throw new Error(`${where(file, table.lineOf[ids[i]], this.spec.target)}the target ${showValue(field)} is not one of the classes ` +
            this.spec.classes.map((v) => showValue(v)).join(', '));
        }
        y[i] = k;
      }
    }
    return { x, y, rows: ids.length, features };
  }

  unscaleTarget(y: number): number {
    if (this.spec.task !== 'regression') return y;
    const [min, max] = this.spec.targetRange!;
    return min + y * (max - min);
  }

  toJSON(): PreprocessorJSON {
    return structuredClone(this.spec);
  }
}

/**
 * Fits the preprocessing on `trainRows` (indices into data.table.rows) only: scaling ranges, medians,
 * one-hot levels and the target's range come from those rows. Throws on an empty or invalid row list,
 * a text column with more than `maxLevels` training levels, a regression target constant on the
 * training rows, or no feature left.
 */
export function fitPreprocessor(data: TabularDataset, trainRows: readonly number[], options: FitOptions = {}): TabularPreprocessor {
  const table = data.table;
  const file = table.file;
  const what = `fitPreprocessor(${file})`;
  if (!TASK_KINDS.includes(data.task)) throw new Error(`${what}: unknown task ${JSON.stringify(data.task)}`);
  const maxLevels = options.maxLevels ?? DEFAULT_MAX_LEVELS;
  if (!Number.isInteger(maxLevels) || maxLevels < 2) throw new Error(`${what}: maxLevels must be an integer >= 2, got ${String(maxLevels)}`);
  checkRows(trainRows, table.rows.length, what);
  if (trainRows.length === 0) throw new Error(`${what}: no training rows`);
  const t = table.header.indexOf(data.target);
  if (t < 0) throw new Error(`${where(file, undefined, data.target)}the target column is not in the table`);

  const notes: string[] = [];
  const columns: ColumnSpec[] = [];
  const n = trainRows.length;
  for (const info of analyzeColumns(table)) {
    if (info.index === t) continue;
    const c = info.index;
    const constantEverywhere = info.distinct === 1; // loadTabular already warned about these
    if (info.kind === 'numeric') {
      const values: number[] = [];
      for (const r of trainRows) {
        const v = parseNumber(table.rows[r][c]);
        if (v !== undefined) values.push(v);
      }
      if (values.length === 0) {
        if (!constantEverywhere) notes.push(`${where(file, undefined, info.name)}no values in the ${n} training rows: dropped`);
        continue;
      }
      const sorted = Float64Array.from(values).sort();
      const min = sorted[0], max = sorted[sorted.length - 1];
      const scale = max > min;
      const indicator = values.length < n;
      if (!scale && !indicator) {
        if (!constantEverywhere) notes.push(`${where(file, undefined, info.name)}constant (${min}) on the ${n} training rows: dropped`);
        continue;
      }
      if (!scale) notes.push(`${where(file, undefined, info.name)}its values are constant (${min}) on the training rows: only '${info.name}__missing' is kept`);
      columns.push({ name: info.name, kind: 'numeric', min, max, median: median(sorted), scale, indicator });
    } else {
      const levels = new Set<string>();
      for (const r of trainRows) levels.add(table.rows[r][c]);
      if (levels.size > maxLevels) {
        throw new Error(`${where(file, undefined, info.name)}the text column has ${levels.size} distinct values on the training rows, more than the cap of ` +
          `${maxLevels} levels for one-hot encoding; raise it with the maxLevels option (--max-levels on the command line), or drop the column`);
      }
      if (levels.size === 1) {
        if (!constantEverywhere) {
          notes.push(`${where(file, undefined, info.name)}one level (${showValue([...levels][0])}) on the ${n} training rows: dropped ` +
            '(other levels would be unseen in training)');
        }
        continue;
      }
      columns.push({ name: info.name, kind: 'text', levels: sortLevels(levels) });
    }
  }
  if (columns.length === 0) throw new Error(`${file}: no feature left: every column besides the target is constant (or empty) on the training rows`);

  let classes: string[] = [];
  let targetRange: [number, number] | null = null;
  if (data.task === 'regression') {
    let min = Infinity, max = -Infinity;
    for (const r of trainRows) {
      const field = table.rows[r][t];
      const v = parseNumber(field);
      if (v === undefined) throw new Error(`${where(file, table.lineOf[r], data.target)}the regression target ${showValue(field)} is not a number`);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (!(max > min)) throw new Error(`${where(file, undefined, data.target)}the target is constant (${min}) on the ${n} training rows: it cannot be scaled`);
    targetRange = [min, max];
  } else {
    classes = data.classes.length ? [...data.classes] : sortLabels(new Set(table.rows.map((row) => row[t])));
    const seen = new Set<string>();
    for (const r of trainRows) seen.add(table.rows[r][t]);
    const absent = classes.filter((label) => !seen.has(label));
    if (absent.length) notes.push(`${where(file, undefined, data.target)}class${absent.length > 1 ? 'es' : ''} ${absent.map((v) => showValue(v)).join(', ')} absent from the training rows`);
  }
  const spec: PreprocessorJSON = {
    format: PREPROCESSOR_FORMAT, version: PREPROCESSOR_VERSION,
    target: data.target, task: data.task, classes, targetRange, columns, notes,
  };
  return new TabularPreprocessor(spec, table);
}

function fail(msg: string): never {
  throw new Error(`preprocessorFromJSON: ${msg}`);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/**
 * Rebuilds a preprocessor from `toJSON()`'s output (checked field by field). With `data`, `encode(rows)`
 * encodes that dataset's rows; without it, use `encodeTable(table, rows)`.
 */
export function preprocessorFromJSON(json: object, data?: TabularDataset): TabularPreprocessor {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('expected an object (Preprocessor.toJSON() output)');
  const j = json as Record<string, unknown>;
  if (j.format !== PREPROCESSOR_FORMAT) fail(`format must be ${JSON.stringify(PREPROCESSOR_FORMAT)}, got ${JSON.stringify(j.format)}`);
  if (j.version !== PREPROCESSOR_VERSION) fail(`version ${JSON.stringify(j.version)} is not supported (this htaf reads version ${PREPROCESSOR_VERSION})`);
  if (typeof j.target !== 'string' || j.target === '') fail('target must be a non-empty string');
  if (!TASK_KINDS.includes(j.task as TaskKind)) fail(`task must be one of ${TASK_KINDS.join(', ')}, got ${JSON.stringify(j.task)}`);
  const task = j.task as TaskKind;
  if (!isStringArray(j.classes)) fail('classes must be an array of strings');
  if (task !== 'regression' && j.classes.length < 2) fail(`a ${task} preprocessor needs at least two classes`);
  if (new Set(j.classes).size !== j.classes.length) fail('classes must be distinct');
  let targetRange: [number, number] | null = null;
  if (task === 'regression') {
    const r = j.targetRange;
    if (!Array.isArray(r) || r.length !== 2 || !isFiniteNumber(r[0]) || !isFiniteNumber(r[1]) || !(r[1] > r[0])) {
      fail('targetRange must be [min, max] with finite min < max for a regression preprocessor');
    }
    targetRange = [r[0], r[1]];
  }
  if (!Array.isArray(j.columns) || j.columns.length === 0) fail('columns must be a non-empty array');
  const names = new Set<string>();
  const columns: ColumnSpec[] = j.columns.map((raw: unknown, i: number): ColumnSpec => {
    const at = `columns[${i}]`;
    if (raw === null || typeof raw !== 'object') fail(`${at} must be an object`);
    const c = raw as Record<string, unknown>;
    if (typeof c.name !== 'string' || c.name === '') fail(`${at}.name must be a non-empty string`);
    if (c.name === j.target) fail(`${at}.name is the target '${c.name}'`);
    if (names.has(c.name)) fail(`${at}.name '${c.name}' appears twice`);
    names.add(c.name);
    if (c.kind === 'numeric') {
      for (const k of ['min', 'max', 'median'] as const) if (!isFiniteNumber(c[k])) fail(`${at}.${k} must be a finite number`);
      const [min, max, med] = [c.min as number, c.max as number, c.median as number];
      if (!(min <= med && med <= max)) fail(`${at}: needs min <= median <= max`);
      if (typeof c.scale !== 'boolean' || typeof c.indicator !== 'boolean') fail(`${at}.scale and .indicator must be booleans`);
      if (c.scale && !(max > min)) fail(`${at}: a scaled column needs min < max`);
      if (!c.scale && !c.indicator) fail(`${at}: emits nothing (scale and indicator both false)`);
      return { name: c.name, kind: 'numeric', min, max, median: med, scale: c.scale, indicator: c.indicator };
    }
    if (c.kind === 'text') {
      if (!isStringArray(c.levels) || c.levels.length === 0) fail(`${at}.levels must be a non-empty array of strings`);
      if (new Set(c.levels).size !== c.levels.length) fail(`${at}.levels must be distinct`);
      return { name: c.name, kind: 'text', levels: [...c.levels] };
    }
    fail(`${at}.kind must be 'numeric' or 'text', got ${JSON.stringify(c.kind)}`);
  });
  const notes = j.notes === undefined ? [] : isStringArray(j.notes) ? [...j.notes] : fail('notes must be an array of strings');
  const spec: PreprocessorJSON = {
    format: PREPROCESSOR_FORMAT, version: PREPROCESSOR_VERSION,
    target: j.target, task, classes: task === 'regression' ? [] : [...j.classes], targetRange, columns, notes,
  };
  if (data) {
    if (data.target !== spec.target) fail(`the dataset's target is '${data.target}', the preprocessor's '${spec.target}'`);
    for (const c of columns) {
      if (!data.table.header.includes(c.name)) fail(`${data.table.file} has no column '${c.name}'`);
    }
  }
  return new TabularPreprocessor(spec, data?.table);
}
