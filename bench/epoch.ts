// Seconds per training epoch of the tabular MLP (issue 4), htaf's trainRun against the same loop in
// PyTorch (bench/peer/epoch.py), on the same encoded churn features, in one run (A B A B ...).
// One epoch = a shuffled pass of minibatches (forward, BCE-with-logits, backward, Adam) + the validation
// AUROC with exact steps, as trainRun does it.
//   node dist/bench/epoch.js [--methods relu,htaf:alpha=2,beta=11] [--epochs 8] [--rounds 3] [--batch 256] [--threads 2]
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  fitPreprocessor, fromTypedArray, loadBuiltin, randomSplit, saveSafetensors, setNumThreads, tidy, trainRun, type Encoded,
} from '../src/index.js';
import { median } from '../src/bench/stats.js';

const ROOT = join(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    methods: { type: 'string', default: 'relu;htaf:alpha=2,beta=11' },
    epochs: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '256' },
    threads: { type: 'string', default: '2' },
    'measure-only': { type: 'string' }, // internal: time htaf alone for one method and print JSON
  },
});
const epochs = Number(values.epochs);
const batch = Number(values.batch);
const threads = Number(values.threads);

function churnSplits(): { train: Encoded; val: Encoded; test: Encoded; classes: number; pre: ReturnType<typeof fitPreprocessor> } {
  const ds = loadBuiltin('churn');
  const split = randomSplit(ds.table.rows.length, 0);
  const pre = fitPreprocessor(ds, split.train);
  return { train: pre.encode(split.train), val: pre.encode(split.val), test: pre.encode(split.test), classes: ds.classes.length, pre };
}

async function measureHtaf(method: string): Promise<number> {
  setNumThreads(threads);
  const d = churnSplits();
  const stamps: number[] = [];
  let last = performance.now();
  await trainRun(
    { task: 'binary', method, hidden: [256, 256, 128], epochs, lr: 1e-3, optimizer: 'adam', batch, seed: 0, patience: 0 },
    { train: d.train, val: d.val, test: d.test, preprocessor: d.pre, classes: d.classes },
    { onEpoch: () => { const now = performance.now(); stamps.push((now - last) / 1000); last = now; } },
  );
  return median(stamps.slice(1)); // the first epoch includes start-up
}

if (values['measure-only']) {
  console.log(JSON.stringify({ impl: 'htaf', method: values['measure-only'], s_per_epoch: await measureHtaf(values['measure-only']) }));
} else {
  // The encoded features for the peer, so both sides train on identical inputs.
  const d = churnSplits();
  const dir = join(ROOT, '.bench-out');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'churn_encoded.safetensors');
  tidy(() => saveSafetensors(file, {
    x_train: fromTypedArray(d.train.x, [d.train.rows, d.train.features]), y_train: fromTypedArray(d.train.y),
    x_val: fromTypedArray(d.val.x, [d.val.rows, d.val.features]), y_val: fromTypedArray(d.val.y),
  }));
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const run = (cmd: string, args: string[]): Record<string, number> => {
    const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  };
  console.log(`churn: ${d.train.rows} training rows × ${d.train.features} features, MLP 256-256-128, Adam 1e-3, batch ${batch}, ${epochs} epochs per run`);
  console.log(`| method | htaf s/epoch (median of ${values.rounds}) | PyTorch s/epoch | ratio htaf/PyTorch |`);
  console.log('|---|---|---|---|');
  for (const method of values.methods!.split(';')) {
    const ours: number[] = [];
    const peer: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < Number(values.rounds); r++) {
      const a = run(process.execPath, [join(ROOT, 'dist/bench/epoch.js'), '--measure-only', method, '--epochs', String(epochs), '--batch', String(batch), '--threads', String(threads)]).s_per_epoch;
      const b = run('/usr/bin/python3', [join(ROOT, 'bench/peer/epoch.py'), '--data', file, '--method', method, '--epochs', String(epochs), '--batch', String(batch), '--threads', String(threads)]).s_per_epoch;
      ours.push(a);
      peer.push(b);
      ratios.push(a / b);
    }
    console.log(`| ${method} | ${median(ours).toFixed(4)} | ${median(peer).toFixed(4)} | ${median(ratios).toFixed(3)} |`);
  }
}
