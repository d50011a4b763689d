// `htaf export` (a run → one .htafb file for the dependency-free runtime) and `htaf predict` (score a
// CSV, an image folder or a dataset's test split with such a file). The work is in src/export; this file
// parses options and prints.
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { exportRun } from '../export/run.js';
import { exportRunAsOnnx } from '../export/onnx_file.js';
import { scoreCsv } from '../export/score.js';
import { scoreImages } from '../export/score_images.js';
import { readImageFiles } from '../export/image_files.js';
import { ENGINES, kernelsFor, type EngineName } from '../export/engines.js';
import { builtinDatasets, dataFile } from '../data/builtin.js';
import { loadModel, type RuntimeModel } from '../runtime/index.js';
import { csvText } from '../report/csv.js';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { datasetOption, loadData } from './image_common.js';
import { nonNegativeInt, positiveInt } from './options.js';

interface PredictOptions {
  model: string;
  data?: string;
  images?: string;
  dataset?: string;
  testSize?: number;
  seed: number;
  engine: EngineName;
  out?: string;
  json?: boolean;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a trained run (htaf train, images train, icbm train) as one .htafb file the runtime (htaf/runtime, no libtorch) runs, or as an ONNX model')
    .requiredOption('--run <dir>', 'the --out folder of htaf train, htaf images train or htaf icbm train')
    .option('--out <file>', 'the model file (default <run>/model.htafb, or <run>/model.onnx)')
    .addOption(new Option('--format <name>', 'htafb (the runtime\'s), or onnx (opset 17: input \'input\' [N, ...], output \'logits\', ICBM also \'concepts\')').choices(['htafb', 'onnx']).default('htafb'))
    .option('--json', 'print one JSON line {"out","bytes","checkpointBytes","ops"} (onnx: {"out","format","bytes","htafbBytes","checkpointBytes"})')
    .action((o: { run: string; out?: string; format: string; json?: boolean }) => {
      if (o.format === 'onnx') {
        const r = exportRunAsOnnx(o.run, o.out);
        if (o.json) console.log(JSON.stringify({ out: r.out, format: 'onnx', bytes: r.bytes, htafbBytes: r.htafbBytes, checkpointBytes: r.checkpointBytes }));
        else console.log(`wrote ${r.out}: ${r.bytes} bytes of ONNX (the same network's .htafb: ${r.htafbBytes}; best.safetensors: ${r.checkpointBytes})`);
        return;
      }
      const r = exportRun(o.run, o.out);
      const ops = r.graph.nodes.map((l) => l.op);
      if (o.json) {
        console.log(JSON.stringify({ out: r.out, bytes: r.bytes, checkpointBytes: r.checkpointBytes, ops }));
        return;
      }
      const counts = [...new Set(ops)].map((op) => `${ops.filter((x) => x === op).length} ${op}`).join(', ');
      console.log(`wrote ${r.out}: ${r.bytes} bytes (best.safetensors: ${r.checkpointBytes}); input [${r.graph.input}] → ${r.graph.outputs} outputs through ${counts}`);
    });

  program
    .command('predict')
    .description('score a CSV, an image folder or a dataset\'s test images with an exported model (htaf export), through the runtime')
    .requiredOption('--model <file>', 'a .htafb file from htaf export')
    .option('--data <file|name>', `tabular models: a CSV file with the training columns (the target column optional), or a built-in dataset (${Object.keys(builtinDatasets).join(', ')})`)
    .option('--images <dir>', 'image models: every PNG/JPEG under DIR (a file in a folder named after a class is labeled with it)')
    .option('--dataset <spec>', 'image models: a dataset\'s test split (fashion-mnist, cifar10:DIR, ...)', datasetOption)
    .option('--test-size <n>', 'with --dataset: a seeded, stratified subset of the test images', positiveInt('--test-size'))
    .option('--seed <n>', 'the seed of --test-size\'s subset', nonNegativeInt('--seed'), 0)
    .addOption(new Option('--engine <name>', 'the runtime kernels').choices([...ENGINES]).default('js'))
    .option('--out <file>', 'write one CSV line per example: row (or file), prediction, score(s)')
    .option('--json', 'print one JSON line {"examples","engine","accuracy"?}')
    .action(async (o: PredictOptions) => {
      const given = (['data', 'images', 'dataset'] as const).filter((k) => o[k] !== undefined);
      if (given.length !== 1) throw new Error(`htaf predict: give exactly one of --data FILE.csv, --images DIR, --dataset NAME${given.length ? ` (got ${given.map((k) => `--${k}`).join(' and ')})` : ''}`);
      const model = loadModel(new Uint8Array(readFileSync(o.model)), { kernels: kernelsFor(o.engine) });
      const r = o.data !== undefined ? predictCsv(o.model, o.data, o) : await predictImages(model, o);
      const summary = { examples: r.examples, engine: o.engine, ...(r.accuracy !== undefined ? { accuracy: r.accuracy } : {}) };
      if (o.json) console.log(JSON.stringify(summary));
      else console.log(`${r.examples} examples scored with the ${o.engine} runtime${r.accuracy !== undefined ? `; accuracy ${r.accuracy.toFixed(4)}` : ''}${o.out ? `; wrote ${o.out}` : ''}`);
    });
}

function writeScores(out: string, g: RuntimeModel['graph'], ids: (string | number)[], labels: (string | number)[], scores: Float32Array): void {
  const k = g.outputs;
  const header = k === 1 ? ['score'] : Array.from({ length: k }, (_, c) => `score_${g.classes?.[c] ?? c}`);
  const rows = ids.map((id, i) => [id, labels[i], ...Array.from(scores.subarray(i * k, (i + 1) * k))]);
  writeBytesAtomically(out, csvText(['row', 'prediction', ...header], rows), 'htaf predict --out');
}

function predictCsv(modelFile: string, data: string, o: PredictOptions): { examples: number; accuracy?: number } {
  const r = scoreCsv(modelFile, dataFile('htaf predict', data).file, kernelsFor(o.engine));
  const g = r.model.graph;
  const p = r.prediction;
  if (o.out !== undefined) {
    const labels = Array.from({ length: p.rows }, (_, i) => (p.classes ? (g.classes?.[p.classes[i]] ?? p.classes[i]) : r.unscale(p.outputs[i])));
    writeScores(o.out, g, Array.from({ length: p.rows }, (_, i) => i), labels, p.outputs);
  }
  return { examples: p.rows, accuracy: r.accuracy };
}

async function predictImages(model: RuntimeModel, o: PredictOptions): Promise<{ examples: number; accuracy?: number }> {
  const g = model.graph;
  if (g.kind !== 'image') throw new Error(`htaf predict --model '${o.model}': a tabular model; score it with --data FILE.csv`);
  let ids: (string | number)[];
  let ds;
  if (o.images !== undefined) {
    const files = await readImageFiles(o.images, g.input, g.classes ?? []);
    ids = files.files;
    ds = files.dataset;
  } else {
    ds = (await loadData('htaf predict', { dataset: o.dataset!, testSize: o.testSize, seed: o.seed })).test;
    ids = Array.from({ length: ds.labels.length }, (_, i) => i);
  }
  const r = scoreImages(model, ds);
  if (o.out !== undefined) writeScores(o.out, g, ids, Array.from(r.classes, (c) => g.classes?.[c] ?? c), r.logits);
  return { examples: ds.labels.length, accuracy: r.accuracy };
}
