// `htaf icbm explain` and `htaf icbm table`: one prediction explained by its concepts (Figure 5b), with
// concept intervention (--flip), and Table 3 for a class. A test image given by --index is read from the
// run's stored bits (no model needed); an image file (--image) goes through the trained ICBM.
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { conceptTableCsv, conceptTableJson, conceptTableMarkdown, conceptTableText } from '../report/concept_table.js';
import { conceptModelFromRun, conceptTable, explainBits, formatExplanation, formatIntervention, intervene, readIcbmRun, type IcbmRunData } from '../concepts/index.js';
import { decodeImageFile, evalBatches } from '../data/images/index.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tidy } from '../core/scope.js';
import { withStepMode } from '../activations/index.js';
import type { Icbm } from '../models/index.js';
import { icbmFactory } from '../train/icbm_train.js';
import { loadImageModel } from '../train/image_trainer.js';
import { checkConceptLayer } from '../models/icbm.js';
import { nonNegativeInt, oneOf, positiveInt } from './options.js';

/** The exact concept bits of an image file, through the run's trained ICBM (<run>/icbm/best.safetensors). */
async function bitsOfImage(runDir: string, run: IcbmRunData, file: string): Promise<Uint8Array> {
  const [c, h, w] = run.meta.imageShape;
  if (c !== 1 && c !== 3) throw new Error(`icbm explain: the run's images have ${c} channels; --image takes 1 (gray) or 3 (RGB)`);
  const pixels = await decodeImageFile(file, c, h, w);
  const factory = icbmFactory(run.meta.concepts, run.meta.method, checkConceptLayer(`${runDir}/run.json`, run.meta.conceptLayer));
  const { model } = loadImageModel(join(runDir, 'icbm', 'best.safetensors'), factory);
  try {
    // One image as a dataset, so it is standardized exactly as the run's test images were.
    const image = { images: pixels, labels: Int32Array.of(0), channels: c, height: h, width: w, classes: run.meta.classes, source: file };
    return tidy(() => {
      const [batch] = evalBatches(image, 1, run.meta.stats);
      const z = noGrad(() => withStepMode(model, 'exact', () => (model as Icbm).concepts(batch.x)));
      return Uint8Array.from(z.toTypedArray() as Float32Array);
    });
  } finally {
    model.dispose();
  }
}

function classIndex(run: IcbmRunData, value: string): number {
  const byName = run.meta.classes.indexOf(value);
  if (byName >= 0) return byName;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 0 && n < run.meta.classes.length) return n;
  throw new InvalidArgumentError(`--class must be a class name or an index in [0, ${run.meta.classes.length}); got '${value}' (classes: ${run.meta.classes.join(', ')})`);
}

export function registerIcbmExplain(icbm: Command): void {
  icbm
    .command('explain')
    .description("explain one prediction by its concepts: the image's bits on the predicted and true class's top nodes against each class's usual bits; --flip switches a concept")
    .requiredOption('--run <dir>', 'the run directory (htaf icbm train --out)')
    .option('--index <n>', "a test image of the run, by its index in the run's test set", nonNegativeInt('--index'))
    .option('--image <file>', 'an image file (PNG/JPEG), resized to the run\'s image shape and run through the trained ICBM')
    .option('--top-k <k>', 'nodes per class', positiveInt('--top-k'), 5)
    .option('--flip <node>', 'switch this concept and show how the prediction changes', nonNegativeInt('--flip'))
    .option('--json', 'print the explanation as JSON')
    .action(async (o) => {
      if ((o.index === undefined) === (o.image === undefined)) throw new InvalidArgumentError('give exactly one of --index N and --image FILE');
      const run = readIcbmRun(o.run);
      const m = run.meta.concepts;
      if (o.flip !== undefined && o.flip >= m) throw new InvalidArgumentError(`--flip ${o.flip} is out of range: the run has ${m} concepts (nodes 0 to ${m - 1})`);
      let bits: Uint8Array;
      let trueLabel: number | undefined;
      if (o.index !== undefined) {
        const n = run.testLabels.length;
        if (o.index >= n) throw new InvalidArgumentError(`--index ${o.index} is out of range: the run's test set has ${n} images`);
        bits = run.testBits.slice(o.index * m, (o.index + 1) * m);
        trueLabel = run.testLabels[o.index];
      } else {
        bits = await bitsOfImage(o.run, run, o.image);
      }
      const model = conceptModelFromRun(run);
      const explanation = explainBits(model, bits, { trueLabel, topK: o.topK });
      const intervention = o.flip === undefined ? undefined : intervene(model, bits, o.flip);
      if (o.json) {
        console.log(JSON.stringify({ explanation, bits: Array.from(bits), ...(intervention ? { intervention: { ...intervention, bits: Array.from(intervention.bits) } } : {}) }));
        return;
      }
      process.stdout.write(formatExplanation(explanation));
      if (intervention) process.stdout.write(`\n${formatIntervention(intervention)}`);
    });

  icbm
    .command('table')
    .description("Table 3 for a class: each concept's name, the meaning of 0 and 1, and its importance for the class")
    .requiredOption('--run <dir>', 'the run directory')
    .requiredOption('--class <name|index>', 'the class (name or index)')
    .option('--top-k <k>', 'only the k most important concepts', positiveInt('--top-k'))
    .option('--format <f>', 'text|md|csv|json', oneOf('--format', ['text', 'md', 'csv', 'json'] as const), 'text')
    .action((o) => {
      const run = readIcbmRun(o.run);
      const table = conceptTable(conceptModelFromRun(run), classIndex(run, o.class), { topK: o.topK });
      const out = { text: conceptTableText, md: conceptTableMarkdown, csv: conceptTableCsv, json: (t: typeof table) => `${JSON.stringify(conceptTableJson(t))}\n` }[o.format as 'text'](table);
      process.stdout.write(out);
    });
}
