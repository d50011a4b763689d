// A tabular DHN trained with htaf, exported to one .htafb file, and run by the dependency-free runtime
// (htaf/runtime: no libtorch, 1 bit per hidden activation). Run: node dist/examples/runtime_tabular.js
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitPreprocessor, loadBuiltin, randomSplit, trainRun } from '../src/index.js';
import { exportTabularRun } from '../src/export/tabular.js';
import { loadModel } from '../src/runtime/index.js';

const dir = mkdtempSync(join(tmpdir(), 'htaf-runtime-example-'));
try {
  const data = loadBuiltin('churn');
  const split = randomSplit(data.table.rows.length, 0);
  const pre = fitPreprocessor(data, split.train);
  const test = pre.encode(split.test);
  await trainRun(
    { task: 'binary', method: 'htaf', hidden: [64, 32], epochs: 5, lr: 3e-3, optimizer: 'adam', batch: 128, seed: 0, patience: 0 },
    { train: pre.encode(split.train), val: pre.encode(split.val), test, preprocessor: pre, classes: 2 },
    { outDir: dir },
  );
  const { out, bytes } = exportTabularRun(dir);                     // the same as: htaf export --run DIR
  const model = loadModel(new Uint8Array(readFileSync(out)));        // from here on, no libtorch
  const p = model.predict(test.x, test.rows);
  let right = 0;
  for (let i = 0; i < test.rows; i++) if (p.classes![i] === test.y[i]) right++;
  console.log(`exported ${bytes} bytes: ${model.info().layers.map((l) => l.op).join(' → ')}`);
  console.log(`runtime test accuracy: ${(right / test.rows).toFixed(3)} on ${test.rows} rows; share of ones per step layer: ${p.activity.map((a) => a.ones.toFixed(2)).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
