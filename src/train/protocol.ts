// The paper's tabular protocol (SPEC §5, Table 8), behind `htaf compare`:
//
//   for each split s (random 70/10/20, seeded by splitSeed(seed, s)):
//     fit the preprocessing on the training rows only; encode train/val/test
//     for each method, for each point of its grid (activation spec × optimizer × lr):
//       train one run (early stopping on the validation metric)             ← one "run"
//     per method: keep the point with the best validation metric (exact steps),
//                 record its test metric (exact steps)
//   per method: mean and standard error (sd/√n) over the splits
//
// Every finished run is appended to DIR/runs.jsonl (one JSON line, fsynced) right away, so a killed
// comparison restarted with `resume` redoes no finished run; a half-written last line (killed mid-write)
// is dropped. The journal's first line names the command (data hash, target, task, methods and their
// expanded grids, model, epochs, patience, seed); a journal of another command is refused. The number of
// splits is not part of it: resuming with more splits extends a comparison. At the end DIR/results.json,
// results.md and results.csv are written atomically. A run's result depends only on its configuration
// (seeded), so the same command gives the same table, resumed or not.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { builtinDatasets, fitPreprocessor, loadTabular, randomSplit, resolveDataSource } from '../data/index.js';
import type { Encoded, Preprocessor, Split, TabularDataset, TaskKind } from '../data/tabular_types.js';
import { metricLabel, summarize, tableToCSV, tableToJSON, tableToMarkdown, tableToText, writeTextAtomic, type ResultTable } from '../report/table.js';
import { planMethods, runsPerSplit, type Grid, type GridPoint, type MethodPlan } from './grid.js';
import { primaryMetric, trainRun } from './trainer.js';
import type { Metrics, RunConfig, RunResult } from './types.js';
import { appendJsonLine, readJsonLines } from './json_file.js';

/** The pieces of other modules the protocol uses; tests may replace them (a counting trainRun, ...). */
export interface ProtocolDeps {
  loadTabular(file: string, options: { target: string; task?: TaskKind }): TabularDataset;
  randomSplit(n: number, seed: number, fractions?: [number, number, number]): Split;
  fitPreprocessor(data: TabularDataset, trainRows: readonly number[]): Preprocessor;
  trainRun(
    config: RunConfig,
    data: { train: Encoded; val: Encoded; test: Encoded; preprocessor: Preprocessor; classes: number },
    options?: { onEpoch?: (e: { epoch: number; epochs: number; trainLoss: number; val: Metrics }) => void },
  ): RunResult;
  primaryMetric(task: TaskKind): { name: string; higherIsBetter: boolean };
  builtinDatasets: Readonly<Record<string, { file: string; target: string; task: TaskKind }>>;
}

/** The real pieces: src/data's loading, splits and preprocessing, and trainRun. */
export function defaultProtocolDeps(): ProtocolDeps {
  return { loadTabular, randomSplit, fitPreprocessor, trainRun, primaryMetric, builtinDatasets };
}

export const SPLIT_FRACTIONS: [number, number, number] = [0.7, 0.1, 0.2];
export const JOURNAL_FILE = 'runs.jsonl';
const JOURNAL_FORMAT = 'htaf-compare-journal';
const RESULTS_FORMAT = 'htaf-compare-results';

export interface CompareOptions {
  /** A CSV file, or a built-in dataset name (churn, credit, concrete, boston). */
  data: string;
  /** Target column; a built-in dataset has its own (this replaces it). */
  target?: string;
  task?: TaskKind;
  /** Families (relu, htaf, ss, ste) and/or full activation specs. */
  methods: string[];
  splits: number;
  grid: Grid;
  /** Replaces grid.epochs. */
  epochs?: number;
  seed: number;
  outDir: string;
  /** Continue DIR/runs.jsonl; without it an existing journal is an error. */
  resume?: boolean;
  onEvent?: (e: CompareEvent) => void;
}

/** One journal line: a finished training run and where it sits in the protocol. */
export interface RunRecord extends RunResult {
  key: string;
  split: number;
  method: string;
  spec: string;
  optimizer: string;
  lr: number;
}

export type CompareEvent =
  | { kind: 'start'; total: number; done: number; journal: string; dataset: string; rows: number; task: TaskKind; metric: string; methods: MethodPlan[]; splits: number; epochs: number; warnings: string[] }
  | { kind: 'split'; split: number; splits: number; seed: number; rows: { train: number; val: number; test: number }; features: number }
  | { kind: 'run-start'; done: number; total: number; split: number; method: string; point: GridPoint; epochs: number }
  | { kind: 'epoch'; epoch: number; epochs: number; trainLoss: number; val: Metrics }
  | { kind: 'run-end'; done: number; total: number; record: RunRecord; metric: string }
  | { kind: 'done'; results: CompareResults; files: CompareFiles };

export interface CompareFiles {
  journal: string;
  json: string;
  markdown: string;
  csv: string;
}

export interface MethodResult {
  label: string;
  family: string;
  metric: string;
  /** null where the mean or the standard error is undefined (NaN metrics, a single split). */
  mean: number | null;
  se: number | null;
  sd: number | null;
  n: number;
  /** Per split: the point chosen on validation and its metrics (exact steps). */
  splits: { split: number; seed: number; spec: string; optimizer: string; lr: number; val: number | null; test: number | null; bestEpoch: number }[];
  /** Every run of the method (each split × grid point) with its settings; `chosen` marks the selected ones. */
  runs: (RunRecord & { chosen: boolean })[];
}

export interface CompareResults {
  format: string;
  version: 1;
  dataset: { name: string; file: string; target: string; task: TaskKind; rows: number; sha256: string };
  protocol: {
    splits: number;
    fractions: [number, number, number];
    seed: number;
    splitSeeds: number[];
    selection: string;
    hidden: number[];
    batch: number;
    epochs: number;
    patience: number;
  };
  metric: string;
  higherIsBetter: boolean;
  grid: Grid;
  methods: Record<string, MethodResult>;
  /** The table as printed (Markdown also in results.md). */
  table: object;
  /** Sum of the runs' training seconds (journal included). */
  trainingSeconds: number;
}

/** The seed of split s: a 31-bit hash of (seed, s), so that seeds and splits never share a stream. */
export function splitSeed(seed: number, split: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((Math.floor(seed / 4294967296) + 0x632be59b) >>> 0, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35) ^ Math.imul(split + 1, 0x165667b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 1;
}

function runKey(split: number, method: string, p: GridPoint): string {
  return `${split}|${method}|${p.spec}|${p.optimizer}|${p.lr}`;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

// ---- journal --------------------------------------------------------------------------------------------

interface JournalHeader {
  format: string;
  version: 1;
  hash: string;
  identity: Record<string, unknown>;
}

/**
 * Reads a journal: the header and the complete run lines. A last line without its newline (the process
 * was killed while writing it) is cut off the file. Any other unreadable line is an error naming it.
 */
export function readJournal(path: string): { header: JournalHeader | null; records: RunRecord[] } {
  const lines = readJsonLines(path, 'compare');
  if (lines.length === 0) return { header: null, records: [] };
  const header = lines[0];
  if (header?.format !== JOURNAL_FORMAT || typeof header.hash !== 'string') {
    throw new Error(`compare: ${path} is not a compare journal (its first line is not a ${JOURNAL_FORMAT} header)`);
  }
  const records = lines.slice(1).map((r, i) => {
    if (typeof r?.key !== 'string' || typeof r?.split !== 'number' || typeof r?.test !== 'object') {
      throw new Error(`compare: ${path} line ${i + 2} is not a run record`);
    }
    return r as RunRecord;
  });
  return { header, records };
}


function differences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

// ---- the protocol -----------------------------------------------------------------------------------------

function metricOf(m: Metrics | undefined, name: string): number {
  const v = m?.[name];
  return typeof v === 'number' ? v : NaN;
}

function better(a: number, b: number, higherIsBetter: boolean): boolean {
  if (Number.isNaN(b)) return !Number.isNaN(a);
  if (Number.isNaN(a)) return false;
  return higherIsBetter ? a > b : a < b;
}

const finiteOrNull = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);

/** Runs (or resumes) the protocol; returns the results also written to DIR/results.{json,md,csv}. */
export function runCompare(o: CompareOptions, deps: ProtocolDeps = defaultProtocolDeps()): { results: CompareResults; markdown: string; text: string; files: CompareFiles } {
  if (!Number.isInteger(o.splits) || o.splits < 1) throw new Error(`compare: splits must be an integer >= 1, got ${o.splits}`);
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new Error(`compare: seed must be an integer >= 0, got ${o.seed}`);
  if (o.epochs !== undefined && (!Number.isInteger(o.epochs) || o.epochs < 1)) throw new Error(`compare: epochs must be an integer >= 1, got ${o.epochs}`);
  const emit = o.onEvent ?? (() => {});
  const plans = planMethods(o.methods, o.grid);
  const epochs = o.epochs ?? o.grid.epochs;
  const source = resolveDataSource('htaf compare', o, deps.builtinDatasets);
  const bytes = readFileSync(source.file);
  const data = deps.loadTabular(source.file, { target: source.target, ...(source.task ? { task: source.task } : {}) });
  const task = data.task;
  const rows = data.table.rows.length;
  const { name: metric, higherIsBetter } = deps.primaryMetric(task);

  // The command's identity: what decides every run's result.
  const identity: Record<string, unknown> = {
    data: sha256(bytes),
    target: source.target,
    task,
    methods: plans.map((p) => ({ name: p.name, points: p.points })),
    hidden: o.grid.hidden,
    batch: o.grid.batch,
    epochs,
    patience: o.grid.patience,
    seed: o.seed,
    fractions: SPLIT_FRACTIONS,
  };
  const hash = sha256(JSON.stringify(identity));

  mkdirSync(o.outDir, { recursive: true });
  const journal = join(o.outDir, JOURNAL_FILE);
  const done = new Map<string, RunRecord>();
  let header: JournalHeader | null = null;
  if (existsSync(journal)) {
    if (!o.resume) {
      throw new Error(`compare: ${journal} exists (a comparison was started there): add --resume to continue it, or choose another --out`);
    }
    const read = readJournal(journal);
    header = read.header;
    if (header && header.hash !== hash) {
      const diff = header.identity ? differences(header.identity, identity) : [];
      throw new Error(
        `compare: ${journal} was written by a different command (differs in: ${diff.join(', ') || 'unknown'}); `
        + 'rerun with the same data, target, methods, grid, epochs and seed, or choose another --out',
      );
    }
    for (const r of read.records) done.set(r.key, r);
  }
  if (!header) {
    header = { format: JOURNAL_FORMAT, version: 1, hash, identity };
    appendJsonLine(journal, header);
  }

  const perSplit = runsPerSplit(plans);
  const total = perSplit * o.splits;
  const keysOf = (s: number) => plans.flatMap((p) => p.points.map((pt) => runKey(s, p.name, pt)));
  let finished = 0;
  for (let s = 0; s < o.splits; s++) for (const k of keysOf(s)) if (done.has(k)) finished++;
  emit({ kind: 'start', total, done: finished, journal, dataset: source.name, rows, task, metric, methods: plans, splits: o.splits, epochs, warnings: data.warnings });

  const seeds = Array.from({ length: o.splits }, (_, s) => splitSeed(o.seed, s));
  for (let s = 0; s < o.splits; s++) {
    if (keysOf(s).every((k) => done.has(k))) continue;
    const split = deps.randomSplit(rows, seeds[s], SPLIT_FRACTIONS);
    const pre = deps.fitPreprocessor(data, split.train);
    const train = pre.encode(split.train);
    const val = pre.encode(split.val);
    const test = pre.encode(split.test);
    emit({ kind: 'split', split: s, splits: o.splits, seed: seeds[s], rows: { train: train.rows, val: val.rows, test: test.rows }, features: train.features });
    for (const plan of plans) {
      for (const point of plan.points) {
        const key = runKey(s, plan.name, point);
        if (done.has(key)) continue;
        const config: RunConfig = {
          task,
          method: point.spec,
          hidden: [...o.grid.hidden],
          epochs,
          lr: point.lr,
          optimizer: point.optimizer,
          batch: o.grid.batch,
          seed: seeds[s],
          patience: o.grid.patience,
        };
        emit({ kind: 'run-start', done: finished, total, split: s, method: plan.name, point, epochs });
        const r = deps.trainRun(config, { train, val, test, preprocessor: pre, classes: data.classes.length }, {
          onEpoch: (e) => emit({ kind: 'epoch', epoch: e.epoch, epochs: e.epochs, trainLoss: e.trainLoss, val: e.val }),
        });
        const record: RunRecord = {
          key,
          split: s,
          method: plan.name,
          spec: point.spec,
          optimizer: point.optimizer,
          lr: point.lr,
          config,
          bestEpoch: r.bestEpoch,
          epochsRun: r.epochsRun,
          val: r.val,
          test: r.test,
          binarity: r.binarity,
          seconds: r.seconds,
          ...(r.stoppedOnNaN ? { stoppedOnNaN: r.stoppedOnNaN } : {}),
        };
        // Round-trip through JSON now, so a fresh run and a resumed one build the table from the same values.
        const stored = JSON.parse(JSON.stringify(record)) as RunRecord;
        appendJsonLine(journal, stored);
        done.set(key, stored);
        finished++;
        emit({ kind: 'run-end', done: finished, total, record: stored, metric });
      }
    }
  }

  // Selection on validation and the table.
  const methods: Record<string, MethodResult> = {};
  let trainingSeconds = 0;
  for (const plan of plans) {
    const chosenSplits: MethodResult['splits'] = [];
    const runs: MethodResult['runs'] = [];
    const tests: number[] = [];
    for (let s = 0; s < o.splits; s++) {
      const recs = plan.points.map((pt) => done.get(runKey(s, plan.name, pt))!);
      let best = 0;
      for (let i = 1; i < recs.length; i++) if (better(metricOf(recs[i].val.exact, metric), metricOf(recs[best].val.exact, metric), higherIsBetter)) best = i;
      recs.forEach((r, i) => {
        runs.push({ ...r, chosen: i === best });
        trainingSeconds += r.seconds;
      });
      const c = recs[best];
      const t = metricOf(c.test.exact, metric);
      tests.push(t);
      chosenSplits.push({
        split: s, seed: seeds[s], spec: c.spec, optimizer: c.optimizer, lr: c.lr,
        val: finiteOrNull(metricOf(c.val.exact, metric)), test: finiteOrNull(t), bestEpoch: c.bestEpoch,
      });
    }
    const sum = summarize(tests);
    methods[plan.name] = {
      label: plan.label, family: plan.family, metric,
      mean: finiteOrNull(sum.mean), se: finiteOrNull(sum.se), sd: finiteOrNull(sum.sd), n: sum.n,
      splits: chosenSplits, runs,
    };
  }

  const percent = SPLIT_FRACTIONS.map((f) => Math.round(f * 100)).join('/');
  const table: ResultTable = {
    columns: [{ key: source.name, dataset: source.name, metric, higherIsBetter }],
    rows: plans.map((p) => ({ key: p.name, label: p.label, cells: { [source.name]: summarize(methods[p.name].splits.map((c) => c.test ?? NaN)) } })),
    notes: [
      `Test ${metricLabel(metric)} (exact steps), mean (standard error) over ${o.splits} random ${percent} split${o.splits === 1 ? '' : 's'} (seed ${o.seed}); `
      + `per split and method, the grid point with the best validation ${metricLabel(metric)}; at most ${epochs} epochs, patience ${o.grid.patience}.`,
    ],
  };
  const results: CompareResults = {
    format: RESULTS_FORMAT,
    version: 1,
    dataset: { name: source.name, file: resolve(source.file), target: source.target, task, rows, sha256: identity.data as string },
    protocol: {
      splits: o.splits, fractions: SPLIT_FRACTIONS, seed: o.seed, splitSeeds: seeds,
      selection: `per split and method, the grid point with the best validation ${metric} (exact steps); its test ${metric} (exact steps)`,
      hidden: o.grid.hidden, batch: o.grid.batch, epochs, patience: o.grid.patience,
    },
    metric,
    higherIsBetter,
    grid: o.grid,
    methods,
    table: tableToJSON(table),
    trainingSeconds,
  };
  const files: CompareFiles = {
    journal,
    json: join(o.outDir, 'results.json'),
    markdown: join(o.outDir, 'results.md'),
    csv: join(o.outDir, 'results.csv'),
  };
  const markdown = tableToMarkdown(table);
  writeTextAtomic(files.json, `${JSON.stringify(results, null, 2)}\n`);
  writeTextAtomic(files.markdown, markdown);
  writeTextAtomic(files.csv, tableToCSV(table));
  emit({ kind: 'done', results, files });
  return { results, markdown, text: tableToText(table), files };
}
