// `htaf train`: one training run on a CSV file or a built-in dataset. Loads the table, splits it
// 70/10/20 with the seed, fits the preprocessing on the training rows, trains a TabularMlp (trainRun),
// prints the metrics and, with --out, keeps checkpoint.safetensors, best.safetensors and result.json.
// Progress (a bar on a terminal, plain lines otherwise) goes to stderr; results go to stdout.
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { progressReporter } from './progress.js';
import { DEFAULT_FRACTIONS, TASK_KINDS, resolveDataSource, fitPreprocessor, loadTabular, randomSplit, type TaskKind } from '../data/index.js';
import { nanStopMessage, primaryMetric, trainRun, type EpochEvent } from '../train/trainer.js';
import type { RunConfig, RunResult } from '../train/types.js';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { activationSpecOption, nonNegativeInt, oneOf, positiveInt, positiveNumber, shapeList, taskOption } from './options.js';

const OPTIMIZERS = ['adam', 'sgd'] as const;

interface TrainOptions {
  data: string;
  target?: string;
  task?: TaskKind;
  method: string;
  hidden: number[];
  epochs: number;
  lr: number;
  optimizer: 'adam' | 'sgd';
  batch: number;
  seed: number;
  patience: number;
  maxLevels?: number;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return 'n/a';
  return Math.abs(v) >= 1000 ? v.toFixed(1) : v.toPrecision(4);
}

/** Epoch progress on stderr (progress.ts): a bar with the loss, the val metric and an ETA on a terminal, plain lines otherwise. */
function progress(metricName: string): { onEpoch: (e: EpochEvent) => void; stop: () => void } {
  const bar = progressReporter('train |{bar}| epoch {value}/{total} | loss {loss} | val {metric} {val} | ETA {eta_formatted}');
  return {
    onEpoch: (e) => bar.update(e.epochs, e.epoch, { loss: fmt(e.trainLoss), metric: metricName, val: fmt(e.val[metricName]) },
      `epoch ${e.epoch}/${e.epochs}  train loss ${fmt(e.trainLoss)}  val ${metricName} ${fmt(e.val[metricName])} (exact steps)`),
    stop: () => bar.stop(),
  };
}

function stopReason(r: RunResult): 'nan' | 'early-stop' | 'completed' {
  return r.stoppedOnNaN ? 'nan' : r.epochsRun < r.config.epochs ? 'early-stop' : 'completed';
}

function metricsTable(r: RunResult): string[] {
  const names = Object.keys(r.test.exact);
  const rows: string[][] = [['', 'exact steps', 'smooth steps']];
  for (const part of ['val', 'test'] as const) {
    for (const n of names) rows.push([`${part} ${n}`, fmt(r[part].exact[n]), fmt(r[part].smooth[n])]);
  }
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd());
}

async function runTrain(o: TrainOptions): Promise<void> {
  if (o.resume && o.out === undefined) throw new Error('htaf train: --resume needs --out DIR (the run to continue)');
  const src = resolveDataSource('htaf train', o);
  const levels = o.maxLevels === undefined ? {} : { maxLevels: o.maxLevels };
  const ds = loadTabular(src.file, { target: src.target, ...(src.task ? { task: src.task } : {}), ...levels });
  const rows = ds.table.rows.length;
  const split = randomSplit(rows, o.seed, [...DEFAULT_FRACTIONS]);
  for (const part of ['train', 'val', 'test'] as const) {
    if (split[part].length === 0) throw new Error(`htaf train: ${src.file} has ${rows} rows, too few for a 70/10/20 split with a non-empty ${part} set`);
  }
  const preprocessor = fitPreprocessor(ds, split.train, levels);
  const data = {
    train: preprocessor.encode(split.train),
    val: preprocessor.encode(split.val),
    test: preprocessor.encode(split.test),
    preprocessor,
    classes: ds.classes.length,
  };
  const config: RunConfig = {
    task: ds.task, method: o.method, hidden: o.hidden, epochs: o.epochs, lr: o.lr, optimizer: o.optimizer,
    batch: o.batch, seed: o.seed, patience: o.patience,
  };
  const metric = primaryMetric(ds.task);

  const out = o.out;
  let createdOut = false;
  if (out !== undefined) {
    const checkpoint = join(out, 'checkpoint.safetensors');
    if (!o.resume && existsSync(checkpoint)) {
      throw new Error(`htaf train --out '${out}': it already holds a run (${checkpoint}); add --resume to continue it, or choose another --out`);
    }
    if (o.resume && !existsSync(checkpoint)) process.stderr.write(`htaf train: no checkpoint in ${out} yet; starting at epoch 1\n`);
    createdOut = !existsSync(out);
    mkdirSync(out, { recursive: true });
  }

  const features = data.train.features;
  process.stderr.write(
    `htaf train: ${src.builtin ? `${o.data} (${src.file})` : src.file}, target '${ds.target}' (${ds.task}${ds.task === 'regression' ? '' : `, ${ds.classes.length} classes`}), ` +
      `${rows} rows: ${split.train.length}/${split.val.length}/${split.test.length} train/val/test, ${features} features\n` +
      `MLP ${[features, ...config.hidden, ds.task === 'multiclass' ? ds.classes.length : 1].join('-')}, ${config.method}, ${config.optimizer} lr ${config.lr}, ` +
      `batch ${config.batch}, ${config.epochs} epochs (patience ${config.patience || 'off'}), seed ${config.seed}\n`,
  );

  const bar = progress(metric.name);
  let result: RunResult;
  try {
    result = await trainRun(config, data, { outDir: out, resume: !!o.resume, onEpoch: bar.onEpoch });
  } catch (err) {
    bar.stop();
    // Checkpoints are written atomically and kept (so --resume can continue); a folder we made and left empty goes.
    if (out !== undefined && createdOut) {
      try {
        if (readdirSync(out).length === 0) rmdirSync(out);
      } catch { /* best effort */ }
    }
    throw new Error(`htaf train: ${(err as Error).message}`);
  }
  bar.stop();

  const warnings = [...(ds.table.warnings ?? []), ...ds.warnings, ...(preprocessor.notes ?? [])];
  const nan = nanStopMessage(result);
  if (nan) warnings.push(nan);
  const report = {
    data: {
      source: o.data, file: src.file, target: ds.target, task: ds.task, classes: ds.classes, rows,
      split: { train: split.train.length, val: split.val.length, test: split.test.length, fractions: [...DEFAULT_FRACTIONS], seed: o.seed },
      features, featureNames: preprocessor.featureNames,
    },
    config: result.config,
    primaryMetric: metric,
    bestEpoch: result.bestEpoch,
    epochsRun: result.epochsRun,
    stopped: stopReason(result),
    ...(result.stoppedOnNaN ? { stoppedOnNaN: result.stoppedOnNaN } : {}),
    val: result.val,
    test: result.test,
    binarity: result.binarity,
    seconds: result.seconds,
    checkpoint: out === undefined ? null : { best: join(out, 'best.safetensors'), last: join(out, 'checkpoint.safetensors') },
    preprocessor: preprocessor.toJSON(),
    warnings,
  };
  const resultFile = out === undefined ? undefined : join(out, 'result.json');
  if (resultFile !== undefined) writeBytesAtomically(resultFile, `${JSON.stringify(report, null, 2)}\n`, 'write JSON');

  if (o.json) {
    console.log(JSON.stringify(report));
    return;
  }
  const lines = [
    `best epoch ${result.bestEpoch} of ${result.epochsRun} run (${report.stopped === 'early-stop' ? `early stop, patience ${config.patience}` : report.stopped === 'nan' ? 'stopped on NaN loss' : 'all epochs'}); weights of the best epoch, selected on val ${metric.name} with exact steps`,
    ...metricsTable(result),
    `binarity of the hidden units (test, smooth steps): ${fmt(result.binarity)}`,
    `time: ${result.seconds.toFixed(1)} s`,
  ];
  if (resultFile !== undefined) lines.push(`saved: ${resultFile}, ${report.checkpoint!.best}, ${report.checkpoint!.last}`);
  for (const w of warnings) lines.push(`warning: ${w}`);
  console.log(lines.join('\n'));
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an MLP on a CSV file or a built-in dataset: 70/10/20 split by --seed, min-max scaling fitted on train, early stopping on val (exact steps)')
    .requiredOption('--data <file|name>', 'CSV file, or a built-in dataset: churn, credit, concrete, boston')
    .option('--target <column>', 'target column (required for a CSV file; built-ins know theirs)')
    .option('--task <kind>', `${TASK_KINDS.join('|')} (default: inferred from the target)`, taskOption)
    .option('--method <spec>', 'hidden activation spec, e.g. htaf:alpha=2,beta=11, ss:gamma=22, ste:sigmoid, relu (see htaf activations)', activationSpecOption, 'htaf:alpha=2,beta=11')
    .option('--hidden <widths>', 'hidden layer widths', shapeList('--hidden'), [256, 256, 128])
    .option('--epochs <n>', 'most epochs', positiveInt('--epochs'), 100)
    .option('--lr <x>', 'learning rate', positiveNumber('--lr'), 1e-3)
    .option('--optimizer <name>', OPTIMIZERS.join('|'), oneOf('--optimizer', OPTIMIZERS), 'adam')
    .option('--batch <n>', 'batch size', positiveInt('--batch'), 256)
    .option('--seed <n>', 'seed of the split, the weights and the batch order', nonNegativeInt('--seed'), 0)
    .option('--patience <n>', 'stop after this many epochs without a better val metric (0: never)', nonNegativeInt('--patience'), 10)
    .option('--max-levels <n>', 'most levels a text column may have (default 1000); more is refused as likely an ID', positiveInt('--max-levels'))
    .option('--out <dir>', 'keep checkpoint.safetensors (every epoch), best.safetensors and result.json here')
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--json', 'print the result as one JSON line (the content of result.json)')
    .action((o: TrainOptions) => runTrain(o));
}
