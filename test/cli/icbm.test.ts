// `htaf icbm ...` end to end, as a user runs it (node bin/htaf.js icbm ...), on tiny Fashion-MNIST-format
// IDX files written into a temp folder (HTAF_FASHION_MNIST_DIR, test/cli/icbm_data.ts) with a tiny WRN:
// train (the one --json line and its shape, the run folder, the run data agreeing with the metrics, an
// existing --out refused, --resume without retraining, --baseline reusing a standard model, bad
// --baseline paths and shapes), explain (--index from the stored bits, --image through the model giving
// the same bits, --flip, --json), table (md/csv/json, by name or index, a bad class listing the classes),
// then report and name --candidates chained on the run (names showing up in table and explain), and bad
// options named in their errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readIcbmRun } from '../../src/concepts.js';
import { ROOT } from './run.js';
import { CLASSES, SIDE, writeTinyFashionMnist, type TinyPart } from './icbm_data.js';

const FASHION_MNIST = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const M = 8;
const EPOCHS = 5;
// Measured: both models reach 100% test accuracy on these images with this setting in about 3 s.
const TINY = [
  '--dataset', 'fashion-mnist', '--backbone', 'wrn', '--depth', '10', '--width', '1', '--base-width', '8', '--concepts', String(M),
  '--epochs', String(EPOCHS), '--batch', '32', '--lr', '0.02', '--seed', '0',
];

const dir = mkdtempSync(join(tmpdir(), 'htaf-icbm-cli-'));
const dataDir = join(dir, 'fm');
let parts: { train: TinyPart; t10k: TinyPart };
const run = join(dir, 'run');
let first: { status: number | null; stdout: string; stderr: string };

function icbm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/htaf.js'), 'icbm', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, HTAF_FASHION_MNIST_DIR: dataDir },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The one line of stdout, parsed. */
function oneJsonLine(stdout: string): any {
  const lines = stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `stdout must be exactly one line:\n${stdout}`);
  return JSON.parse(lines[0]);
}

/** TINY with another --concepts. */
function withConcepts(m: number): string[] {
  return TINY.map((a, k) => (TINY[k - 1] === '--concepts' ? String(m) : a));
}

function mtime(file: string): number {
  return statSync(file).mtimeMs;
}

before(() => {
  parts = writeTinyFashionMnist(dataDir);
  first = icbm(['train', ...TINY, '--out', run, '--json']);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('icbm train --json: exactly one JSON line of the documented shape, values in [0, 1]; the models learn the tiny classes', () => {
  assert.equal(first.status, 0, first.stderr);
  const j = oneJsonLine(first.stdout);
  assert.deepEqual(Object.keys(j), ['standard', 'icbm', 'bm']);
  assert.deepEqual(Object.keys(j.standard), ['accuracy', 'binarity']);
  assert.deepEqual(Object.keys(j.icbm), ['accuracy', 'smoothAccuracy', 'binarity', 'conceptAccuracy']);
  assert.deepEqual(Object.keys(j.bm), ['accuracyBefore', 'accuracy', 'binarity', 'conceptAccuracy']);
  for (const [model, values] of Object.entries(j) as [string, Record<string, number>][]) {
    for (const [k, v] of Object.entries(values)) assert.ok(typeof v === 'number' && v >= 0 && v <= 1, `${model}.${k} = ${v}`);
  }
  // BM is the standard model before binarization; its features binarized at medians are all 0/1.
  assert.equal(j.bm.accuracyBefore, j.standard.accuracy);
  assert.equal(j.bm.binarity, 1);
  // Chance is 0.1: the whole pipeline (data, both trainings, the exact concepts, the head) works.
  for (const v of [j.standard.accuracy, j.icbm.accuracy, j.icbm.smoothAccuracy]) assert.ok(v >= 0.6, `accuracy ${v} on learnable tiny classes`);
  // The report goes to stderr: the data, each model's epochs, the table, where the run is.
  assert.match(first.stderr, /fashion-mnist: 300 training and 100 test images, 1×28×28, 10 classes/);
  assert.match(first.stderr, new RegExp(`^icbm: epoch ${EPOCHS}/${EPOCHS} `, 'm'));
  assert.match(first.stderr, new RegExp(`^standard: epoch ${EPOCHS}/${EPOCHS} `, 'm'));
  assert.match(first.stderr, /^model +accuracy +after binarization +binarity +concept accuracy$/m);
  assert.match(first.stderr, /^ICBM +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d$/m);
  assert.ok(first.stderr.includes(`icbm report --run ${run}`));
});

test('icbm train: the run folder holds the files the other commands read, and its data agree with the printed metrics', () => {
  assert.equal(first.status, 0, first.stderr);
  for (const f of ['run.json', 'concepts.safetensors', 'result.json', 'icbm/best.safetensors', 'icbm/checkpoint.safetensors', 'standard/best.safetensors']) {
    assert.ok(existsSync(join(run, f)), `${f} missing`);
  }
  const metrics = oneJsonLine(first.stdout);
  const result = JSON.parse(readFileSync(join(run, 'result.json'), 'utf8'));
  assert.deepEqual(result.metrics, metrics);
  assert.deepEqual([result.backbone, result.concepts, result.method, result.conceptLayer, result.trainSize, result.testSize, result.icbmEpochs, result.standardEpochs, result.baseline],
    ['wrn', M, 'htaf:alpha=2,beta=11', 'linear', 300, 100, EPOCHS, EPOCHS, null]);

  const data = readIcbmRun(run);
  assert.deepEqual([...data.meta.classes], FASHION_MNIST);
  assert.deepEqual(data.meta.imageShape, [1, SIDE, SIDE]);
  assert.equal(data.meta.concepts, M);
  // No --test-size: the run's test set is the t10k file, in order.
  assert.deepEqual(Array.from(data.testLabels), Array.from(parts.t10k.labels));
  const n = data.testLabels.length;
  assert.equal(data.testBits.length, n * M);
  assert.ok(data.testBits.every((b) => b === 0 || b === 1));
  // The training bits cover every training image (validation part included), in the file's order.
  assert.deepEqual(Array.from(data.trainLabels), Array.from(parts.train.labels));
  assert.equal(data.trainBits.length, 300 * M);

  // The accuracy printed is the exact model's on the stored predictions, and the binarity the share of
  // stored smooth outputs within 0.01 of 0 or 1 (docs/method.md §4).
  let hits = 0;
  for (let i = 0; i < n; i++) if (data.testPredictions[i] === data.testLabels[i]) hits++;
  assert.equal(metrics.icbm.accuracy, hits / n);
  const binary = data.testSmooth.filter((v) => v > 0.99 || v < 0.01).length;
  assert.equal(metrics.icbm.binarity, binary / data.testSmooth.length);
  // The stored head on the stored exact bits gives the model's predictions (f = h ∘ g), up to float32 near-ties.
  let compared = 0;
  for (let i = 0; i < n; i++) {
    const logits = Array.from({ length: CLASSES }, (_, c) => {
      let s = data.headBias[c];
      for (let j = 0; j < M; j++) if (data.testBits[i * M + j]) s += data.headWeight[c * M + j];
      return s;
    });
    const sorted = [...logits].sort((a, b) => b - a);
    if (sorted[0] - sorted[1] < 1e-4) continue;
    compared++;
    assert.equal(logits.indexOf(sorted[0]), data.testPredictions[i], `test image ${i}`);
  }
  assert.ok(compared >= n - 2, `only ${compared} of ${n} predictions compared`);
});

test('icbm train into an existing --out without --resume fails naming --out, and leaves the run as it was', () => {
  assert.equal(first.status, 0, first.stderr);
  const before = mtime(join(run, 'icbm', 'best.safetensors'));
  const r = icbm(['train', ...TINY, '--out', run, '--json']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.includes(`--out '${run}'`), r.stderr);
  assert.match(r.stderr, /already holds a run; add --resume/);
  assert.doesNotMatch(r.stderr, /epoch 1\//);
  assert.equal(mtime(join(run, 'icbm', 'best.safetensors')), before);
});

test('icbm train --resume on a finished run retrains nothing and prints the same metrics', () => {
  assert.equal(first.status, 0, first.stderr);
  const files = ['icbm/best.safetensors', 'icbm/checkpoint.safetensors', 'standard/best.safetensors', 'standard/checkpoint.safetensors'].map((f) => join(run, f));
  const times = files.map(mtime);
  const r = icbm(['train', ...TINY, '--out', run, '--resume', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(oneJsonLine(r.stdout), oneJsonLine(first.stdout));
  assert.match(r.stderr, new RegExp(`^icbm: .*; resuming at epoch ${EPOCHS + 1}$`, 'm'));
  assert.match(r.stderr, new RegExp(`^standard: .*; resuming at epoch ${EPOCHS + 1}$`, 'm'));
  assert.doesNotMatch(r.stderr, /: epoch \d+\//, 'no epoch was trained');
  assert.deepEqual(files.map(mtime), times, 'no checkpoint was rewritten');
  const result = JSON.parse(readFileSync(join(run, 'result.json'), 'utf8'));
  assert.deepEqual([result.icbmEpochs, result.standardEpochs], [EPOCHS, EPOCHS]);
});

test('icbm train --baseline reuses a standard model: no standard/ folder, the same standard and BM figures', () => {
  assert.equal(first.status, 0, first.stderr);
  const baseline = join(run, 'standard', 'best.safetensors');
  const out = join(dir, 'with-baseline');
  const r = icbm(['train', ...TINY, '--out', out, '--baseline', baseline, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /^standard: /m, 'no standard model was trained');
  assert.ok(!existsSync(join(out, 'standard')));
  for (const f of ['run.json', 'concepts.safetensors', 'result.json', 'icbm/best.safetensors']) assert.ok(existsSync(join(out, f)), `${f} missing`);
  const j = oneJsonLine(r.stdout);
  const j0 = oneJsonLine(first.stdout);
  assert.deepEqual(j.standard, j0.standard);
  assert.deepEqual(j.bm, j0.bm);
  // Same seed, same data: the ICBM trains to the same weights as in the first run.
  assert.deepEqual(j.icbm, j0.icbm);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  assert.deepEqual([result.baseline, result.standardEpochs, result.icbmEpochs], [baseline, null, EPOCHS]);
});

test('icbm train --nproc 2: both models train data-parallel; rank 0 alone reports and writes the run', () => {
  const out = join(dir, 'ddp');
  const r = icbm(['train', ...TINY, '--epochs', '2', '--nproc', '2', '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /2 processes \(2 on this machine, 1 thread each\)/);
  assert.match(r.stderr, /\[rank 0\] htaf icbm train: 2 processes, global batch 32 × 2 = 64/);
  assert.doesNotMatch(r.stderr, /\[rank 1\] (icbm|standard): /, 'rank 1 prints no progress');
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `only rank 0 writes stdout: ${r.stdout}`);
  const metrics = JSON.parse(lines[0]);
  for (const k of ['standard', 'icbm', 'bm']) assert.equal(typeof metrics[k].accuracy, 'number', k);
  for (const f of ['run.json', 'concepts.safetensors', 'result.json', 'icbm/best.safetensors', 'standard/best.safetensors']) assert.ok(existsSync(join(out, f)), `${f} missing`);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).metrics, metrics);
});

let otherShape: { status: number | null; stdout: string; stderr: string } | undefined;

test('icbm train --baseline: a missing file is named before anything runs; a standard model of another shape is named', () => {
  const missing = join(dir, 'no-such-run', 'standard', 'best.safetensors');
  const out = join(dir, 'bad-baseline');
  const r = icbm(['train', ...TINY, '--out', out, '--baseline', missing]);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.includes(`--baseline '${missing}': no such file`), r.stderr);
  assert.ok(!existsSync(out));

  assert.equal(first.status, 0, first.stderr);
  const baseline = join(run, 'standard', 'best.safetensors');
  const other = (otherShape = icbm(['train', ...withConcepts(6), '--epochs', '1', '--out', join(dir, 'six'), '--baseline', baseline]));
  assert.equal(other.status, 1);
  assert.ok(other.stderr.includes(`the standard model ${baseline} is not a wrn ICBM-shaped network with 6 ReLU features`), other.stderr);
  assert.match(other.stderr, /size mismatch for 'head\.weight'/);
});

test('icbm train --baseline of another shape is refused before the ICBM trains', () => {
  assert.ok(otherShape, 'the test above ran');
  assert.equal(otherShape.status, 1);
  assert.doesNotMatch(otherShape.stderr, /^icbm: epoch /m);
});

test('icbm explain --index: the stored bits and prediction, in text and --json; --flip switches one concept', () => {
  assert.equal(first.status, 0, first.stderr);
  const data = readIcbmRun(run);
  const i = 17;
  const label = parts.t10k.labels[i];
  const bits = Array.from(data.testBits.slice(i * M, (i + 1) * M));
  const predicted = data.testPredictions[i];

  const node = 2;
  const text = icbm(['explain', '--run', run, '--index', String(i), '--flip', String(node)]);
  assert.equal(text.status, 0, text.stderr);
  assert.ok(text.stdout.startsWith(`Prediction: ${FASHION_MNIST[predicted]} (class ${predicted}, p = `), text.stdout);
  const verdict = predicted === label ? ') (correct)\n' : `) — true class ${FASHION_MNIST[label]} (class ${label})\n`;
  assert.ok(text.stdout.split('\n')[0].endsWith(verdict.trimEnd()), text.stdout);
  assert.match(text.stdout, new RegExp(`^Intervention: node ${node} set from ${bits[node]} to ${1 - bits[node]}: the prediction (stays|changes)`, 'm'));
  assert.match(text.stdout, new RegExp(`^Predicted class ${FASHION_MNIST[predicted].replace('/', '\\/')} \\(class ${predicted}, logit -?\\d+\\.\\d+\\): top 5 nodes by importance$`, 'm'));

  const j = oneJsonLine(icbm(['explain', '--run', run, '--index', String(i), '--top-k', '3', '--flip', String(node), '--json']).stdout);
  assert.deepEqual(j.bits, bits);
  assert.equal(j.explanation.predicted, predicted);
  assert.equal(j.explanation.predictedName, FASHION_MNIST[predicted]);
  assert.equal(j.explanation.trueLabel, label);
  assert.equal(j.explanation.correct, predicted === label);
  // The predicted class's top 3 nodes by importance |w[c][j]|, with the image's bits on them.
  const byImportance = Array.from({ length: M }, (_, n) => n).sort((a, b) => Math.abs(data.headWeight[predicted * M + b]) - Math.abs(data.headWeight[predicted * M + a]));
  assert.deepEqual(j.explanation.predictedClass.nodes.map((e: { node: number }) => e.node), byImportance.slice(0, 3));
  for (const e of j.explanation.predictedClass.nodes) assert.equal(e.bit, bits[e.node]);
  const iv = j.intervention;
  assert.deepEqual([iv.node, iv.from, iv.to], [node, bits[node], 1 - bits[node]]);
  assert.deepEqual(iv.bits, bits.map((b, j2) => (j2 === node ? 1 - b : b)));
  // Switching concept j moves every logit by ±w[c][j].
  const sign = iv.to === 1 ? 1 : -1;
  for (let c = 0; c < CLASSES; c++) {
    assert.ok(Math.abs(iv.after.logits[c] - (iv.before.logits[c] + sign * data.headWeight[c * M + node])) < 1e-9, `class ${c}`);
  }
  assert.equal(iv.after.predicted, iv.after.logits.indexOf(Math.max(...iv.after.logits)));
  assert.equal(iv.changed, iv.after.predicted !== iv.before.predicted);
});

test('icbm explain --image: a PNG of a test image goes through the trained ICBM to the same bits as stored', async () => {
  assert.equal(first.status, 0, first.stderr);
  const data = readIcbmRun(run);
  const i = 7;
  const png = join(dir, 'test-7.png');
  await sharp(Buffer.from(parts.t10k.pixels.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE)), { raw: { width: SIDE, height: SIDE, channels: 1 } }).png().toFile(png);
  const r = icbm(['explain', '--run', run, '--image', png, '--flip', '0', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = oneJsonLine(r.stdout);
  assert.deepEqual(j.bits, Array.from(data.testBits.slice(i * M, (i + 1) * M)));
  assert.equal(j.explanation.predicted, data.testPredictions[i]);
  assert.equal(j.explanation.trueLabel, null);
  assert.equal(j.explanation.trueClass, null);
  assert.deepEqual([j.intervention.node, j.intervention.to], [0, 1 - j.bits[0]]);

  const notImage = join(dir, 'not-an-image.png');
  writeFileSync(notImage, 'not a PNG');
  const bad = icbm(['explain', '--run', run, '--image', notImage]);
  assert.equal(bad.status, 1);
  assert.ok(bad.stderr.includes(notImage), bad.stderr);
});

test('icbm explain: a missing --index/--image, and --index or --flip out of range are named', () => {
  assert.equal(first.status, 0, first.stderr);
  const cases: [string[], RegExp][] = [
    [['--run', run], /give exactly one of --index N and --image FILE/],
    [['--run', run, '--index', '100'], /--index 100 is out of range: the run's test set has 100 images/],
    [['--run', run, '--index', '1', '--flip', String(M)], new RegExp(`--flip ${M} is out of range: the run has ${M} concepts`)],
  ];
  for (const [args, message] of cases) {
    const r = icbm(['explain', ...args]);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
});

test('icbm table: Table 3 for a class as md, csv and json, by name or index; a bad class lists the classes', () => {
  assert.equal(first.status, 0, first.stderr);
  const data = readIcbmRun(run);
  const sneaker = 7;
  const json = icbm(['table', '--run', run, '--class', 'Sneaker', '--format', 'json']);
  assert.equal(json.status, 0, json.stderr);
  const t = oneJsonLine(json.stdout);
  assert.deepEqual([t.classIndex, t.className, t.rows.length], [sneaker, 'Sneaker', M]);
  assert.deepEqual(t.rows.map((r: { node: number }) => r.node).sort(), Array.from({ length: M }, (_, j) => j));
  for (const [k, row] of t.rows.entries()) {
    assert.equal(row.weight, data.headWeight[sneaker * M + row.node]);
    assert.equal(row.importance, Math.abs(row.weight));
    if (k > 0) assert.ok(row.importance <= t.rows[k - 1].importance, 'rows by importance');
  }

  const md = icbm(['table', '--run', run, '--class', String(sneaker), '--format', 'md', '--top-k', '3']);
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^### Concepts of class Sneaker \(class 7\), by importance\n\n\| Node \| Concept \| 0 \| 1 \| Importance \|/);
  const mdRows = md.stdout.split('\n').filter((l) => /^\| \d+ \|/.test(l));
  assert.deepEqual(mdRows.map((l) => Number(l.split('|')[1])), t.rows.slice(0, 3).map((r: { node: number }) => r.node));

  const csv = icbm(['table', '--run', run, '--class', 'Sneaker', '--format', 'csv']);
  assert.equal(csv.status, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines[0], 'class,class_name,node,concept,zero,one,importance,weight,share,usual_bit');
  assert.equal(lines.length, 1 + M);
  assert.ok(lines.slice(1).every((l) => l.startsWith('7,Sneaker,')));

  const bad = icbm(['table', '--run', run, '--class', 'Sneakers']);
  assert.equal(bad.status, 1);
  assert.ok(bad.stderr.includes(`--class must be a class name or an index in [0, 10); got 'Sneakers' (classes: ${FASHION_MNIST.join(', ')})`), bad.stderr);
});

test('icbm report and icbm name --candidates on the trained run; the names then show in table and explain', () => {
  assert.equal(first.status, 0, first.stderr);
  const report = icbm(['report', '--run', run, '--json']);
  assert.equal(report.status, 0, report.stderr);
  const files = oneJsonLine(report.stdout);
  assert.equal(files.html, join(run, 'report', 'index.html'));
  assert.match(readFileSync(files.html, 'utf8'), /^<!DOCTYPE html>/i);
  assert.ok(files.figures.length > 0 && files.figures.every((f: string) => existsSync(f)));

  const named = icbm(['name', '--run', run, '--candidates', join(ROOT, 'datasets/fashion-mnist-attributes.csv'), '--json']);
  assert.equal(named.status, 0, named.stderr);
  const { names, summary } = oneJsonLine(named.stdout);
  assert.equal(summary.mode, 'candidates');
  assert.equal(summary.named + summary.constant.length, M);
  assert.ok(names.length > 0, 'some concept is named');
  const attributes = readFileSync(join(ROOT, 'datasets/fashion-mnist-attributes.csv'), 'utf8').split('\n')[0].split(',').slice(1);
  for (const n of names) assert.ok(attributes.includes(n.name), `${n.name} is an attribute of the CSV`);

  const t = oneJsonLine(icbm(['table', '--run', run, '--class', 'Sneaker', '--format', 'json']).stdout);
  for (const n of names) {
    const row = t.rows.find((r: { node: number }) => r.node === n.node);
    assert.deepEqual([row.concept, row.zero, row.one], [n.name, n.zero, n.one], `node ${n.node}`);
  }
  const e = oneJsonLine(icbm(['explain', '--run', run, '--index', '0', '--top-k', String(M), '--json']).stdout);
  for (const node of e.explanation.predictedClass.nodes) {
    const n = names.find((x: { node: number }) => x.node === node.node);
    assert.equal(node.name?.name, n?.name, `node ${node.node}`);
  }
});

test('icbm train: bad options fail naming the option, before any data is read or folder made', () => {
  const out = join(dir, 'never');
  const cases: [string, string, RegExp][] = [
    ['--concepts', '0', /--concepts must be a positive integer, got '0'/],
    ['--method', 'relu', /--method must be a binary activation for the concepts: htaf .*; got 'relu'/],
    ['--concept-layer', 'conv', /--concept-layer must be one of linear, linear-bn, linear-ln, got 'conv'/],
    ['--backbone', 'foo', /--backbone must be one of resnet, wrn, vit, got 'foo'/],
  ];
  for (const [option, value, message] of cases) {
    const r = icbm(['train', ...TINY, option, value, '--out', out]);
    assert.equal(r.status, 1, `${option} ${value}`);
    assert.match(r.stderr, message, `${option} ${value}`);
    assert.doesNotMatch(r.stderr, /training and \d+ test images/, `${option} ${value}: no data loaded`);
  }
  assert.ok(!existsSync(out));
});

// Last: were the check to fail, it would relabel the run the tests above read.
test('icbm train --resume with another --method is refused, naming --method', () => {
  assert.equal(first.status, 0, first.stderr);
  const r = icbm(['train', ...TINY, '--out', run, '--method', 'ss', '--resume']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--method/);
  assert.equal(readIcbmRun(run).meta.method, 'htaf:alpha=2,beta=11');
});
