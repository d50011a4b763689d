// `htaf demo`: until the tabular issue gives it its real job, train a small HTAF MLP on a synthetic
// task and show that swapping HTAF for the exact step at inference keeps the accuracy.
import type { Command } from 'commander';
import { runSyntheticDemo } from '../demo/synthetic.js';
import { nonNegativeInt, positiveInt } from './options.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('train a small HTAF network on a synthetic task; accuracy with smooth and with exact steps')
    .option('--seed <n>', 'seed', nonNegativeInt('--seed'), 0)
    .option('--epochs <n>', 'epochs', positiveInt('--epochs'), 30)
    .action((o) => {
      runSyntheticDemo({ seed: o.seed, epochs: o.epochs, log: (line) => console.log(line) });
    });
}
