// `htaf ablate-bounds`: the bound ablation of Appendix F.1 (docs/method.md §5, Figure 6). For each β, α = α_min(β)
// of Proposition 3.1 (rounded up as Table 6 prints it); an MLP 256-256-128 with HTAF(α, β) trained by
// trainRun with Adam 1e-3 on one seeded split; the test AUROC with exact steps and the binarity score,
// as a table (Markdown/CSV/JSON) and Figure 6. A β at or under β_min = ln((1 − ε)/ε) is refused.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ABLATION_BETAS, ABLATION_HIDDEN, ablateBounds, boundAblationPlan, type BoundAblationResult } from '../train/ablate_bounds.js';
import { ablationCsv, ablationMarkdown } from '../report/ablate_bounds.js';
import { toJsonSafe } from '../io/json.js';
import type { TaskKind } from '../data/index.js';
import { writeFigure6 } from '../report/plots/figure6_bounds_ablation.js';
import { describeData, ensureOutDir, studyDataOptions, loadStudyData, pngScale, figureOptions, writeText } from './gradients.js';
import { positiveNumber } from './options.js';
import { nonNegativeInt, positiveInt, shapeList } from './options.js';

function epsOption(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(n > 0 && n < 0.5)) throw new InvalidArgumentError(`--eps must be a number in (0, 1/2), got '${value}'`);
  return n;
}

function betaList(value: string): number[] {
  const items = value.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (items.length === 0 || items.some((v) => !Number.isFinite(v) || v <= 0)) {
    throw new InvalidArgumentError(`--beta must be a comma-separated list of numbers > 0, got '${value}'`);
  }
  return items;
}

interface AblateOptions {
  data: string;
  target?: string;
  task?: TaskKind;
  eps: number;
  delta: number;
  beta: number[];
  hidden: number[];
  epochs: number;
  lr: number;
  batch: number;
  patience: number;
  seed: number;
  out: string;
  scale: number;
  json?: boolean;
  quiet?: boolean;
}

export async function runAblateBounds(o: AblateOptions): Promise<void> {
  const command = 'htaf ablate-bounds';
  const log = (line: string) => {
    if (!o.quiet) process.stderr.write(`${line}\n`);
  };
  // Refuse β ≤ β_min before reading data or training anything.
  let plan;
  try {
    plan = boundAblationPlan(o.beta, o.eps, o.delta);
  } catch (err) {
    throw new Error(`${command} --beta: ${(err as Error).message.replace(/^bound ablation: /, '')}`);
  }
  const data = loadStudyData(command, o);
  ensureOutDir(command, o.out);
  if (data.task === 'regression') log('ablate-bounds: note: a regression target; the figure shows the test RMSE (target units) instead of the AUROC');
  log(`ablate-bounds: ${describeData(data)}; ${plan.length} runs: ${plan.map((p) => `(α ${p.alpha}, β ${p.beta})`).join(' ')}`);
  log(`ablate-bounds: MLP ${o.hidden.join('-')}, Adam lr ${o.lr}, batch ${o.batch}, ${o.epochs} epochs (patience ${o.patience}), seed ${o.seed}`);
  for (const w of data.dataset.warnings) log(`ablate-bounds: warning: ${w}`);
  const started = performance.now();
  const result: BoundAblationResult = await ablateBounds(
    { train: data.train, val: data.val, test: data.test, preprocessor: data.preprocessor, classes: data.task === 'regression' ? 1 : data.classes },
    { eps: o.eps, delta: o.delta, betas: o.beta, task: data.task, hidden: o.hidden, epochs: o.epochs, lr: o.lr, batch: o.batch, seed: o.seed, patience: o.patience },
    {
      onRun: (r, i, n) => log(
        `ablate-bounds: [${i + 1}/${n}] β ${r.beta}, α ${r.alpha}: test ${r.metric} ${r.test.toFixed(4)} (exact), ${r.testSmooth.toFixed(4)} (smooth); ` +
        `binarity ${r.binarity.toFixed(4)}; best epoch ${r.bestEpoch}/${r.epochsRun}; ${r.seconds.toFixed(1)} s` + (r.stoppedOnNaN ? `; NaN loss at epoch ${r.stoppedOnNaN.epoch}` : ''),
      ),
    },
  );
  const description = `${data.name}, ${data.train.rows}/${data.val.rows}/${data.test.rows} rows`;
  const md = [`# Bound ablation (Appendix F.1, Figure 6)`, '', `data: ${describeData(data)}`, ...ablationMarkdown(result)];
  const files: string[] = [];
  files.push(writeText(command, o.out, 'ablate_bounds.md', md.join('\n') + '\n'));
  files.push(writeText(command, o.out, 'ablate_bounds.csv', ablationCsv(result)));
  const json = { kind: 'htaf-ablate-bounds', data: { name: data.name, file: data.file, target: data.target, task: data.task }, ...result };
  files.push(writeText(command, o.out, 'ablate_bounds.json', JSON.stringify(toJsonSafe(json), null, 1) + '\n'));
  const fig = await writeFigure6(o.out, result, description, 'figure6_bounds_ablation', figureOptions(command, o.out, o.scale));
  files.push(fig.svg, fig.png);
  log(`ablate-bounds: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (o.json) {
    console.log(JSON.stringify(toJsonSafe({ ...json, files })));
    return;
  }
  for (const l of md.slice(2)) console.log(l);
  console.log('');
  for (const f of files) console.log(f);
}

export function registerAblateBounds(program: Command): void {
  studyDataOptions(program
    .command('ablate-bounds')
    .description('Appendix F.1: HTAF with alpha = alpha_min(beta) of Proposition 3.1 for each beta; test AUROC (exact steps) and binarity against beta (Figure 6)'))
    .option('--eps <e>', 'Proposition 3.1 accuracy, in (0, 1/2)', epsOption, 0.1)
    .option('--delta <d>', 'Proposition 3.1 half-width of the excluded neighbourhood of 0, > 0', positiveNumber('--delta'), 0.1)
    .addOption(new Option('--beta <list>', 'comma-separated betas, each > beta_min = ln((1 - eps)/eps)').argParser(betaList)
      .default([...ABLATION_BETAS], `Table 6's ${ABLATION_BETAS.join(',')}`))
    .addOption(new Option('--hidden <widths>', 'hidden layer widths').argParser(shapeList('--hidden')).default([...ABLATION_HIDDEN], ABLATION_HIDDEN.join(',')))
    .option('--epochs <n>', 'epochs per run (the paper: 1000)', positiveInt('--epochs'), 100)
    .option('--lr <x>', "Adam's learning rate", positiveNumber('--lr'), 1e-3)
    .option('--batch <n>', 'batch size', positiveInt('--batch'), 128)
    .option('--patience <n>', 'stop a run when validation has not improved for this many epochs (0: never); the best epoch is kept', nonNegativeInt('--patience'), 0)
    .option('--seed <n>', 'seed of the split, the weights and the batch order', nonNegativeInt('--seed'), 0)
    .option('--out <dir>', 'output directory (created if missing)', 'ablate-bounds-out')
    .option('--scale <n>', 'PNG pixels per SVG pixel', pngScale, 2)
    .option('--json', 'print one JSON line (everything, with the files written) instead of the table')
    .option('--quiet', 'no progress lines on stderr')
    .action((o) => runAblateBounds(o));
}
