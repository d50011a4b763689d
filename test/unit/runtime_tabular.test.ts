// The dependency-free runtime (src/runtime) on an exported tabular DHN (src/export/tabular.ts): trained
// briefly on churn, exported, run with the JS kernels; its predicted classes equal htaf's exact mode
// (libtorch, float32) on at least 99.9% of the rows, each disagreement traced to a pre-activation within
// 1e-5 of its step's threshold; activations take 1 bit per hidden unit; bad files and inputs are errors
// that say what is wrong; `htaf export` and `htaf predict` end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TabularMlp, fitPreprocessor, fromTypedArray, loadBuiltin, loadCheckpoint, noGrad, randomSplit, tidy, trainRun, withStepMode,
} from '../../src/index.js';
import { exportTabularRun } from '../../src/export/tabular.js';
import { loadModel } from '../../src/runtime/index.js';
import { runCli } from '../cli/run.js';

const CONFIG = { task: 'binary' as const, method: 'htaf', hidden: [64, 32], epochs: 3, lr: 3e-3, optimizer: 'adam' as const, batch: 128, seed: 4, patience: 0 };

async function trainedRun(dir: string) {
  const data = loadBuiltin('churn');
  const split = randomSplit(data.table.rows.length, 4);
  const pre = fitPreprocessor(data, split.train);
  const test = pre.encode(split.test);
  await trainRun(CONFIG, { train: pre.encode(split.train), val: pre.encode(split.val), test, preprocessor: pre, classes: 2 }, { outDir: dir });
  return { test };
}

/** htaf's exact-mode logits (libtorch float32) of the run's best weights. */
function exactLogits(dir: string, x: Float32Array, rows: number, features: number): Float32Array {
  return tidy(() => {
    const model = new TabularMlp(features, CONFIG.hidden, 1, CONFIG.method);
    try {
      model.loadStateDict(loadCheckpoint(join(dir, 'best.safetensors')).model!);
      model.eval();
      return withStepMode(model, 'exact', () => noGrad(() => model.call(fromTypedArray(x, [rows, features])).contiguous().toTypedArray() as Float32Array));
    } finally {
      model.dispose();
    }
  });
}

test('runtime: an exported churn DHN predicts as htaf exact mode does (>= 99.9%, disagreements at a threshold), 1 bit per hidden unit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-runtime-'));
  try {
    const { test: t } = await trainedRun(dir);
    const exported = exportTabularRun(dir);
    assert.deepEqual(exported.graph.nodes.map((l) => l.op), ['linear', 'step', 'linear_bits', 'step', 'linear_bits']);
    const model = loadModel(new Uint8Array(readFileSync(exported.out)));
    const p = model.predict(t.x, t.rows);
    const ref = exactLogits(dir, t.x, t.rows, t.features);
    let disagree = 0;
    let untraced = 0;
    let maxLogitGap = 0;
    for (let i = 0; i < t.rows; i++) {
      const cls = ref[i] >= 0 ? 1 : 0;
      if (p.classes![i] !== cls) {
        disagree++;
        if (!(p.margins[i] < 1e-5) && Math.abs(ref[i]) > 1e-5) untraced++;
      } else if (p.margins[i] > 1e-5) maxLogitGap = Math.max(maxLogitGap, Math.abs(p.outputs[i] - ref[i]));
    }
    assert.ok(disagree / t.rows <= 0.001, `${disagree} of ${t.rows} rows disagree`);
    assert.equal(untraced, 0, 'every disagreement sits at a threshold');
    assert.ok(maxLogitGap < 1e-3, `away from thresholds the logits agree to rounding (max gap ${maxLogitGap})`);
    assert.ok(p.activity.length === 2 && p.activity.every((a) => a.ones > 0 && a.ones < 1), `share of ones per step layer: ${JSON.stringify(p.activity)}`);
    const info = model.info();
    assert.deepEqual(info.layers.filter((l) => l.op === 'step').map((l) => l.bitsPerExample), [64, 32], '1 bit per hidden unit');
    const parameters = (t.features * 64 + 64) + (64 * 32 + 32) + (32 + 1) + 2 * (64 + 32); // + each step's threshold and gain
    assert.equal(info.parameterBytes, 4 * parameters, 'the weights stay float32 (a DHN\'s weights are real; its activations are bits)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runtime: truncated, foreign and future files, an unknown op and a wrong input shape are errors that say so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-runtime-bad-'));
  try {
    await trainedRun(dir);
    const { out } = exportTabularRun(dir);
    const bytes = new Uint8Array(readFileSync(out));
    assert.throws(() => loadModel(bytes.subarray(0, 5)), /too short for a model \(truncated\?\)/);
    assert.throws(() => loadModel(bytes.subarray(0, bytes.length - 100)), /truncated/);
    assert.throws(() => loadModel(new Uint8Array(readFileSync(join(dir, 'best.safetensors')))), /not an htafb model .*htaf export --run DIR/);
    assert.throws(() => loadModel(new TextEncoder().encode('not a model at all')), /htaf runtime:/);
    // Rewrite the header's metadata: a future version, an op the runtime lacks.
    const rewrite = (edit: (meta: Record<string, string>) => void): Uint8Array => {
      const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
      edit(header.__metadata__);
      let text = JSON.stringify(header);
      while ((text.length % 8) !== 0) text += ' ';
      const h = new TextEncoder().encode(text);
      const outBytes = new Uint8Array(8 + h.length + bytes.length - 8 - n);
      new DataView(outBytes.buffer).setBigUint64(0, BigInt(h.length), true);
      outBytes.set(h, 8);
      outBytes.set(bytes.subarray(8 + n), 8 + h.length);
      return outBytes;
    };
    assert.throws(() => loadModel(rewrite((m) => (m.version = '7'))), /graph version "7" is not supported \(this runtime reads version 2/);
    assert.throws(() => loadModel(rewrite((m) => {
      const g = JSON.parse(m.graph);
      g.nodes[1] = { op: 'maxpool', name: 'layers.1', inputs: ['layers.0'] };
      m.graph = JSON.stringify(g);
    })), /layer 'layers\.1' \(#1\) is a 'maxpool', an op this runtime lacks/);
    const model = loadModel(bytes);
    assert.throws(() => model.predict(new Float32Array(10), 1), /10 values are not 1 rows × \[\d+\]/);
    assert.throws(() => model.predict([1, 2] as unknown as Float32Array, 1), /needs a Float32Array/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('htaf export and htaf predict: a trained run to a file, then churn scored by the runtime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-runtime-cli-'));
  try {
    const run = join(dir, 'run');
    const trained = runCli(['train', '--data', 'churn', '--hidden', '32,16', '--epochs', '3', '--batch', '128', '--lr', '0.003', '--seed', '1', '--out', run, '--json']);
    assert.equal(trained.status, 0, trained.stderr);
    const ex = runCli(['export', '--run', run, '--json']);
    assert.equal(ex.status, 0, ex.stderr);
    const e = JSON.parse(ex.stdout.trim());
    assert.deepEqual(e.ops, ['linear', 'step', 'linear_bits', 'step', 'linear_bits']);
    const csvOut = join(dir, 'predictions.csv');
    const pr = runCli(['predict', '--model', e.out, '--data', 'churn', '--out', csvOut, '--json']);
    assert.equal(pr.status, 0, pr.stderr);
    const s = JSON.parse(pr.stdout.trim());
    assert.equal(s.examples, 7043);
    assert.equal(s.engine, 'js');
    assert.ok(s.accuracy > 0.75, `churn accuracy ${s.accuracy} (the majority class alone gives 0.735)`);
    const lines = readFileSync(csvOut, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'row,prediction,score');
    assert.equal(lines.length, 7044);
    assert.match(lines[1], /^0,(No|Yes),-?\d/);
    // htaf bench infer: both engines time the same file and say what a batch's activations take.
    const peaks = new Map<string, number>();
    for (const engine of ['js', 'libtorch']) {
      const b = runCli(['bench', 'infer', '--model', e.out, '--engine', engine, '--batch', '16', '--steps', '3', '--warmup', '1', '--json']);
      assert.equal(b.status, 0, b.stderr);
      const j = JSON.parse(b.stdout.trim());
      assert.equal(j.engine, engine);
      assert.ok(j.rows_per_second > 0 && j.ms_per_batch > 0);
      peaks.set(engine, j.peak_activation_bytes);
    }
    assert.ok(peaks.get('js')! <= peaks.get('libtorch')!, `the runtime's activations take no more than libtorch's float32 ones (here the input and the first Linear's reals dominate both): ${JSON.stringify([...peaks])}`);
    // Errors name the file or option.
    const bad = runCli(['predict', '--model', join(run, 'best.safetensors'), '--data', 'churn']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /not an htafb model/);
    writeFileSync(join(dir, 'short.csv'), 'gender,tenure\nMale,3\n');
    const missing = runCli(['predict', '--model', e.out, '--data', join(dir, 'short.csv')]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /short\.csv.*the column is not in the file/);
    const notRun = runCli(['export', '--run', dir]);
    assert.match(notRun.stderr, /no best\.safetensors there/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
