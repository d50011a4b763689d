// `htaf export --format onnx` end to end: a churn DHN trained by the CLI, exported both ways; onnxruntime
// on the ONNX file gives the runtime's classes on every churn row (a disagreement only where a step's
// pre-activation lies within rounding of its threshold) and its logits to float32 rounding elsewhere;
// `htaf bench infer --engine onnxruntime` times the same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../src/data/csv.js';
import { preprocessorFromJSON } from '../../src/data/preprocess.js';
import { dataFile } from '../../src/data/builtin.js';
import { loadModel } from '../../src/runtime/index.js';
import { createOnnxPeer } from '../../src/bench/onnx_peer.js';
import { runCli } from '../cli/run.js';

test('htaf export --format onnx: onnxruntime gives the runtime\'s classes on churn; bench infer --engine onnxruntime', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-onnx-cli-'));
  try {
    const run = join(dir, 'run');
    const trained = runCli(['train', '--data', 'churn', '--hidden', '32,16', '--epochs', '2', '--batch', '128', '--lr', '0.003', '--seed', '3', '--out', run, '--json']);
    assert.equal(trained.status, 0, trained.stderr);
    const htafb = runCli(['export', '--run', run, '--json']);
    assert.equal(htafb.status, 0, htafb.stderr);
    const h = JSON.parse(htafb.stdout.trim());
    const onnx = runCli(['export', '--run', run, '--format', 'onnx', '--json']);
    assert.equal(onnx.status, 0, onnx.stderr);
    const o = JSON.parse(onnx.stdout.trim());
    assert.equal(o.out, join(run, 'model.onnx'));
    assert.equal(o.format, 'onnx');
    assert.equal(o.htafbBytes, h.bytes, 'the ONNX file is converted from the same .htafb');
    assert.ok(existsSync(o.out) && o.bytes === readFileSync(o.out).length);

    const model = loadModel(new Uint8Array(readFileSync(h.out)));
    const encoded = preprocessorFromJSON(JSON.parse(model.info().metadata.preprocessor!)).encodeTable(readCsv(dataFile('test', 'churn').file));
    const p = model.predict(encoded.x, encoded.rows);
    const peer = await createOnnxPeer(new Uint8Array(readFileSync(o.out)), model.graph.input);
    let logits: Float32Array;
    try {
      logits = (await peer.run(encoded.x, encoded.rows)).logits;
    } finally {
      await peer.release();
    }
    let disagree = 0;
    let maxGap = 0;
    for (let i = 0; i < encoded.rows; i++) {
      if ((logits[i] >= 0 ? 1 : 0) !== p.classes![i]) {
        disagree++;
        assert.ok(p.margins[i] < 1e-5 || Math.abs(p.outputs[i]) < 1e-5, `row ${i}: onnxruntime ${logits[i]}, runtime ${p.outputs[i]} (margin ${p.margins[i]})`);
      } else if (p.margins[i] > 1e-5) maxGap = Math.max(maxGap, Math.abs(logits[i] - p.outputs[i]));
    }
    assert.ok(disagree <= encoded.rows / 1000, `${disagree} of ${encoded.rows} rows disagree`);
    assert.ok(maxGap < 1e-3, `away from thresholds the logits agree to rounding (max gap ${maxGap})`);

    const b = runCli(['bench', 'infer', '--model', h.out, '--engine', 'onnxruntime', '--batch', '16', '--steps', '3', '--warmup', '1', '--json']);
    assert.equal(b.status, 0, b.stderr);
    const j = JSON.parse(b.stdout.trim());
    assert.equal(j.engine, 'onnxruntime');
    assert.equal(j.threads, 1);
    assert.ok(j.rows_per_second > 0 && j.ms_per_batch > 0);

    const bad = runCli(['export', '--run', run, '--format', 'tflite']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /tflite.*htafb, onnx/s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
