// `htaf export` (a run → one .htafb file for the dependency-free runtime) and `htaf predict` (score a
// CSV with such a file). The work is in src/export; this file parses options and prints.
import { Option, type Command } from 'commander';
import { exportTabularRun } from '../export/tabular.js';
import { exportRunAsOnnx } from '../export/onnx_file.js';
import { scoreCsv } from '../export/score.js';
import { builtinDatasets, dataFile } from '../data/builtin.js';
import { csvText } from '../report/csv.js';
import { writeBytesAtomically } from '../io/atomic_file.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a trained run as one .htafb file the runtime (htaf/runtime, no libtorch) runs; tabular runs for now')
    .requiredOption('--run <dir>', 'the --out folder of htaf train')
    .option('--out <file>', 'the model file (default <run>/model.htafb, or <run>/model.onnx)')
    .addOption(new Option('--format <name>', 'htafb (the runtime\'s), or onnx (opset 17: input \'input\' [N, ...], output \'logits\')').choices(['htafb', 'onnx']).default('htafb'))
    .option('--json', 'print one JSON line {"out","bytes","checkpointBytes","layers"} (onnx: {"out","format","bytes","htafbBytes","checkpointBytes"})')
    .action((o: { run: string; out?: string; format: string; json?: boolean }) => {
      if (o.format === 'onnx') {
        const r = exportRunAsOnnx(o.run, o.out);
        if (o.json) console.log(JSON.stringify({ out: r.out, format: 'onnx', bytes: r.bytes, htafbBytes: r.htafbBytes, checkpointBytes: r.checkpointBytes }));
        else console.log(`wrote ${r.out}: ${r.bytes} bytes of ONNX (the .htafb: ${r.htafbBytes}; best.safetensors: ${r.checkpointBytes})`);
        return;
      }
      const r = exportTabularRun(o.run, o.out);
      const layers = r.graph.layers.map((l) => l.op);
      if (o.json) {
        console.log(JSON.stringify({ out: r.out, bytes: r.bytes, checkpointBytes: r.checkpointBytes, layers }));
        return;
      }
      console.log(`wrote ${r.out}: ${r.bytes} bytes (best.safetensors: ${r.checkpointBytes}); ${r.graph.inputs} inputs → ${layers.join(' → ')} → ${r.graph.outputs} outputs`);
    });

  program
    .command('predict')
    .description('score the rows of a CSV with an exported model (htaf export), through the runtime')
    .requiredOption('--model <file>', 'a .htafb file from htaf export')
    .requiredOption('--data <file|name>', `a CSV file with the training columns (the target column optional), or a built-in dataset (${Object.keys(builtinDatasets).join(', ')})`)
    .addOption(new Option('--engine <name>', 'the runtime kernels: js (wasm and native are not built yet)').choices(['js']).default('js'))
    .option('--out <file>', 'write one CSV line per row: row, prediction, score(s)')
    .option('--json', 'print one JSON line {"examples","engine","accuracy"?}')
    .action((o: { model: string; data: string; engine: string; out?: string; json?: boolean }) => {
      const r = scoreCsv(o.model, dataFile('htaf predict', o.data).file);
      const g = r.model.graph;
      const p = r.prediction;
      if (o.out !== undefined) {
        const k = g.outputs;
        const scores = k === 1 ? ['score'] : Array.from({ length: k }, (_, c) => `score_${g.classes?.[c] ?? c}`);
        const rows = Array.from({ length: p.rows }, (_, i) => {
          const label = p.classes ? (g.classes?.[p.classes[i]] ?? p.classes[i]) : r.unscale(p.outputs[i]);
          return [i, label, ...Array.from(p.outputs.subarray(i * k, (i + 1) * k))];
        });
        writeBytesAtomically(o.out, csvText(['row', 'prediction', ...scores], rows), 'htaf predict --out');
      }
      const summary = { examples: p.rows, engine: o.engine, ...(r.accuracy !== undefined ? { accuracy: r.accuracy } : {}) };
      if (o.json) console.log(JSON.stringify(summary));
      else console.log(`${p.rows} rows scored with the ${o.engine} runtime${r.accuracy !== undefined ? `; accuracy ${r.accuracy.toFixed(4)}` : ''}${o.out ? `; wrote ${o.out}` : ''}`);
    });
}
