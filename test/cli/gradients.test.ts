// `htaf gradients` and `htaf ablate-bounds` end to end on a small CSV written here, tiny MLPs and 2
// epochs: the tables (with the threshold stated), CSV/JSON, Figures 7 and 6 as SVG and PNG; Table 7
// with --architectures; refusals that name the option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** 200 rows: three numbers, a colour and a yes/no label. */
function writeCsv(dir: string): string {
  const r = lcg(5);
  const colours = ['red', 'green', 'blue'];
  const lines = ['a,b,c,colour,label'];
  for (let i = 0; i < 200; i++) {
    const a = r();
    const b = r();
    const c = Math.round(100 * r());
    const colour = colours[Math.floor(3 * r())];
    const label = a + b > 1 !== (colour === 'red') ? 'yes' : 'no';
    lines.push(`${a.toFixed(3)},${b.toFixed(3)},${c},${colour},${label}`);
  }
  const file = join(dir, 'small.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function checkFigure(dir: string, name: string, texts: string[]): void {
  const svg = readFileSync(join(dir, `${name}.svg`), 'utf8');
  assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'), `${name}.svg is a whole SVG`);
  assert.match(svg, /class="marks"/, 'rendered by vega');
  for (const t of texts) assert.ok(svg.includes(t), `${name}.svg has the text '${t}'`);
  assert.deepEqual(readFileSync(join(dir, `${name}.png`)).subarray(0, 8), PNG_SIGNATURE, `${name}.png is a PNG`);
}

const TINY = ['--hidden', '8,8', '--epochs', '2', '--batch', '32', '--seed', '1'];

test('gradients: per-layer norms and the loss per epoch as Markdown/CSV/JSON and Figure 7; the threshold printed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-gradients-'));
  try {
    const csv = writeCsv(dir);
    const out = join(dir, 'out');
    const r = runCli(['gradients', '--data', csv, '--target', 'label', '--methods', 'relu', 'htaf:alpha=11,beta=2', '--methods', 'ss:gamma=22', ...TINY, '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /falls under 1e-6 \(log10 -6\.00\)/, 'threshold stated');
    assert.match(r.stdout, /\| relu \| 1 \(8\) \|/);
    assert.match(r.stdout, /\| htaf:alpha=11,beta=2 \| 2 \(8\) \|/);
    assert.match(r.stderr, /gradients: 8-8 ss:gamma=22: 2 epochs in [\d.]+ s; first layer log10 norm/);
    const files = ['gradients.md', 'gradients.csv', 'gradients.json', 'figure7_gradients.svg', 'figure7_gradients.png'];
    assert.deepEqual(readdirSync(out).sort(), [...files].sort(), 'no temporary files left');
    for (const f of files) assert.ok(r.stdout.includes(join(out, f)), `prints ${f}`);

    const lines = readFileSync(join(out, 'gradients.csv'), 'utf8').trim().split('\n');
    assert.equal(lines.length, 1 + 3 * 2 * 2, 'methods × epochs × layers');
    for (const l of lines.slice(1)) {
      const cells = l.match(/("[^"]*"|[^,]+)/g)!;
      const [norm, log, loss] = cells.slice(5).map(Number);
      assert.ok(norm > 0 && Number.isFinite(norm) && Number.isFinite(log) && Number.isFinite(loss), l);
    }
    const json = JSON.parse(readFileSync(join(out, 'gradients.json'), 'utf8'));
    assert.equal(json.threshold, 1e-6);
    assert.deepEqual(json.runs.map((x: { method: string }) => x.method), ['relu', 'htaf:alpha=11,beta=2', 'ss:gamma=22']);
    assert.equal(json.data.task, 'binary');
    assert.equal(json.runs[0].epochs[1].norms.length, 2);
    checkFigure(out, 'figure7_gradients', ['Figure 7', 'relu', 'ss:gamma=22', 'layer 1 (8)', 'layer 2 (8)', 'training loss', 'threshold 1e-6']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gradients --architectures: Table 7 with the threshold in its header, one figure per architecture; --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-gradients-'));
  try {
    const csv = writeCsv(dir);
    const out = join(dir, 'out');
    const r = runCli([
      'gradients', '--data', csv, '--target', 'label', '--methods', 'relu,ss:gamma=22', '--architectures', '8,8;6,6,6', '--epochs', '2',
      '--threshold', '1e3', '--out', out, '--json', '--quiet',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', '--quiet');
    const res = JSON.parse(r.stdout.trim());
    assert.equal(res.threshold, 1000);
    assert.deepEqual(res.architectures, [[8, 8], [6, 6, 6]]);
    assert.deepEqual(res.methods, ['relu', 'ss:gamma=22']);
    // Every per-example norm is under 1e3: all "vanishing" at this threshold, from epoch 1.
    for (const row of res.cells) for (const c of row) assert.equal(c.vanishingEpoch, 1);
    const md = readFileSync(join(out, 'table7_vanishing.md'), 'utf8');
    assert.match(md, /Table 7: vanishing gradients, threshold 1000 on the first hidden layer's mean gradient norm/);
    assert.match(md, /\| hidden layers \\ method \(threshold 1000\) \| relu \| ss:gamma=22 \|/);
    assert.match(md, /\| 6-6-6 \| vanishing \(-?\d+\.\d+\) \| vanishing \(-?\d+\.\d+\) \|/);
    const t7 = readFileSync(join(out, 'table7_vanishing.csv'), 'utf8').trim().split('\n');
    assert.equal(t7.length, 5);
    assert.match(t7[1], /^8-8,relu,1000,vanishing,1,/);
    for (const a of ['8-8', '6-6-6']) checkFigure(out, `figure7_gradients_${a}`, ['Figure 7', `MLP ${a}`]);
    assert.deepEqual(res.files.map((f: string) => f.slice(out.length + 1)).sort(), readdirSync(out).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ablate-bounds: α = α_min(β) per β, test AUROC (exact) and binarity, table and Figure 6; β ≤ β_min refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-ablate-'));
  try {
    const csv = writeCsv(dir);
    const out = join(dir, 'out');
    const r = runCli(['ablate-bounds', '--data', csv, '--target', 'label', '--eps', '0.1', '--delta', '0.1', '--beta', '5,100', ...TINY, '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /beta_min = ln\(\(1 - eps\)\/eps\) = 2\.20/);
    assert.match(r.stdout, /\| 5 \| 4\.72 \| 4\.72 \| 0\.\d{4} \| 0\.\d{4} \| 0\.\d{4} \| 0\.\d{4} \|/);
    assert.match(r.stdout, /\| 100 \| 0\.22 \| 0\.22 \|/);
    const files = ['ablate_bounds.md', 'ablate_bounds.csv', 'ablate_bounds.json', 'figure6_bounds_ablation.svg', 'figure6_bounds_ablation.png'];
    assert.deepEqual(readdirSync(out).sort(), [...files].sort());
    const json = JSON.parse(readFileSync(join(out, 'ablate_bounds.json'), 'utf8'));
    assert.deepEqual(json.rows.map((x: { spec: string }) => x.spec), ['htaf:alpha=4.72,beta=5', 'htaf:alpha=0.22,beta=100']);
    for (const x of json.rows) {
      assert.ok(x.test >= 0 && x.test <= 1 && x.binarity >= 0 && x.binarity <= 1, JSON.stringify(x));
      assert.equal(x.epochsRun, 2);
    }
    checkFigure(out, 'figure6_bounds_ablation', ['Figure 6', '(a) test AUROC', '(b) binarity score', '(5, 4.72) (100, 0.22)']);

    const bad = runCli(['ablate-bounds', '--data', csv, '--target', 'label', '--beta', '2,5', '--out', join(dir, 'bad')]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--beta: β = 2 is not above β_min = ln\(\(1 − ε\)\/ε\) = 2\.1972 for ε = 0\.1/);
    assert.equal(existsSync(join(dir, 'bad')), false, 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gradients and ablate-bounds name the option at fault', () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-gradients-'));
  try {
    const csv = writeCsv(dir);
    const cases: [string[], RegExp][] = [
      [['gradients', '--methods', 'htaf:alpha=0'], /--methods: .*alpha/],
      [['gradients', '--data', join(dir, 'none.csv'), '--target', 'x'], /--data '.*none\.csv': no such file, and not a built-in dataset \(churn/],
      [['gradients', '--data', csv], /--target COLUMN is required for a CSV file/],
      [['gradients', '--data', csv, '--target', 'nope'], /--target 'nope': .*not in the file/],
      [['gradients', '--architectures', '8,x;4'], /--architectures: '8,x' is not a list of positive layer widths/],
      [['gradients', '--epochs', '0'], /--epochs must be a positive integer/],
      [['gradients', '--threshold', '-1'], /--threshold must be a finite number > 0/],
      [['ablate-bounds', '--eps', '0.7'], /--eps must be a number in \(0, 1\/2\)/],
      [['ablate-bounds', '--beta', '5,x'], /--beta must be a comma-separated list of numbers > 0/],
    ];
    for (const [args, re] of cases) {
      const r = runCli([...args, '--out', join(dir, 'o')]);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, re, args.join(' '));
    }
    assert.equal(existsSync(join(dir, 'o')), false, 'nothing written');
    // an --out that cannot be a folder fails before any training
    const r = runCli(['gradients', '--data', csv, '--target', 'label', '--epochs', '50', '--out', join(csv, 'out')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /htaf gradients --out '.*small\.csv\/out': cannot create the output directory: .*small\.csv is not a directory/);
    assert.doesNotMatch(r.stderr, /epochs in/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
