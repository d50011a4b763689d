// An Implicit Concept Bottleneck Model in one page (docs/method.md §4): train a tiny ICBM and its standard (ReLU)
// model on a seeded subset of Fashion-MNIST, print Table 2/9/10's figures, name the binary concepts
// offline from the shipped class × attribute table, explain one test prediction by its concepts, and
// switch one concept to see the prediction change (concept intervention).
// Run: node dist/examples/icbm_quickstart.js   (reads Fashion-MNIST from Debian's dataset-fashion-mnist,
// or from the folder $HTAF_FASHION_MNIST_DIR names; about a minute on 2 CPU cores)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conceptModelFromRun, conceptTable, conceptTableText, explainBits, formatExplanation, formatIntervention, intervene, nameConcepts, readIcbmRun, trainIcbm } from '../src/concepts.js';
import { loadFashionMnist, subsetImages } from '../src/images.js';
import { topNodes } from '../src/index.js';

const seed = 0;
const fashion = loadFashionMnist();
// Seeded, stratified subsets keep the example quick; drop them (and raise the sizes below) for real runs.
const data = { name: fashion.name, train: subsetImages(fashion.train, 2000, seed), test: subsetImages(fashion.test, 500, seed) };
console.log(`${data.name}: ${data.train.labels.length} training and ${data.test.labels.length} test images`);

// The ICBM: a small WideResNet whose last Linear gives M = 16 concept pre-activations, BatchNorm1d, HTAF
// (exact step at inference) and a linear head. The standard model is the same network with ReLU there.
const outDir = mkdtempSync(join(tmpdir(), 'htaf-icbm-example-'));
const { metrics } = await trainIcbm(
  {
    backbone: 'wrn', concepts: 16, method: 'htaf:alpha=2,beta=11', conceptLayer: 'linear-bn', size: { depth: 10, width: 1, baseWidth: 8 },
    train: { epochs: 3, batch: 32, lr: 0.005, seed },
  },
  data,
  { outDir },
);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
console.log(`standard model: accuracy ${pct(metrics.standard.accuracy)}`);
console.log(`ICBM: accuracy ${pct(metrics.icbm.smoothAccuracy)} smooth, ${pct(metrics.icbm.accuracy)} with exact 0/1 concepts; ` +
  `binarity ${pct(metrics.icbm.binarity)}; concept accuracy ${pct(metrics.icbm.conceptAccuracy)}`);
console.log(`BM (standard features binarized at their medians): accuracy ${pct(metrics.bm.accuracyBefore)} -> ${pct(metrics.bm.accuracy)}; ` +
  `concept accuracy ${pct(metrics.bm.conceptAccuracy)}`);

// Name the concepts without an LLM: each node takes the attribute (or its complement) whose classes best
// match the classes it is on for. `htaf icbm name --llm-url ...` asks an LLM instead.
const run = readIcbmRun(outDir);
const named = await nameConcepts(run, { dir: outDir, candidatesFile: join(import.meta.dirname, '../../datasets/fashion-mnist-attributes.csv') });
console.log(`\nnamed ${named.summary.named} of ${run.meta.concepts} concepts (${named.summary.constant.length} constant over the classes)`);
for (const n of named.names) console.log(`  node ${n.node}: ${n.name} (0: ${n.zero}; 1: ${n.one})`);

// Explain test image 0 from its stored concept bits, then switch the predicted class's most important concept.
const withNames = readIcbmRun(outDir);
const model = conceptModelFromRun(withNames);
const m = withNames.meta.concepts;
const index = 0;
const bits = withNames.testBits.slice(index * m, (index + 1) * m);
const explanation = explainBits(model, bits, { trueLabel: withNames.testLabels[index], topK: 3 });
console.log(`\n${formatExplanation(explanation)}`);
const node = topNodes(model.importance, explanation.predicted, 1, m)[0];
process.stdout.write(formatIntervention(intervene(model, bits, node)));

// Table 3 for the predicted class: concept, meaning of 0 and 1, importance.
process.stdout.write(`\n${conceptTableText(conceptTable(model, explanation.predicted, { topK: 5 }))}`);
rmSync(outDir, { recursive: true });
