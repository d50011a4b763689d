// `htaf gradients`: the vanishing-gradient studies of Appendix F.2 (docs/method.md §5). Per method (and per
// architecture with --architectures), an MLP trained on the training rows; per hidden layer and epoch,
// log10 of the mean per-example L2 norm of ∂loss/∂pre-activation, and the training loss: a table
// (Markdown/CSV/JSON) and Figure 7; with --architectures, Table 7 (vanishing or not, the threshold
// stated) and one Figure 7 per architecture (the paper's Figure 8). The definitions are in
// src/train/gradient_study.ts.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { archLabel, formatThreshold, gradientCsv, gradientSummaryMarkdown, thresholdLine, vanishingTableCsv, vanishingTableMarkdown } from '../report/gradients.js';
import { toJsonSafe } from '../io/json.js';
import { DEFAULT_VANISHING_THRESHOLD, FIGURE7_HIDDEN, FIGURE7_METHODS, TABLE7_ARCHITECTURES, gradientStudy, vanishingStudy, type GradientStudyConfig, type GradientStudyResult, type MethodGradients, type VanishingTable } from '../train/gradient_study.js';
import { builtinDatasets, resolveDataSource, fitPreprocessor, loadTabular, randomSplit, type Encoded, type Preprocessor, type Split, type TabularDataset, type TaskKind } from '../data/index.js';
import { canonicalActivationSpec } from '../activations/index.js';
import type { PlotOptions } from '../report/plot.js';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { writeFigure7 } from '../report/plots/figure7_gradients.js';
import { nonNegativeInt, positiveInt, positiveNumber, shapeList, taskOption } from './options.js';


// ---- option parsers (each error names its option) ---------------------------------------------------

/**
 * `--methods` takes several values (`--methods relu "htaf:alpha=2,beta=11"`); each may also list specs
 * separated by ';' or spaces, or by commas where a piece without ':' but with '=' continues the spec
 * before it ('relu,htaf:alpha=2,beta=11' is relu and htaf:alpha=2,beta=11). Each spec is checked.
 */
export function methodList(value: string, previous: string[] | undefined): string[] {
  const out: string[] = [];
  for (const piece of value.split(/[,;\s]+/).map((s) => s.trim()).filter((s) => s !== '')) {
    if (piece.includes('=') && !piece.includes(':') && out.length > 0 && out[out.length - 1].includes(':')) out[out.length - 1] += `,${piece}`;
    else out.push(piece);
  }
  if (out.length === 0) throw new InvalidArgumentError(`--methods must list activation specs (e.g. relu "htaf:alpha=2,beta=11" "ss:gamma=22"), got '${value}'`);
  const specs = out.map((s) => {
    try {
      return canonicalActivationSpec(s);
    } catch (err) {
      throw new InvalidArgumentError(`--methods: ${(err as Error).message}`);
    }
  });
  // The default list is replaced, not extended, by the first value given.
  return [...(previous && previous !== DEFAULT_METHODS_MARK ? previous : []), ...specs];
}
const DEFAULT_METHODS_MARK: string[] = [...FIGURE7_METHODS];

/** `--architectures "256,256,128;512,512,256"`: hidden widths per architecture, ';' between them. */
export function architectureList(value: string | true): number[][] {
  if (value === true) return TABLE7_ARCHITECTURES.map((a) => [...a]);
  const parts = value.split(';').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new InvalidArgumentError(`--architectures must be hidden widths like "256,256,128;512,512,256", got '${value}'`);
  return parts.map((p) => {
    const dims = p.split(/[,\s-]+/).filter((s) => s !== '').map(Number);
    if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new InvalidArgumentError(`--architectures: '${p}' is not a list of positive layer widths (architectures are separated by ';', widths by ','), in '${value}'`);
    }
    return dims;
  });
}

// ---- data ---------------------------------------------------------------------------------------

export interface StudyData {
  /** Built-in name or the file as given. */
  name: string;
  file: string;
  target: string;
  dataset: TabularDataset;
  task: TaskKind;
  split: Split;
  preprocessor: Preprocessor;
  train: Encoded;
  val: Encoded;
  test: Encoded;
  /** Classes (2 for binary), 0 for regression. */
  classes: number;
}

/**
 * `--data` (a CSV file, or a built-in dataset's name when no such file exists) and `--target`: the
 * dataset, a seeded 70/10/20 split and the preprocessing fitted on its training rows. Errors name the
 * option (and the command).
 */
export function loadStudyData(command: string, o: { data: string; target?: string; task?: TaskKind; seed: number }): StudyData {
  const { file, target, task, builtin } = resolveDataSource(command, o);
  let dataset: TabularDataset;
  try {
    dataset = loadTabular(file, { target, ...(task ? { task } : {}) });
  } catch (err) {
    throw new Error(`${command} --data '${o.data}' --target '${target}': ${(err as Error).message}`);
  }
  const n = dataset.table.rows.length;
  const split = randomSplit(n, o.seed);
  if (split.train.length < 1 || split.test.length < 1 || split.val.length < 1) {
    throw new Error(`${command} --data '${o.data}': ${n} rows are too few for a 70/10/20 split`);
  }
  const preprocessor = fitPreprocessor(dataset, split.train);
  return {
    name: builtin ? o.data : file,
    file,
    target,
    dataset,
    task: dataset.task,
    split,
    preprocessor,
    train: preprocessor.encode(split.train),
    val: preprocessor.encode(split.val),
    test: preprocessor.encode(split.test),
    classes: dataset.task === 'regression' ? 0 : dataset.classes.length,
  };
}

export function describeData(d: StudyData): string {
  return `${d.name} (target ${d.target}, ${d.task}; ${d.train.rows} training rows, ${d.train.features} features)`;
}

/** The loss the study trains with, for the figure's axis. */
export function lossTitle(task: TaskKind): string {
  return task === 'binary' ? 'training loss (BCE)' : task === 'multiclass' ? 'training loss (cross-entropy)' : 'training loss (MSE, scaled target)';
}

export function outFeaturesOf(d: StudyData): number {
  return d.task === 'multiclass' ? d.classes : 1;
}

/**
 * Creates --out (and missing parents) before any training, so an unusable folder fails fast. Level by
 * level rather than mkdir's `recursive`, which never returns for some paths in Node 20 (under /proc).
 */
export function ensureOutDir(command: string, outDir: string): void {
  const missing: string[] = [];
  let dir = resolve(outDir);
  try {
    while (!existsSync(dir)) {
      missing.unshift(dir);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
    for (const d of missing) mkdirSync(d);
  } catch (err) {
    throw new Error(`${command} --out '${outDir}': cannot create the output directory: ${(err as Error).message}`);
  }
}

/** Writes a text file of --out atomically (src/io/atomic_file.ts); an error names the command and --out. Returns its path. */
export function writeText(command: string, outDir: string, name: string, text: string): string {
  const path = join(outDir, name);
  writeBytesAtomically(path, text, `${command} --out '${outDir}'`);
  return path;
}

/** The figure options of a command writing into --out: its errors name the command and --out. */
export function figureOptions(command: string, outDir: string, pngScale: number): PlotOptions {
  return { pngScale, owner: `${command} --out '${outDir}'` };
}

// ---- the command ----------------------------------------------------------------------------------

interface GradientsOptions {
  data: string;
  target?: string;
  task?: TaskKind;
  methods: string[];
  hidden: number[];
  architectures?: string | true;
  epochs: number;
  lr: number;
  batch: number;
  seed: number;
  threshold: number;
  out: string;
  scale: number;
  json?: boolean;
  quiet?: boolean;
  resume?: boolean;
}

function progressLine(r: MethodGradients, threshold: number): string {
  const first = r.epochs[0]?.norms[0];
  const last = r.epochs[r.epochs.length - 1]?.norms[0];
  const f = (v: number | undefined) => (v === undefined ? 'n/a' : Number.isNaN(v) ? 'nan' : v === 0 ? '-inf' : Math.log10(v).toFixed(2));
  const verdict = r.vanishing ? `VANISHING from epoch ${r.vanishingEpoch} (< ${threshold})` : r.stoppedOnNaN ? `stopped: NaN loss at epoch ${r.stoppedOnNaN.epoch}` : 'ok';
  return `gradients: ${archLabel(r.hidden)} ${r.method}: ${r.epochs.length} epochs in ${r.seconds.toFixed(1)} s; first layer log10 norm ${f(first)} -> ${f(last)}; ${verdict}`;
}

export async function runGradients(o: GradientsOptions): Promise<void> {
  const command = 'htaf gradients';
  const log = (line: string) => {
    if (!o.quiet) process.stderr.write(`${line}\n`);
  };
  const architectures = o.architectures === undefined ? undefined : architectureList(o.architectures);
  const data = loadStudyData(command, o);
  ensureOutDir(command, o.out);
  const config: Omit<GradientStudyConfig, 'hidden'> = {
    task: data.task, outFeatures: outFeaturesOf(data), methods: o.methods, epochs: o.epochs, lr: o.lr, batch: o.batch, seed: o.seed, threshold: o.threshold,
  };
  const setup = `${o.epochs} epochs, Adam lr ${o.lr}, batch ${o.batch}, seed ${o.seed}`;
  const description = `${data.name}, ${data.train.rows} training rows; Adam lr ${o.lr}, batch ${o.batch}, seed ${o.seed}`;
  log(`gradients: ${describeData(data)}; methods ${o.methods.join(' ')}; ${setup}`);
  log(`gradients: ${thresholdLine(o.threshold)}`);
  for (const w of data.dataset.warnings) log(`gradients: warning: ${w}`);
  const started = performance.now();
  // Each run checkpoints under <out>/checkpoints after every epoch; the folder goes once the study's files
  // are written, so one that is there is an interrupted study, which --resume continues.
  const checkpointDir = join(o.out, 'checkpoints');
  if (existsSync(checkpointDir) && !o.resume) throw new Error(`${command} --out '${o.out}': it holds an interrupted study (${checkpointDir}); add --resume to continue it, or choose another --out`);
  const progress = { onRun: (r: MethodGradients) => log(progressLine(r, o.threshold)), checkpointDir, resume: !!o.resume };

  const files: string[] = [];
  let printed: string[];
  let json: Record<string, unknown>;
  if (architectures === undefined) {
    const study: GradientStudyResult = await gradientStudy(data.train, { ...config, hidden: o.hidden }, progress);
    const md = [
      '# Gradients with respect to the pre-activations (Appendix F.2.1)', '',
      `data: ${describeData(data)}; MLP ${archLabel(o.hidden)}; ${setup}`, `definition: ${study.definition}`, '',
      ...gradientSummaryMarkdown(study),
    ];
    files.push(writeText(command, o.out, 'gradients.md', md.join('\n') + '\n'));
    files.push(writeText(command, o.out, 'gradients.csv', gradientCsv(study.runs)));
    json = { kind: 'htaf-gradients', data: dataJson(data), threshold: o.threshold, definition: study.definition, config: study.config, runs: study.runs };
    files.push(writeText(command, o.out, 'gradients.json', JSON.stringify(toJsonSafe(json), null, 1) + '\n'));
    const fig = await writeFigure7(o.out, { runs: study.runs, threshold: o.threshold, description, lossTitle: lossTitle(data.task) }, 'figure7_gradients', figureOptions(command, o.out, o.scale));
    files.push(fig.svg, fig.png);
    printed = md.slice(2);
  } else {
    const table: VanishingTable = await vanishingStudy(data.train, config, architectures, progress);
    const md = [
      '# Vanishing gradients across architectures (Appendix F.2.2, Table 7)', '',
      `data: ${describeData(data)}; ${setup}`, `definition: ${table.definition}`, '',
      ...vanishingTableMarkdown(table), '',
      ...table.architectures.flatMap((a, i) => [...gradientSummaryMarkdown({ threshold: table.threshold, runs: table.cells[i] }, `MLP ${archLabel(a)}`), '']),
    ];
    files.push(writeText(command, o.out, 'table7_vanishing.md', md.join('\n')));
    files.push(writeText(command, o.out, 'table7_vanishing.csv', vanishingTableCsv(table)));
    files.push(writeText(command, o.out, 'gradients.csv', gradientCsv(table.cells.flat())));
    json = {
      kind: 'htaf-gradients-table7', data: dataJson(data), threshold: o.threshold, definition: table.definition, config,
      methods: table.methods, architectures: table.architectures, cells: table.cells,
    };
    files.push(writeText(command, o.out, 'gradients.json', JSON.stringify(toJsonSafe(json), null, 1) + '\n'));
    for (const [i, a] of table.architectures.entries()) {
      const fig = await writeFigure7(o.out, { runs: table.cells[i], threshold: o.threshold, description, lossTitle: lossTitle(data.task) }, `figure7_gradients_${archLabel(a)}`,
        figureOptions(command, o.out, o.scale));
      files.push(fig.svg, fig.png);
    }
    printed = md.slice(2, 6 + vanishingTableMarkdown(table).length);
  }
  rmSync(checkpointDir, { recursive: true, force: true });
  log(`gradients: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (o.json) {
    console.log(JSON.stringify(toJsonSafe({ ...json, files })));
    return;
  }
  for (const l of printed) console.log(l);
  console.log('');
  for (const f of files) console.log(f);
}

function dataJson(d: StudyData) {
  return { name: d.name, file: d.file, target: d.target, task: d.task, trainRows: d.train.rows, features: d.train.features, classes: d.classes };
}

/** --data, --target and --task as the study commands (gradients, ablate-bounds) take them: churn by default. */
export function studyDataOptions(command: Command): Command {
  return command
    .option('--data <csv|name>', `a CSV file or a built-in dataset (${Object.keys(builtinDatasets).join(', ')})`, 'churn')
    .option('--target <column>', "the column to predict (a built-in dataset's own by default)")
    .option('--task <kind>', 'binary, multiclass or regression (detected from the target by default)', taskOption);
}

export function registerGradients(program: Command): void {
  studyDataOptions(program
    .command('gradients')
    .description('Appendix F.2: per hidden layer and epoch, log10 of the mean gradient norm with respect to the pre-activations, and the training loss (Figure 7); --architectures: Table 7 (vanishing or not)'))
    .addOption(new Option('--methods <specs...>', 'activation specs, one run each').argParser(methodList)
      .default(DEFAULT_METHODS_MARK, `Figure 7's: ${FIGURE7_METHODS.join(' ')}`))
    .addOption(new Option('--hidden <widths>', 'hidden layer widths (Figure 7)').argParser(shapeList('--hidden')).default([...FIGURE7_HIDDEN], FIGURE7_HIDDEN.join(',')))
    .option('--architectures [list]', `Table 7: hidden widths per architecture, ';' between them (alone: ${TABLE7_ARCHITECTURES.map(archLabel).join('; ')})`)
    .option('--epochs <n>', 'epochs per run', positiveInt('--epochs'), 100)
    .option('--lr <x>', "Adam's learning rate", positiveNumber('--lr'), 1e-3)
    .option('--batch <n>', 'batch size', positiveInt('--batch'), 128)
    .option('--seed <n>', 'seed of the split, the weights and the batch order', nonNegativeInt('--seed'), 0)
    .addOption(new Option('--threshold <x>', `"vanishing" when the first hidden layer's mean gradient norm falls under this (the paper's value is lost)`)
      .argParser(positiveNumber('--threshold')).default(DEFAULT_VANISHING_THRESHOLD, formatThreshold(DEFAULT_VANISHING_THRESHOLD)))
    .option('--out <dir>', 'output directory (created if missing)', 'gradients-out')
    .option('--scale <n>', 'PNG pixels per SVG pixel', pngScale, 2)
    .option('--json', 'print one JSON line (everything, with the files written) instead of the tables')
    .option('--quiet', 'no progress lines on stderr')
    .option('--resume', 'continue an interrupted study in --out from its checkpoints')
    .action(async (o) => {
      if (o.architectures !== undefined) architectureList(o.architectures); // fail before loading data
      await runGradients(o);
    });
}

export function pngScale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 8) throw new InvalidArgumentError(`--scale must be a number in (0, 8], got '${value}'`);
  return n;
}
