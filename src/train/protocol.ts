// The paper's tabular protocol (docs/method.md §5, Table 8), behind `htaf compare`:
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
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { finiteOrNull } from '../io/json.js';
import { DEFAULT_FRACTIONS, builtinDatasets, fitPreprocessor, loadTabular, randomSplit, resolveDataSource } from '../data/index.js';
import type { Encoded, Preprocessor, Split, TabularDataset, TaskKind } from '../data/tabular_types.js';
import { metricLabel, summarize, type ResultTable } from '../metrics/summary.js';
import { planMethods, type Grid, type GridPoint, type MethodPlan } from './grid.js';
import type { GridJobs } from './grid_pool.js';
import { JOURNAL_FILE, Journal, readJournalFile, runGrid, type JournalHeader, type JournalKind } from './journal.js';
import { bestIndex } from './selection.js';
import { primaryMetric, trainRun } from './trainer.js';
import type { Metrics, RunConfig, RunResult } from './types.js';

/** The pieces of other modules the protocol uses; tests may replace them (a counting trainRun, ...). */
export interface ProtocolDeps {
  loadTabular(file: string, options: { target: string; task?: TaskKind }): TabularDataset;
  randomSplit(n: number, seed: number, fractions?: [number, number, number]): Split;
  fitPreprocessor(data: TabularDataset, trainRows: readonly number[]): Preprocessor;
  trainRun(
    config: RunConfig,
    data: { train: Encoded; val: Encoded; test: Encoded; preprocessor: Preprocessor; classes: number },
    options?: { onEpoch?: (e: { epoch: number; epochs: number; trainLoss: number; val: Metrics }) => void },
  ): Promise<RunResult>;
  primaryMetric(task: TaskKind): { name: string; higherIsBetter: boolean };
  builtinDatasets: Readonly<Record<string, { file: string; target: string; task: TaskKind }>>;
}

/** The real pieces: src/data's loading, splits and preprocessing, and trainRun. */
export function defaultProtocolDeps(): ProtocolDeps {
  return { loadTabular, randomSplit, fitPreprocessor, trainRun, primaryMetric, builtinDatasets };
}

/** The 70/10/20 split of the protocol: data/splits.ts's default. */
export const SPLIT_FRACTIONS: [number, number, number] = [...DEFAULT_FRACTIONS];
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
  /**
   * Grid points in parallel worker processes (grid_pool.ts): they rerun this program to rebuild the grid,
   * with the real ProtocolDeps. Per-epoch events are not forwarded from them.
   */
  jobs?: GridJobs;
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
  | { kind: 'done'; results: CompareResults };

/** What runCompare gives: the results, the table (src/report renders and writes both) and the journal's path. */
export interface CompareRun {
  results: CompareResults;
  table: ResultTable;
  journal: string;
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

const JOURNAL: JournalKind<RunRecord> = {
  who: 'compare',
  format: JOURNAL_FORMAT,
  isRecord: (r: unknown): r is RunRecord => {
    const x = r as Partial<RunRecord> | null;
    return typeof x?.key === 'string' && typeof x?.split === 'number' && typeof x?.test === 'object';
  },
  sameOptions: 'data, target, methods, grid, epochs and seed',
};

/**
 * Reads a compare journal: the header and the complete run lines. A last line without its newline (the
 * process was killed while writing it) is cut off the file. Any other unreadable line is an error naming it.
 */
export function readJournal(path: string): { header: JournalHeader | null; records: RunRecord[] } {
  return readJournalFile(path, JOURNAL);
}

// ---- the protocol -----------------------------------------------------------------------------------------

function metricOf(m: Metrics | undefined, name: string): number {
  const v = m?.[name];
  return typeof v === 'number' ? v : NaN;
}


/**
 * Runs (or resumes) the protocol: every grid run through the journal (DIR/runs.jsonl), then the selection
 * and the table. src/report/compare_report.ts writes DIR/results.{json,md,csv} from what this returns.
 */
export async function runCompare(o: CompareOptions, deps: ProtocolDeps = defaultProtocolDeps()): Promise<CompareRun> {
  if (!Number.isInteger(o.splits) || o.splits < 1) throw new Error(`compare: splits must be an integer >= 1, got ${o.splits}`);
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new Error(`compare: seed must be an integer >= 0, got ${o.seed}`);
  if (o.epochs !== undefined && (!Number.isInteger(o.epochs) || o.epochs < 1)) throw new Error(`compare: epochs must be an integer >= 1, got ${o.epochs}`);
  const emit = o.onEvent ?? (() => {});
  const methodPlans = planMethods(o.methods, o.grid);
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
    methods: methodPlans.map((p) => ({ name: p.name, points: p.points })),
    hidden: o.grid.hidden,
    batch: o.grid.batch,
    epochs,
    patience: o.grid.patience,
    seed: o.seed,
    fractions: SPLIT_FRACTIONS,
  };
  const journalPath = join(o.outDir, JOURNAL_FILE);
  const journal = Journal.open(journalPath, JOURNAL, identity, !!o.resume);

  const seeds = Array.from({ length: o.splits }, (_, s) => splitSeed(o.seed, s));
  const plans = methodPlans.flatMap((plan) => plan.points.map((point) => ({ plan, point })));
  const grid = Array.from({ length: o.splits }, (_, s) => plans.map(({ plan, point }) => ({ key: runKey(s, plan.name, point), split: s, plan, point }))).flat();
  const total = grid.length;
  emit({ kind: 'start', total, done: grid.filter((g) => journal.has(g.key)).length, journal: journalPath, dataset: source.name, rows, task, metric, methods: methodPlans, splits: o.splits, epochs, warnings: data.warnings });

  // A split's data is prepared when its first unfinished run needs it.
  let prepared: { split: number; train: Encoded; val: Encoded; test: Encoded; pre: Preprocessor } | undefined;
  const splitData = (s: number) => {
    if (prepared?.split === s) return prepared;
    const split = deps.randomSplit(rows, seeds[s], SPLIT_FRACTIONS);
    const pre = deps.fitPreprocessor(data, split.train);
    prepared = { split: s, train: pre.encode(split.train), val: pre.encode(split.val), test: pre.encode(split.test), pre };
    emit({ kind: 'split', split: s, splits: o.splits, seed: seeds[s], rows: { train: prepared.train.rows, val: prepared.val.rows, test: prepared.test.rows }, features: prepared.train.features });
    return prepared;
  };
  await runGrid(journal, grid, async ({ key, split: s, plan, point }) => {
    const { train, val, test, pre } = splitData(s);
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
    const r = await deps.trainRun(config, { train, val, test, preprocessor: pre, classes: data.classes.length }, {
      onEpoch: (e) => emit({ kind: 'epoch', epoch: e.epoch, epochs: e.epochs, trainLoss: e.trainLoss, val: e.val }),
    });
    return {
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
  }, {
    runStart: (g, done) => emit({ kind: 'run-start', done, total, split: g.split, method: g.plan.name, point: g.point, epochs }),
    runEnd: (record, done) => emit({ kind: 'run-end', done, total, record, metric }),
  }, { who: 'compare', jobs: o.jobs });

  // Selection on validation and the table.
  const methods: Record<string, MethodResult> = {};
  let trainingSeconds = 0;
  for (const plan of methodPlans) {
    const chosenSplits: MethodResult['splits'] = [];
    const runs: MethodResult['runs'] = [];
    const tests: number[] = [];
    for (let s = 0; s < o.splits; s++) {
      const recs = plan.points.map((pt) => journal.get(runKey(s, plan.name, pt)));
      const best = bestIndex(recs.map((r) => metricOf(r.val.exact, metric)), higherIsBetter);
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
    rows: methodPlans.map((p) => ({ key: p.name, label: p.label, cells: { [source.name]: summarize(methods[p.name].splits.map((c) => c.test ?? NaN)) } })),
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
    trainingSeconds,
  };
  emit({ kind: 'done', results });
  return { results, table, journal: journalPath };
}
