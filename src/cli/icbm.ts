// `htaf icbm`: Implicit Concept Bottleneck Models (issue 6). One subcommand per file: train and explain
// (icbm_train.ts, icbm_explain.ts), report (icbm_report.ts), name (icbm_name.ts).
import type { Command } from 'commander';

export async function registerIcbm(program: Command): Promise<void> {
  const icbm = program
    .command('icbm')
    .description('Implicit Concept Bottleneck Models: train, report, name concepts, explain predictions');
  (await import('./icbm_train.js')).registerIcbmTrain(icbm);
  (await import('./icbm_explain.js')).registerIcbmExplain(icbm);
  (await import('./icbm_report.js')).registerIcbmReport(icbm);
  (await import('./icbm_name.js')).registerIcbmName(icbm);
}
