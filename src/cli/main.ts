// `npx htaf`: one file per command, wired here.
import { Command } from 'commander';
import { registerBench } from './bench.js';
import { registerDemo } from './demo.js';
import { registerPlot } from './plot.js';
import { registerBounds } from './bounds.js';
import { registerActivations } from './activations.js';
import { registerCompare } from './compare.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('htaf').description('Exact binary representations: HTAF, deep Heaviside, binary and spiking networks on libtorch');
  program.showHelpAfterError();
  registerDemo(program);
  registerBench(program);
  registerPlot(program);
  registerBounds(program);
  registerActivations(program);
  registerCompare(program);
  (await import('./train.js')).registerTrain(program);
  (await import('./export.js')).registerExport(program);
  (await import('./gradients.js')).registerGradients(program);
  (await import('./ablate_bounds.js')).registerAblateBounds(program);
  (await import('./images.js')).registerImages(program);
  await (await import('./icbm.js')).registerIcbm(program);
  await program.parseAsync(argv);
}
