// `htaf plot activations|bounds` write the paper's Figures 1 and 2 as SVG (rendered by vega from a
// Vega-Lite spec) and PNG (rasterized by sharp); bad options and unwritable folders are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { figure1Data, figure2Data, FIGURE2_PARAMS } from '../../src/report/plots/index.js';
import { ROOT, runCli } from './run.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function checkFigure(dir: string, name: string, texts: string[]): Promise<void> {
  const svg = readFileSync(join(dir, `${name}.svg`), 'utf8');
  assert.ok(svg.startsWith('<svg'), `${name}.svg starts with ${svg.slice(0, 20)}`);
  assert.ok(svg.trimEnd().endsWith('</svg>'), `${name}.svg is complete`);
  assert.match(svg, /class="marks"/, 'rendered by vega');
  for (const t of texts) assert.ok(svg.includes(t), `${name}.svg has the text '${t}'`);

  const png = readFileSync(join(dir, `${name}.png`));
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
  const meta = await sharp(png).metadata();
  const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 2 * w, 'PNG at twice the SVG size');
  assert.equal(meta.height, 2 * h);
  assert.ok(meta.width! >= 1200 && meta.width! <= 5000 && meta.height! >= 600 && meta.height! <= 2000, `${meta.width}x${meta.height}`);
  const stats = await sharp(png).stats();
  assert.ok(stats.channels[0].min < 50 && stats.channels[0].max > 200, 'the PNG has dark ink on a light background');
}

test('plot activations writes Figure 1 (three panels, one legend) as SVG and PNG', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-plot-'));
  try {
    const out = join(dir, 'new', 'folder');
    const r = runCli(['plot', 'activations', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [join(out, 'figure1_activations.svg'), join(out, 'figure1_activations.png')]);
    assert.deepEqual(readdirSync(out).sort(), ['figure1_activations.png', 'figure1_activations.svg'], 'no temporary files left');
    await checkFigure(out, 'figure1_activations', [
      'HTAF(x),  H(x)', 'HTAF′(x)', 'HTAF′(x) / SS′(x)', '(a) HTAF against the Heaviside step',
      'α = 2, β = 11', 'α = 0.5, β = 44', 'Heaviside H', 'γ = αβ = 22', '10⁻³⁰',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('plot bounds writes Figure 2 with the limits L/δ marked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-plot-'));
  try {
    const r = runCli(['plot', 'bounds', '--out', dir, '--scale', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [join(dir, 'figure2_bounds.svg'), join(dir, 'figure2_bounds.png')]);
    await checkFigure(dir, 'figure2_bounds', [
      'αₘᵢₙ(β)  (log scale)', 'β · αₘᵢₙ(β)', 'β  (log scale)', 'ε = 0.1, δ = 0.1', 'ε = 0.05, δ = 0.1', 'ε = 0.1, δ = 0.05',
      'L/δ = 22.0', 'L/δ = 29.4', 'L/δ = 43.9',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the plotted numbers are the theory: HTAF(0) = 1/2, slope αβ/4, β·α_min → L/δ', () => {
  const d = figure1Data();
  for (const row of d.values.filter((r) => r.x === 0 && r.series.startsWith('α'))) assert.ok(Math.abs(row.y - 0.5) < 1e-12);
  assert.deepEqual(d.slopes.map((s) => s.y), [5.5]);
  assert.ok(d.gradients.every((r) => r.y > 0 && Number.isFinite(r.y)));
  const { rows, limits } = figure2Data();
  for (const [i, p] of FIGURE2_PARAMS.entries()) {
    const series = rows.filter((r) => r.series === limits[i].series);
    const last = series[series.length - 1];
    assert.ok(Math.abs(last.beta - 5000) < 1e-9 && Math.abs(last.product / limits[i].limit - 1) < 1e-3, `${p.eps}, ${p.delta}: ${last.product} vs ${limits[i].limit}`);
    assert.ok(series.every((r, k) => k === 0 || r.product < series[k - 1].product), 'β·α_min decreases in β');
  }
});

test('figures come from Vega-Lite specs, not hand-written SVG', () => {
  for (const f of ['plot.ts', 'plots/figure1_activations.ts', 'plots/figure2_bounds.ts', 'plots/index.ts']) {
    const src = readFileSync(join(ROOT, 'src/report', f), 'utf8');
    assert.doesNotMatch(src, /<svg|<path|<text|<line/, f);
  }
});

test('bad plot options and unwritable folders are refused with the option named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-plot-'));
  try {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const r = runCli(['plot', 'bounds', '--out', join(file, 'sub')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /htaf plot bounds --out '.*a-file\/sub': cannot create output directory .*a-file\/sub: ENOTDIR/);
    const s = runCli(['plot', 'activations', '--scale', '0', '--out', dir]);
    assert.notEqual(s.status, 0);
    assert.match(s.stderr, /--scale must be a number in \(0, 8\], got '0'/);
    const u = runCli(['plot', 'scatter']);
    assert.notEqual(u.status, 0);
    assert.match(u.stderr, /unknown command 'scatter'|error/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
