// Table 1 of the paper on our data and budget, behind `htaf images compare`: image models (DHN, BNN, SNN
// and the standard ReLU network) × training methods (HTAF, STE, SS), each cell the test accuracy with
// exact steps, mean (standard error) over seeded runs:
//
//   for each model, method, seed s (seed_s = hash(seed, s)) and learning rate of the grid:
//     one trainImageModel run: same epochs, batch and optimizer for every method          ← one "run"
//   per model, method and seed: the learning rate with the best validation accuracy (exact steps)
//   per model and method: mean and standard error of the chosen runs' test accuracy over the seeds
//
// A method is a family (htaf, ste, ss: each model's own spec of it, see familySpec) or a full spec. The
// standard network has no binary activation; it is trained once per seed and shown in a ReLU column.
// Every finished run is appended (fsynced) to DIR/runs.jsonl; its first line names the command (data
// fingerprints, models and their specs, grid, epochs, seeds...), and `resume` refuses another command's
// journal and redoes no finished run. A run interrupted mid-way continues from its own checkpoint
// (DIR/runs/<run>/checkpoint.safetensors). The end writes DIR/results.{json,md,csv} atomically.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { summarize, type ResultTable, type Summary } from '../metrics/summary.js';
import type { GridJobs } from './grid_pool.js';
import { JOURNAL_FILE, Journal, readJournalFile, runGrid, type JournalHeader, type JournalKind } from './journal.js';
import { bestIndex } from './selection.js';
import { hashSeed } from '../data/random.js';
import { IMAGE_MODEL_KINDS, architectureName, familySpec, resolveImageModelSpec, type ImageModelKind, type ImageModelOptions } from '../models/image_zoo.js';
import { imageTrainConfig, trainImageModel, type ImageTrainConfig, type ImageTrainData, type ImageTrainEvent, type ImageTrainOptions, type ImageTrainResult } from './image_trainer.js';
import type { LayerActivity } from './image_eval.js';

export const IMAGE_METHOD_FAMILIES = ['htaf', 'ste', 'ss'] as const;
const FAMILY_LABELS: Record<string, string> = { htaf: 'HTAF', ste: 'STE', ss: 'SS', relu: 'ReLU', gelu: 'GELU' };
const MODEL_LABELS: Record<ImageModelKind, string> = { dhn: 'DHN', bnn: 'BNN', snn: 'SNN', standard: 'Standard' };
const JOURNAL_FORMAT = 'htaf-images-compare-journal';
const RESULTS_FORMAT = 'htaf-images-compare-results';

/** The training settings every run shares (the model, seed and lr are set per run). */
export type SharedTrainSettings = Omit<ImageTrainConfig, 'model' | 'seed' | 'lr'>;

export interface ImageCompareOptions {
  /** The images (already subset by the caller if wanted) and the dataset's name. */
  data: ImageTrainData & { name: string };
  models: ImageModelKind[];
  /** Families (htaf, ste, ss) and/or full specs; ignored by the standard network. */
  methods: string[];
  /** Model sizes per kind (backbone, depth, width, baseWidth, T, ...); the kind and method are set per run. */
  modelOptions?: Partial<Record<ImageModelKind, Omit<ImageModelOptions, 'kind' | 'method'>>>;
  /** Runs per cell, each with its own seed. */
  seeds: number;
  seed: number;
  /** Learning rates tried per model, method and seed; the best on validation is kept. */
  lrs: number[];
  train: Partial<SharedTrainSettings>;
  outDir: string;
  resume?: boolean;
  /** Runs in parallel worker processes (grid_pool.ts), which rerun this program to rebuild the grid; their training events are not forwarded. */
  jobs?: GridJobs;
  onEvent?: (e: ImageCompareEvent) => void;
  /** Replaces trainImageModel (tests count runs with it). */
  trainRun?: (config: ImageTrainConfig, data: ImageTrainData, options: ImageTrainOptions) => Promise<ImageTrainResult>;
}

/** One planned run of the comparison. */
export interface ImageRunPlan {
  key: string;
  model: ImageModelKind;
  /** The column: a family (htaf, ste, ss, relu) or a spec as given. */
  method: string;
  /** The activation spec the model was built with. */
  spec: string;
  lr: number;
  seedIndex: number;
  seed: number;
}

/** One journal line: a finished run and where it sits. */
export interface ImageRunRecord extends ImageRunPlan {
  description: string;
  bestEpoch: number;
  epochsRun: number;
  val: { accuracy: number; smoothAccuracy: number };
  test: { accuracy: number; smoothAccuracy: number; imagesPerSecond: number };
  layers: LayerActivity[];
  trainImagesPerSecond: number;
  seconds: number;
  stoppedOnNaN?: { epoch: number; batch: number; message: string };
}

export type ImageCompareEvent =
  | { kind: 'start'; total: number; done: number; journal: string; dataset: string; plans: ImageRunPlan[]; epochs: number }
  | { kind: 'run-start'; done: number; total: number; plan: ImageRunPlan }
  | { kind: 'train'; plan: ImageRunPlan; event: ImageTrainEvent }
  | { kind: 'run-end'; done: number; total: number; record: ImageRunRecord }
  | { kind: 'done'; results: ImageCompareResults };

/** What runImageCompare gives: the results, the two tables (src/report renders and writes them) and the journal's path. */
export interface ImageCompareRun {
  results: ImageCompareResults;
  tables: { exact: ResultTable; smooth: ResultTable };
  journal: string;
}

export interface ImageCellResult {
  model: ImageModelKind;
  method: string;
  spec: string;
  /** Test accuracy (exact steps) of the chosen run per seed: mean, se, sd, n. Smooth steps beside it. */
  accuracy: Summary;
  smoothAccuracy: Summary;
  seeds: { seedIndex: number; seed: number; lr: number; val: number; test: number; smoothTest: number }[];
}

export interface ImageCompareResults {
  format: string;
  version: 1;
  dataset: { name: string; train: number; test: number; classes: number; shape: [number, number, number] };
  protocol: { seeds: number; seed: number; lrs: number[]; train: SharedTrainSettings; selection: string };
  models: Record<string, string>;
  cells: ImageCellResult[];
  runs: ImageRunRecord[];
  trainingSeconds: number;
}

/** The column a method goes in and the spec a model uses for it. */
function methodColumns(model: ImageModelKind, methods: readonly string[]): { method: string; spec: string | undefined }[] {
  if (model === 'standard') return [{ method: 'standard', spec: undefined }]; // its backbone's own activation
  return methods.map((m) => {
    const spec = (IMAGE_METHOD_FAMILIES as readonly string[]).includes(m.toLowerCase()) ? familySpec(model, m.toLowerCase() as (typeof IMAGE_METHOD_FAMILIES)[number]) : m;
    return { method: m, spec };
  });
}

/** A file-name-safe and unique folder for a run. */
function runFolder(key: string): string {
  const slug = key.replace(/[^A-Za-z0-9._=-]+/g, '_').slice(0, 80);
  return `${slug}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}


const JOURNAL: JournalKind<ImageRunRecord> = {
  who: 'images compare',
  format: JOURNAL_FORMAT,
  isRecord: (r: unknown): r is ImageRunRecord => {
    const x = r as Partial<ImageRunRecord> | null;
    return typeof x?.key === 'string' && typeof x?.test === 'object' && typeof x?.val === 'object';
  },
  sameOptions: 'data, models, methods, sizes, lrs, epochs and seed',
};

/**
 * Reads an images compare journal: the header and the complete run lines. A last line without its newline
 * (the process was killed while writing it) is cut off the file; any other unreadable line is an error naming it.
 */
export function readImageJournal(path: string): { header: JournalHeader | null; records: ImageRunRecord[] } {
  return readJournalFile(path, JOURNAL);
}

function fingerprint(ds: { images: Uint8Array; labels: Int32Array }): string {
  return createHash('sha256').update(ds.images).update(new Uint8Array(ds.labels.buffer, ds.labels.byteOffset, ds.labels.byteLength)).digest('hex');
}

/** The seed of run s: a hash of (seed, s), so seeds never share a stream. */
export function imageRunSeed(seed: number, s: number): number {
  return hashSeed(0x7ab1e001, seed, s) >>> 1;
}

/**
 * Runs (or resumes) the comparison: every run through the journal (DIR/runs.jsonl), then the selection and
 * the tables. src/report/compare_report.ts writes DIR/results.{json,md,csv} from what this returns.
 */
export async function runImageCompare(o: ImageCompareOptions): Promise<ImageCompareRun> {
  const where = 'images compare';
  if (!Number.isInteger(o.seeds) || o.seeds < 1) throw new Error(`${where}: seeds must be an integer >= 1, got ${o.seeds}`);
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) throw new Error(`${where}: seed must be an integer >= 0, got ${o.seed}`);
  if (!Array.isArray(o.models) || o.models.length === 0) throw new Error(`${where}: models must list one or more of ${IMAGE_MODEL_KINDS.join(', ')}`);
  for (const m of o.models) if (!(IMAGE_MODEL_KINDS as readonly string[]).includes(m)) throw new Error(`${where}: unknown model '${m}'; allowed: ${IMAGE_MODEL_KINDS.join(', ')}`);
  if (new Set(o.models).size !== o.models.length) throw new Error(`${where}: models lists a model twice: ${o.models.join(', ')}`);
  if (o.models.some((m) => m !== 'standard') && (!Array.isArray(o.methods) || o.methods.length === 0)) {
    throw new Error(`${where}: methods must list one or more of ${IMAGE_METHOD_FAMILIES.join(', ')} or activation specs`);
  }
  if (!Array.isArray(o.lrs) || o.lrs.length === 0 || o.lrs.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) throw new Error(`${where}: lrs must be one or more finite numbers > 0, got ${JSON.stringify(o.lrs)}`);
  const emit = o.onEvent ?? (() => {});
  const train = o.data.train;
  const test = o.data.test;
  const shape: [number, number, number] = [train.channels, train.height, train.width];
  const sizes = { inChannels: shape[0], imageSize: shape[1], numClasses: train.classes.length };

  // Validate every model × method now (a bad spec fails before any training), and the shared settings.
  const columns = new Map(o.models.map((m) => [m, methodColumns(m, o.methods)] as const));
  const resolved = new Map<string, ImageModelOptions>();
  for (const [model, cols] of columns) {
    for (const c of cols) {
      const spec = resolveImageModelSpec({ ...o.modelOptions?.[model], kind: model, ...(c.spec === undefined ? {} : { method: c.spec }), ...sizes });
      c.spec = spec.method;
      if (model === 'standard') c.method = spec.method.split(/[:,]/)[0];
      const { inChannels: _c, imageSize: _s, numClasses: _k, ...options } = spec;
      resolved.set(`${model}|${c.method}`, options);
    }
  }
  const shared = imageTrainConfig({ ...o.train, model: { kind: 'standard' }, seed: 0, lr: o.lrs[0] });
  const settings: SharedTrainSettings = {
    epochs: shared.epochs, batch: shared.batch, optimizer: shared.optimizer, momentum: shared.momentum, weightDecay: shared.weightDecay,
    schedule: shared.schedule, valFraction: shared.valFraction, augment: shared.augment, preciseBn: shared.preciseBn,
  };
  const seeds = Array.from({ length: o.seeds }, (_, s) => imageRunSeed(o.seed, s));

  const plans: ImageRunPlan[] = [];
  for (const model of o.models) {
    for (const c of columns.get(model)!) {
      for (let s = 0; s < o.seeds; s++) {
        for (const lr of o.lrs) plans.push({ key: `${model}|${c.method}|${c.spec}|lr=${lr}|seed=${s}`, model, method: c.method, spec: c.spec!, lr, seedIndex: s, seed: seeds[s] });
      }
    }
  }

  const identity: Record<string, unknown> = {
    data: { train: fingerprint(train), test: fingerprint(test) },
    models: Object.fromEntries([...resolved].map(([k, v]) => [k, v])),
    lrs: o.lrs,
    train: settings,
    seed: o.seed,
  };
  const journalPath = join(o.outDir, JOURNAL_FILE);
  const journal = Journal.open(journalPath, JOURNAL, identity, !!o.resume);
  const total = plans.length;
  emit({ kind: 'start', total, done: plans.filter((p) => journal.has(p.key)).length, journal: journalPath, dataset: o.data.name, plans, epochs: settings.epochs });
  const trainRun = o.trainRun ?? trainImageModel;
  await runGrid(journal, plans, async (plan) => {
    const config = imageTrainConfig({ ...settings, model: { ...resolved.get(`${plan.model}|${plan.method}`)!, method: plan.spec }, seed: plan.seed, lr: plan.lr });
    const r = await trainRun(config, o.data, {
      outDir: join(o.outDir, 'runs', runFolder(plan.key)),
      resume: !!o.resume,
      onEvent: (event) => emit({ kind: 'train', plan, event }),
    });
    return {
      ...plan,
      description: r.description,
      bestEpoch: r.bestEpoch,
      epochsRun: r.epochsRun,
      val: r.val,
      test: { accuracy: r.test.accuracy, smoothAccuracy: r.test.smoothAccuracy, imagesPerSecond: r.test.imagesPerSecond },
      layers: r.test.layers,
      trainImagesPerSecond: r.trainImagesPerSecond,
      seconds: r.seconds,
      ...(r.stoppedOnNaN ? { stoppedOnNaN: r.stoppedOnNaN } : {}),
    };
  }, {
    runStart: (plan, done) => emit({ kind: 'run-start', done, total, plan }),
    runEnd: (record, done) => emit({ kind: 'run-end', done, total, record }),
  }, { who: where, jobs: o.jobs });

  // Selection on validation, then the cells.
  const num = (v: number | null | undefined) => (typeof v === 'number' ? v : NaN);
  const cells: ImageCellResult[] = [];
  let trainingSeconds = 0;
  for (const model of o.models) {
    for (const c of columns.get(model)!) {
      const chosen: ImageCellResult['seeds'] = [];
      for (let s = 0; s < o.seeds; s++) {
        const recs = plans.filter((p) => p.model === model && p.method === c.method && p.seedIndex === s).map((p) => journal.get(p.key));
        const best = recs[bestIndex(recs.map((r) => num(r.val.accuracy)), true)];
        for (const r of recs) trainingSeconds += r.seconds;
        chosen.push({ seedIndex: s, seed: seeds[s], lr: best.lr, val: num(best.val.accuracy), test: num(best.test.accuracy), smoothTest: num(best.test.smoothAccuracy) });
      }
      cells.push({ model, method: c.method, spec: c.spec!, accuracy: summarize(chosen.map((x) => x.test)), smoothAccuracy: summarize(chosen.map((x) => x.smoothTest)), seeds: chosen });
    }
  }

  const columnKeys = [...new Set(o.models.flatMap((m) => columns.get(m)!.map((c) => c.method)))];
  const percent = (s: Summary): Summary => ({ mean: s.mean * 100, se: s.se === null ? null : s.se * 100, sd: s.sd === null ? null : s.sd * 100, n: s.n });
  const modelDescriptions: Record<string, string> = {};
  for (const model of o.models) {
    const first = columns.get(model)![0];
    modelDescriptions[model] = architectureName(resolveImageModelSpec({ ...resolved.get(`${model}|${first.method}`)!, ...sizes }));
  }
  const makeTable = (which: 'accuracy' | 'smoothAccuracy', title: string): ResultTable => ({
    title,
    rowHeader: 'Model', // the rows are models here, not methods as in the tabular tables
    digits: 1,
    columns: columnKeys.map((k) => ({ key: k, dataset: FAMILY_LABELS[k.toLowerCase()] ?? k, metric: which === 'accuracy' ? 'accuracy' : 'smooth accuracy' })),
    rows: o.models.map((model) => ({
      key: model,
      label: MODEL_LABELS[model],
      cells: Object.fromEntries(cells.filter((c) => c.model === model).map((c) => [c.method, percent(c[which])])),
    })),
    notes: [
      `${o.data.name}: ${train.labels.length} training images (${Math.round(settings.valFraction * 100)}% of them held out for validation), ${test.labels.length} test images; `
      + `mean (standard error) over ${o.seeds} seed${o.seeds === 1 ? '' : 's'} (seed ${o.seed}); ${settings.epochs} epochs for every method, ${settings.optimizer} (${settings.schedule}), batch ${settings.batch}; `
      + `per seed, the lr of {${o.lrs.join(', ')}} with the best validation accuracy (exact steps).`,
      `Models: ${o.models.map((m) => `${MODEL_LABELS[m]} = ${modelDescriptions[m]}`).join('; ')}.`,
      `Specs: ${cells.filter((c) => c.model !== 'standard').map((c) => `${MODEL_LABELS[c.model]} ${c.method} = ${c.spec}`).join('; ') || 'none'}.`,
    ],
  });
  const exact = makeTable('accuracy', `${o.data.name} test accuracy (%), exact steps (Table 1)`);
  const smooth = makeTable('smoothAccuracy', `${o.data.name} test accuracy (%), smooth steps (the training form)`);
  const results: ImageCompareResults = {
    format: RESULTS_FORMAT,
    version: 1,
    dataset: { name: o.data.name, train: train.labels.length, test: test.labels.length, classes: train.classes.length, shape },
    protocol: {
      seeds: o.seeds, seed: o.seed, lrs: o.lrs, train: settings,
      selection: 'per model, method and seed: the lr with the best validation accuracy (exact steps); its test accuracy (exact steps)',
    },
    models: modelDescriptions,
    cells,
    runs: plans.map((p) => journal.get(p.key)),
    trainingSeconds,
  };
  emit({ kind: 'done', results });
  return { results, tables: { exact, smooth }, journal: journalPath };
}
