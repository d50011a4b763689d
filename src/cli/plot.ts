// `htaf plot activations|bounds`: the paper's Figures 1 and 2 from theory, as SVG and PNG (src/report).
import { InvalidArgumentError, type Command } from 'commander';
import type { PlotFiles, PlotOptions } from '../report/plot.js';
import { writeFigure1, writeFigure2 } from '../report/plots/index.js';

function pngScale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 8) throw new InvalidArgumentError(`--scale must be a number in (0, 8], got '${value}'`);
  return n;
}

async function run(figure: string, write: (dir: string, o: PlotOptions) => Promise<PlotFiles>, o: { out: string; scale: number }): Promise<void> {
  let files: PlotFiles;
  try {
    files = await write(o.out, { pngScale: o.scale });
  } catch (err) {
    // The library's message names the file ("plot: cannot write PATH: ..."); say which option chose it.
    throw new Error(`htaf plot ${figure} --out '${o.out}': ${(err as Error).message.replace(/^plot: /, '')}`);
  }
  console.log(files.svg);
  console.log(files.png);
}

export function registerPlot(program: Command): void {
  const plot = program.command('plot').description("draw the paper's figures as SVG and PNG (vega-lite + sharp)");
  const common = (c: Command) => c
    .option('--out <dir>', 'output directory (created if missing)', 'plots')
    .option('--scale <n>', 'PNG pixels per SVG pixel', pngScale, 2);

  common(plot.command('activations'))
    .description('Figure 1: HTAF against H for several (α, β) with αβ = 22, the gradients (log scale), and HTAF′/SS′ with γ = αβ in the tail')
    .action((o) => run('activations', writeFigure1, o));

  common(plot.command('bounds'))
    .description('Figure 2: Proposition 3.1, α_min(β) and β·α_min(β) for several (ε, δ), with the limit L/δ marked')
    .action((o) => run('bounds', writeFigure2, o));
}
