// `htaf icbm report --run DIR`: the HTML report of an ICBM run (src/report/icbm_report.ts) written to
// <run>/report/index.html, with its figures as PNG in <run>/report/figures/. Reads the run folder that
// `htaf icbm train` wrote (and the names `htaf icbm name` added); nothing is trained here.
import { resolve, join } from 'node:path';
import type { Command } from 'commander';
import { readIcbmRun } from '../concepts/run_data.js';
import { ICBM_REPORT_DEFAULTS, writeIcbmReport, type IcbmReportFiles } from '../report/icbm_report.js';
import { ensureOutDir, pngScale } from './gradients.js';
import { positiveInt } from './options.js';

export interface IcbmReportCliOptions {
  run: string;
  out?: string;
  topK: number;
  maxNodes: number;
  samplesPerGroup: number;
  scale: number;
  json?: boolean;
}

/** Runs the command: reads the run, writes the report, prints the files written (or one JSON line). */
export async function runIcbmReport(o: IcbmReportCliOptions): Promise<IcbmReportFiles> {
  const at = 'htaf icbm report';
  let run;
  try {
    run = readIcbmRun(o.run);
  } catch (err) {
    throw new Error(`${at} --run '${o.run}': ${(err as Error).message}`);
  }
  const out = o.out ?? join(o.run, 'report');
  ensureOutDir(at, out);
  let files: IcbmReportFiles;
  try {
    files = await writeIcbmReport(run, out, { topK: o.topK, maxNodes: o.maxNodes, samplesPerGroup: o.samplesPerGroup, pngScale: o.scale });
  } catch (err) {
    throw new Error(`${at}: ${(err as Error).message}`);
  }
  if (o.json) {
    console.log(JSON.stringify(files));
  } else {
    console.log(files.html);
    console.log(`open file://${resolve(files.html)} in a browser; figures: ${files.figures.length} PNG files in ${join(out, 'figures')}`);
  }
  return files;
}

/** Adds `report` to the `htaf icbm` command. */
export function registerIcbmReport(icbm: Command): void {
  const d = ICBM_REPORT_DEFAULTS;
  icbm
    .command('report')
    .description('a self-contained HTML report of an ICBM run: metrics, class specificity against the matched-threshold baseline, feature outputs, top nodes per class, and each node\'s class groups with sample images; figures also as PNG')
    .requiredOption('--run <dir>', 'the ICBM run folder (htaf icbm train --out)')
    .option('--out <dir>', 'output folder (created if missing; default <run>/report)')
    .option('--top-k <k>', "nodes listed for each class, by importance |w|", positiveInt('--top-k'), d.topK)
    .option('--max-nodes <n>', "every node gets a section when M <= n; otherwise the classes' top-k nodes, at most n", positiveInt('--max-nodes'), d.maxNodes)
    .option('--samples-per-group <n>', 'sample images shown for each group (activated, unactivated) of a node', positiveInt('--samples-per-group'), d.samplesPerGroup)
    .option('--scale <n>', 'PNG pixels per SVG pixel for the figure files', pngScale, 2)
    .option('--json', 'print the files written as one JSON line')
    .action(async (o: IcbmReportCliOptions) => {
      await runIcbmReport(o);
    });
}
