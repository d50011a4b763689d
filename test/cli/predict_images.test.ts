// htaf export and htaf predict on an image run, end to end: --dataset (the test split or a seeded subset),
// --images DIR (PNG files in class folders are labeled by their folder), --out (one CSV line per image),
// --engine; the accuracy the runtime reports equals the one htaf images train reported with exact steps
// on the same test subset; errors name the option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImageSource } from '../../src/data/images/index.js';
import { runCli } from './run.js';

test('htaf predict: an exported DHN scores a dataset\'s test images and a folder of PNGs, on every engine', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-predict-images-'));
  try {
    const run = join(dir, 'run');
    const trained = runCli(['images', 'train', '--dataset', 'fashion-mnist', '--model', 'dhn', '--depth', '10', '--train-size', '300', '--test-size', '200', '--epochs', '1', '--out', run, '--json'], 300_000);
    assert.equal(trained.status, 0, trained.stderr);
    const exact = JSON.parse(trained.stdout.trim().split('\n').pop()!).accuracy;
    const ex = runCli(['export', '--run', run, '--json']);
    assert.equal(ex.status, 0, ex.stderr);
    const model = JSON.parse(ex.stdout.trim()).out;
    for (const engine of ['js', 'wasm', 'native']) {
      const pr = runCli(['predict', '--model', model, '--dataset', 'fashion-mnist', '--test-size', '200', '--engine', engine, '--json']);
      assert.equal(pr.status, 0, pr.stderr);
      const s = JSON.parse(pr.stdout.trim());
      assert.deepEqual([s.examples, s.engine], [200, engine]);
      assert.ok(Math.abs(s.accuracy - exact) <= 0.005, `${engine}: the runtime's accuracy ${s.accuracy} is exact mode's ${exact} on the same 200 images (at most one image at a threshold)`);
    }
    // A folder of PNGs: three test images in their class's folder, one unlabeled at the top.
    const { test: t } = await loadImageSource('fashion-mnist');
    const images = join(dir, 'images');
    const files: string[] = [];
    for (const i of [0, 1, 2, 3]) {
      const folder = i < 3 ? join(images, t.classes[t.labels[i]]) : images;
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `test-${i}.png`);
      await sharp(Buffer.from(t.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(file);
      files.push(file);
    }
    const csv = join(dir, 'predictions.csv');
    const pf = runCli(['predict', '--model', model, '--images', images, '--engine', 'native', '--out', csv, '--json']);
    assert.equal(pf.status, 0, pf.stderr);
    assert.equal(JSON.parse(pf.stdout.trim()).examples, 4);
    assert.equal(JSON.parse(pf.stdout.trim()).accuracy, undefined, 'one image is unlabeled: no accuracy');
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(lines[0], `row,prediction,${t.classes.map((c) => `score_${c}`).join(',')}`);
    assert.equal(lines.length, 5);
    assert.ok(files.every((f) => lines.some((l) => l.startsWith(`${f},`))), 'each file has its line');
    // Errors name what is wrong.
    const none = runCli(['predict', '--model', model]);
    assert.match(none.stderr, /give exactly one of --data FILE\.csv, --images DIR, --dataset NAME/);
    const tab = runCli(['predict', '--model', model, '--data', 'churn']);
    assert.match(tab.stderr, /encodes to \d+ features, the model takes \[1,28,28\]|holds no preprocessing/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    assert.match(runCli(['predict', '--model', model, '--images', empty]).stderr, /--images '.*empty': no \.png\/\.jpg\/\.jpeg files there/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
