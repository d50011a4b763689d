// `htaf export --format onnx` on image runs, end to end on tiny Fashion-MNIST stand-ins (icbm_data.ts):
// a Bi-Real BNN (sign steps, binary convs, ceil-mode average pools), a spiking SEW-ResNet (LIF over T = 2
// steps, spike sums) and an ICBM (layer norm, concept bits) trained for an epoch by the CLI. onnxruntime
// on the ONNX file gives the runtime's classes and concept bits on the test images, and its logits to
// float32 rounding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/runtime/index.js';
import { createOnnxPeer } from '../../src/bench/onnx_peer.js';
import { writeTinyFashionMnist } from './icbm_data.js';
import { ROOT } from './run.js';

const RUNS: [string, string[]][] = [
  ['bnn', ['images', 'train', '--model', 'bnn', '--depth', '10', '--precise-bn', '2']],
  ['snn', ['images', 'train', '--model', 'snn', '--depth', '10', '--T', '2', '--precise-bn', '2']],
  ['icbm', ['icbm', 'train', '--backbone', 'resnet', '--concepts', '8', '--concept-layer', 'linear-ln']],
];

test('htaf export --format onnx: BNN, SNN and ICBM runs give the runtime\'s classes and concepts in onnxruntime', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-onnx-images-'));
  try {
    const data = join(dir, 'fm');
    const { t10k } = writeTinyFashionMnist(data, { train: 120, t10k: 40 });
    const cli = (args: string[]) => {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/htaf.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, HTAF_FASHION_MNIST_DIR: data } });
      assert.equal(r.status, 0, `htaf ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    for (const [name, train] of RUNS) {
      const run = join(dir, name);
      cli([...train, '--dataset', 'fashion-mnist', '--base-width', '4', '--epochs', '1', '--batch', '32', '--seed', '2', '--out', run, '--json']);
      const h = JSON.parse(cli(['export', '--run', run, '--json']).trim().split('\n').pop()!);
      const o = JSON.parse(cli(['export', '--run', run, '--format', 'onnx', '--json']).trim().split('\n').pop()!);
      const model = loadModel(new Uint8Array(readFileSync(h.out)));
      const rows = t10k.labels.length;
      const x = model.standardize(t10k.pixels, rows);
      const p = model.predict(x, rows);
      const peer = await createOnnxPeer(new Uint8Array(readFileSync(o.out)), model.graph.input);
      let got;
      try {
        got = await peer.run(x, rows);
      } finally {
        await peer.release();
      }
      const k = model.graph.outputs;
      let checked = 0;
      for (let r = 0; r < rows; r++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (got.logits[r * k + c] > got.logits[r * k + best]) best = c;
        // A class may differ only where a step or spike of this row met its threshold within rounding.
        if (p.margins[r] > 1e-5) {
          checked++;
          assert.equal(best, p.classes![r], `${name}, image ${r}`);
          for (let c = 0; c < k; c++) assert.ok(Math.abs(got.logits[r * k + c] - p.outputs[r * k + c]) < 1e-3, `${name}, image ${r}, logit ${c}: onnxruntime ${got.logits[r * k + c]}, runtime ${p.outputs[r * k + c]}`);
        }
      }
      assert.ok(checked >= rows * 0.9, `${name}: ${checked} of ${rows} images away from a threshold`);
      if (name === 'icbm') {
        assert.ok(p.concepts && got.concepts, 'the ICBM export has concept bits');
        assert.deepEqual(Array.from(got.concepts!), Array.from(p.concepts!));
      } else assert.equal(got.concepts, undefined);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
