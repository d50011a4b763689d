// `htaf compare`: the paper's tabular protocol (Table 8) on a CSV or a built-in dataset: repeated seeded
// 70/10/20 splits, a hyperparameter grid per method chosen on validation, the test metric of the chosen
// model, mean (standard error) per method; a journal so that --resume redoes no finished run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { GRID_PRESETS, METHOD_FAMILIES, validateGrid, type Grid } from '../train/grid.js';
import { TASK_KINDS, type TaskKind } from '../data/index.js';
import { runCompare, type CompareEvent } from '../train/protocol.js';
import { writeCompareReport } from '../report/compare_report.js';
import { setNumThreads } from '../core/runtime.js';
import { nonNegativeInt, oneOf, positiveInt, taskOption } from './options.js';
import { addJobsFlag, gridJobs } from './distributed_flags.js';


/**
 * Splits `--methods`: entries are separated by commas (or spaces/semicolons), and since specs have commas
 * of their own, a piece with '=' continues the spec before it: 'relu,htaf:alpha=2,beta=11,ste:rect,a=1'
 * is relu, htaf:alpha=2,beta=11 and ste:rect,a=1.
 */
export function splitMethods(value: string): string[] {
  const out: string[] = [];
  for (const piece of value.split(/[,;\s]+/).map((s) => s.trim()).filter((s) => s !== '')) {
    if (piece.includes('=') && !piece.includes(':') && out.length > 0 && out[out.length - 1].includes(':')) out[out.length - 1] += `,${piece}`;
    else out.push(piece);
  }
  if (out.length === 0) throw new InvalidArgumentError(`--methods must list one or more of ${METHOD_FAMILIES.join(', ')} or activation specs, got '${value}'`);
  return out;
}

function readGrid(file: string): Grid {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`compare: cannot read --grid ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`compare: --grid ${file} is not JSON: ${(err as Error).message}`);
  }
  return validateGrid(value, `--grid ${file}`);
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function fmt(v: number | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : 'n/a';
}

/**
 * Progress: on a terminal, two cli-progress bars (runs done/total with an ETA; the current run's epochs,
 * unless the runs are in worker processes, which send no epochs); otherwise (CI logs, pipes) one line per finished run, and a line every 30 s during a long run.
 * Everything goes to stderr; the table goes to stdout.
 */
function progressReporter(tty: boolean, epochs: boolean): { onEvent: (e: CompareEvent) => void; stop: () => void } {
  const started = Date.now();
  let firstDone = 0;
  let doneHere = 0;
  let total = 0;
  let metric = '';
  let current = '';
  let lastLine = Date.now();
  const eta = (done: number) => (doneHere === 0 ? NaN : ((Date.now() - started) / 1000 / doneHere) * (total - done));
  const log = (line: string) => process.stderr.write(`${line}\n`);

  let multibar: cliProgress.MultiBar | undefined;
  let runsBar: cliProgress.SingleBar | undefined;
  let epochBar: cliProgress.SingleBar | undefined;
  let lastDraw = 0;
  const draw = (force = false) => {
    if (!multibar) return;
    const now = Date.now();
    if (force || now - lastDraw > 100) {
      lastDraw = now;
      multibar.update();
    }
  };

  const onEvent = (e: CompareEvent) => {
    switch (e.kind) {
      case 'start': {
        total = e.total;
        firstDone = e.done;
        metric = e.metric;
        const perSplit = e.methods.reduce((s: number, m) => s + m.points.length, 0);
        log(`compare: ${e.dataset} (${e.rows} rows, ${e.task}; metric ${e.metric}), methods ${e.methods.map((m) => `${m.name} (${m.points.length} point${m.points.length === 1 ? '' : 's'})`).join(', ')}`);
        log(`compare: ${perSplit} runs per split x ${e.splits} split${e.splits === 1 ? '' : 's'} = ${e.total} runs, at most ${e.epochs} epochs each; journal ${e.journal}`);
        for (const w of e.warnings) log(`compare: warning: ${w}`);
        if (e.done > 0) log(`compare: resuming: ${e.done} of ${e.total} runs already done (skipped)`);
        if (tty) {
          multibar = new cliProgress.MultiBar({ format: '{name} [{bar}] {value}/{total} {unit} | {info}', barsize: 24, hideCursor: false, clearOnComplete: false, autopadding: true, fps: 10 });
          runsBar = multibar.create(e.total, e.done, { name: 'runs ', unit: 'runs', info: 'ETA ?' });
          if (epochs) epochBar = multibar.create(1, 0, { name: 'epoch', unit: 'epochs', info: '' });
          draw(true);
        }
        break;
      }
      case 'split':
        if (!tty) log(`compare: split ${e.split + 1}/${e.splits} (seed ${e.seed}): ${e.rows.train}/${e.rows.val}/${e.rows.test} rows, ${e.features} features`);
        break;
      case 'run-start':
        current = `split ${e.split + 1} ${e.method} ${e.point.spec} ${e.point.optimizer} lr=${e.point.lr}`;
        if (epochBar) {
          epochBar.setTotal(e.epochs);
          epochBar.update(0, { info: current });
          draw(true);
        }
        break;
      case 'epoch':
        if (epochBar) {
          epochBar.update(e.epoch, { info: `${current} | val ${metric} ${fmt(e.val[metric])}` });
          draw();
        } else if (Date.now() - lastLine > 30_000) {
          lastLine = Date.now();
          log(`compare:   ${current}: epoch ${e.epoch}/${e.epochs}, val ${metric} ${fmt(e.val[metric])}`);
        }
        break;
      case 'run-end': {
        doneHere++;
        const r = e.record;
        const line = `[${String(e.done).padStart(String(e.total).length)}/${e.total}] split ${r.split + 1} ${r.method} ${r.spec} ${r.optimizer} lr=${r.lr}: `
          + `val ${e.metric} ${fmt(r.val.exact[e.metric])}, test ${fmt(r.test.exact[e.metric])}, ${r.epochsRun} epochs (best ${r.bestEpoch}), ${r.seconds.toFixed(1)} s`;
        if (runsBar && multibar) {
          runsBar.update(e.done, { info: `elapsed ${duration((Date.now() - started) / 1000)}, ETA ${duration(eta(e.done))}` });
          draw(true);
        } else {
          lastLine = Date.now();
          log(`${line} | ETA ${duration(eta(e.done))}`);
        }
        break;
      }
      case 'done':
        if (multibar) {
          draw(true);
          multibar.stop();
          multibar = undefined;
        }
        log(`compare: ${doneHere} run${doneHere === 1 ? '' : 's'} trained here, ${firstDone} from the journal; ${duration((Date.now() - started) / 1000)}`);
        break;
    }
  };
  return {
    onEvent,
    stop: () => {
      if (multibar) multibar.stop();
      multibar = undefined;
    },
  };
}

export function registerCompare(program: Command): void {
  const command = program
    .command('compare')
    .description("the paper's protocol (Table 8): methods compared over seeded 70/10/20 splits, hyperparameters chosen on validation")
    .requiredOption('--data <file|name>', 'a CSV file, or a built-in dataset: churn, credit, concrete, boston')
    .option('--target <column>', 'target column (required with a CSV file)')
    .option('--task <kind>', `${TASK_KINDS.join('|')} (default: inferred from the target)`, taskOption)
    .option('--methods <list>', `comma-separated: ${METHOD_FAMILIES.join(', ')} (the grid of each) or activation specs`, splitMethods, ['relu', 'htaf', 'ss', 'ste'])
    .option('--splits <n>', 'random 70/10/20 splits', positiveInt('--splits'), 5)
    .option('--grid <file>', 'hyperparameter grid as JSON (replaces the --budget preset; see README)')
    .option('--budget <preset>', `built-in grid: ${Object.keys(GRID_PRESETS).join(', ')}`, oneOf('--budget', Object.keys(GRID_PRESETS)), 'default')
    .option('--epochs <n>', "most epochs per run (replaces the grid's)", positiveInt('--epochs'))
    .option('--seed <n>', 'seed of the splits and runs', nonNegativeInt('--seed'), 0)
    .option('--out <dir>', 'output folder (default compare-out/<dataset>)')
    .option('--resume', 'continue the journal in --out, skipping finished runs')
    .option('--threads <n>', 'intra-op threads (default: libtorch\'s)', positiveInt('--threads'));
  addJobsFlag(command)
    .action(async (o) => {
      if (o.seed > 2 ** 31 - 1) throw new InvalidArgumentError(`--seed must be at most ${2 ** 31 - 1}, got ${o.seed}`);
      const grid = o.grid ? readGrid(o.grid) : GRID_PRESETS[o.budget]();
      if (o.threads) setNumThreads(o.threads);
      const name = o.data.replace(/\\/g, '/').split('/').pop()!.replace(/\.[^.]*$/, '') || 'data';
      const outDir = o.out ?? join('compare-out', name);
      const jobs = gridJobs('compare', o);
      const progress = progressReporter(!!process.stderr.isTTY, !jobs);
      try {
        const run = await runCompare({
          data: o.data,
          target: o.target,
          task: o.task as TaskKind | undefined,
          methods: o.methods,
          splits: o.splits,
          grid,
          epochs: o.epochs,
          seed: o.seed,
          outDir,
          resume: !!o.resume,
          jobs,
          onEvent: progress.onEvent,
        });
        const { text, files } = writeCompareReport(outDir, run);
        process.stdout.write(`\n${text}\nwrote ${files.markdown}, ${files.csv}, ${files.json} (journal ${files.journal})\n`);
      } finally {
        progress.stop();
      }
    });
}
