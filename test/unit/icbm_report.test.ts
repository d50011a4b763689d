// The ICBM report on a hand-built run (test/unit/icbm_report_fixture.ts: 4 classes, 6 concepts, 1×8×8
// images): the numbers behind it (class specificity, matched-threshold baseline, top nodes, class
// groups, sample picks), the image grids pixel for pixel, the page's sections and escaping, and the
// files written (PNG that sharp decodes, atomically, stale grids removed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { IcbmRunData } from '../../src/concepts/types.js';
import { activationShares, binarize, classSpecificity, matchedThresholds } from '../../src/metrics/concepts.js';
import { analyzeIcbmRun, pickSamples, resolveReportOptions } from '../../src/report/icbm_analysis.js';
import { BASELINE_SERIES, histogram, ICBM_SERIES, specificityBars } from '../../src/report/icbm_figures.js';
import { esc, humanizeKey, metricsTable } from '../../src/report/icbm_html.js';
import { ICBM_FIGURE_NAMES, renderIcbmReport, writeIcbmReport } from '../../src/report/icbm_report.js';
import { imageGridLayout, imageGridPng } from '../../src/report/image_grid.js';
import { throwsWith } from '../helpers/errors.js';
import { buildIcbmRun, FIXTURE_CLASSES, FIXTURE_M } from './icbm_report_fixture.js';

const K = FIXTURE_CLASSES.length;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function dataUris(html: string, type: string): string[] {
  return [...html.matchAll(new RegExp(`src="data:${type.replace('+', '\\+')};base64,([A-Za-z0-9+/=]+)"`, 'g'))].map((m) => m[1]);
}

// ---- image grids ------------------------------------------------------------------------------------

test('imageGridPng tiles grayscale CHW images exactly, enlarged by nearest neighbour', async () => {
  // three 1×2×3 images with distinct pixels
  const images = Uint8Array.from({ length: 3 * 6 }, (_, i) => 10 * i + 5);
  const png = await imageGridPng(images, [1, 2, 3], [2, 0], { columns: 2, scale: 2, gap: 1, background: 0 });
  assert.equal((await sharp(png).metadata()).channels, 1, 'a grayscale PNG');
  const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const layout = imageGridLayout(2, [1, 2, 3], { columns: 2, scale: 2, gap: 1 });
  assert.deepEqual([info.width, info.height, info.channels], [layout.width, layout.height, 1]);
  assert.deepEqual([layout.width, layout.height], [2 * 6 + 3, 4 + 2]);
  const at = (x: number, y: number) => data[y * info.width + x];
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 6; x++) {
      const src = Math.floor(y / 2) * 3 + Math.floor(x / 2);
      assert.equal(at(1 + x, 1 + y), images[2 * 6 + src], `first tile is image 2 at (${x}, ${y})`);
      assert.equal(at(1 + 6 + 1 + x, 1 + y), images[src], `second tile is image 0 at (${x}, ${y})`);
    }
  }
  assert.equal(at(0, 0), 0, 'gap has the background');
  assert.equal(at(7, 2), 0, 'gap between tiles');
});

test('imageGridPng turns RGB CHW into interleaved RGB, rows wrap after `columns`', async () => {
  const h = 2;
  const w = 2;
  const images = new Uint8Array(3 * 3 * h * w);
  for (let s = 0; s < 3; s++) for (let ch = 0; ch < 3; ch++) for (let p = 0; p < 4; p++) images[s * 12 + ch * 4 + p] = 40 * s + 10 * ch + p;
  const png = await imageGridPng(images, [3, h, w], [0, 1, 2], { columns: 2, scale: 1, gap: 0 });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [4, 4, 3]);
  const px = (x: number, y: number) => [...data.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3)];
  assert.deepEqual(px(1, 1), [3, 13, 23], 'image 0, pixel (1, 1): channels R, G, B from the three planes');
  assert.deepEqual(px(2, 0), [40, 50, 60], 'image 1 to the right');
  assert.deepEqual(px(0, 2), [80, 90, 100], 'image 2 starts the second row');
  assert.deepEqual(px(3, 3), [255, 255, 255], 'the empty cell is background');
});

test('imageGridPng refuses shapes, channels and indices it cannot draw', async () => {
  const img = new Uint8Array(2 * 16);
  await assert.rejects(imageGridPng(img, [2, 4, 4], [0]), /1 \(grayscale\) or 3 \(RGB\) channels, got C = 2/);
  await assert.rejects(imageGridPng(img, [1, 4, 4], [2]), /image index 2 is out of range \[0, 2\)/);
  await assert.rejects(imageGridPng(img, [1, 4], [0]), /shape must be \[C, H, W\]/);
  await assert.rejects(imageGridPng(img.subarray(1), [1, 4, 4], [0]), /31 bytes is not a whole number of 1×4×4 images/);
  await assert.rejects(imageGridPng(img, [1, 4, 4], []), /need at least one image/);
  throwsWith(() => imageGridLayout(1, [1, 4, 4], { scale: 0 }), 'scale must be an integer in [1, 64], got 0');
});

// ---- the numbers ------------------------------------------------------------------------------------

test('histogram counts values into equal bins, 1 in the last, NaN and outsiders skipped', () => {
  assert.deepEqual(histogram([0, 0.05, 0.1, 0.95, 1, NaN, 1.5, -0.1], 10, 0, 1), { counts: [2, 1, 0, 0, 0, 0, 0, 0, 0, 2], total: 5 });
  throwsWith(() => histogram([1], 0, 0, 1), 'bins must be a positive integer');
});

test('analysis: class specificity of ICBM and of the matched-threshold baseline, as the metrics define them', () => {
  const run = buildIcbmRun();
  const model = analyzeIcbmRun(run);
  const nte = run.testLabels.length;
  assert.deepEqual(model.counts, { test: nte, train: run.trainLabels.length, concepts: FIXTURE_M, classes: K, samples: run.sampleIndices.length });
  assert.deepEqual(model.testSpecificity, classSpecificity(run.testBits, run.testLabels, FIXTURE_M, K));
  assert.deepEqual(model.groupSpecificity, classSpecificity(run.trainBits, run.trainLabels, FIXTURE_M, K));
  const t = matchedThresholds(run.standardTestFeatures, nte, FIXTURE_M, activationShares(run.testBits, nte, FIXTURE_M));
  const baselineBits = binarize(run.standardTestFeatures, t, nte, FIXTURE_M);
  assert.deepEqual(model.baselineSpecificity, classSpecificity(baselineBits, run.testLabels, FIXTURE_M, K));
  // the fixture's ICBM bits follow a class pattern; its "ReLU" features only blur it
  assert.ok(model.classSpecificShare.icbm > model.classSpecificShare.baseline!, JSON.stringify(model.classSpecificShare));
  let correct = 0;
  for (let i = 0; i < nte; i++) correct += run.testPredictions[i] === run.testLabels[i] ? 1 : 0;
  assert.equal(model.testAccuracy, correct / nte);
});

test('analysis: top-k nodes by |w|, class groups at q >= 0.5 on the training images, samples by their bit', () => {
  const run = buildIcbmRun();
  const model = analyzeIcbmRun(run, { topK: 3, samplesPerGroup: 4 });
  // fixtureHeadWeight: |w[c][j]| = 0.1 + 0.01 j, plus 1 when j % 4 = c
  assert.deepEqual(model.topNodes.map((t) => t.nodes.map((n) => n.node)), [[4, 0, 5], [5, 1, 4], [2, 5, 4], [3, 5, 4]]);
  assert.ok(Math.abs(model.topNodes[0].nodes[0].importance - 1.14) < 1e-6);
  assert.equal(model.allNodesShown, true);
  assert.deepEqual(model.nodes.map((n) => n.node), [0, 1, 2, 3, 4, 5]);
  const q = model.groupSpecificity;
  for (const n of model.nodes) {
    const j = n.node;
    assert.deepEqual(n.activated.map((x) => x.classIndex).sort(), [0, 1, 2, 3].filter((c) => q[c * FIXTURE_M + j] >= 0.5), `node ${j} activated`);
    assert.deepEqual(n.unactivated.map((x) => x.classIndex).sort(), [0, 1, 2, 3].filter((c) => q[c * FIXTURE_M + j] < 0.5), `node ${j} unactivated`);
    assert.ok(n.activated.every((x, i) => i === 0 || x.share <= n.activated[i - 1].share), 'most clearly on first');
    const bit = (p: number) => run.testBits[run.sampleIndices[p] * FIXTURE_M + j];
    assert.ok(n.activatedSamples.length <= 4 && n.unactivatedSamples.length <= 4);
    assert.ok(n.activatedSamples.every((p) => bit(p) === 1), `node ${j}: activated samples have z = 1`);
    assert.ok(n.unactivatedSamples.every((p) => bit(p) === 0), `node ${j}: unactivated samples have z = 0`);
    const ones = Array.from(run.sampleIndices, (_, p) => p).filter((p) => bit(p) === 1).length;
    assert.equal(n.activatedSampleCount, ones);
    assert.equal(n.unactivatedSampleCount, run.sampleIndices.length - ones);
    for (const t of n.topOf) assert.equal(model.topNodes[t.classIndex].nodes[t.rank - 1].node, j);
  }
  assert.equal(model.nodes[0].name?.name, '<b>Upper body</b> & co');
  assert.equal(model.nodes[1].name, undefined);
  assert.deepEqual(model.nodes[4].topOf.map((t) => [t.classIndex, t.rank]), [[0, 1], [1, 3], [2, 3], [3, 3]]);
});

test('analysis: with M > maxNodes only the classes\' top nodes get sections, by their best importance', () => {
  const model = analyzeIcbmRun(buildIcbmRun(), { topK: 1, maxNodes: 3 });
  // top-1 nodes: class 0 → 4 (1.14), 1 → 5 (1.15), 2 → 2 (1.12), 3 → 3 (1.13); the best three by importance
  assert.deepEqual(model.nodes.map((n) => n.node), [5, 4, 3]);
  assert.equal(model.allNodesShown, false);
});

test('pickSamples takes the classes in turn, in class order, up to the limit', () => {
  const labels = [2, 0, 0, 1, 2, 0];
  assert.deepEqual(pickSamples([0, 1, 2, 3, 4, 5], (p) => labels[p], 4), [1, 3, 0, 2]);
  assert.deepEqual(pickSamples([0, 1, 2, 3, 4, 5], (p) => labels[p], 10), [1, 3, 0, 2, 4, 5]);
  assert.deepEqual(pickSamples([], (p) => labels[p], 3), []);
});

test('class-specificity bars: per class and series, shares over the M nodes sum to 1, the two series side by side', () => {
  const run = buildIcbmRun();
  const model = analyzeIcbmRun(run);
  const bars = specificityBars({ classes: run.meta.classes, concepts: FIXTURE_M, icbm: model.testSpecificity, baseline: model.baselineSpecificity, bins: 10 });
  for (let c = 0; c < K; c++) {
    for (const series of [ICBM_SERIES, BASELINE_SERIES]) {
      const mine = bars.filter((b) => b.order === c && b.series === series);
      assert.equal(mine.length, 10);
      assert.ok(Math.abs(mine.reduce((s, b) => s + b.share, 0) - 1) < 1e-12);
      assert.equal(mine.reduce((s, b) => s + b.count, 0), FIXTURE_M);
    }
  }
  const first = bars.filter((b) => b.order === 0 && b.x0 < 0.1);
  assert.ok(first[0].x1 <= first[1].x0 + 1e-12 && first[1].x1 <= 0.1, 'ICBM on the left half of the bin, baseline on the right');
  // q of class 0 on node 0 counted in its bin
  const q00 = model.testSpecificity[0];
  const bin = Math.min(9, Math.floor(q00 * 10));
  assert.ok(bars.filter((b) => b.order === 0 && b.series === ICBM_SERIES)[bin].count >= 1);
});

test('analysis refuses run data that does not fit and options out of range, naming them', () => {
  const run = buildIcbmRun();
  throwsWith(() => analyzeIcbmRun({ ...run, testBits: run.testBits.subarray(1) }), 'icbm report', 'testBits');
  throwsWith(() => analyzeIcbmRun({ ...run, sampleIndices: Int32Array.from(run.sampleIndices, () => 999) }), 'icbm report', 'sampleIndices');
  throwsWith(() => resolveReportOptions({ topK: 0 }), 'icbm report: topK must be a positive integer, got 0');
  throwsWith(() => resolveReportOptions({ samplesPerGroup: 1.5 }), 'samplesPerGroup must be a positive integer, got 1.5');
});

// ---- the page ----------------------------------------------------------------------------------------

test('metrics table: rows from the recorded objects, columns their keys in first-seen order, loose values apart', () => {
  const t = metricsTable({ standard: { accuracy: 0.9 }, icbm: { accuracy: 0.8, smoothAccuracy: 0.81, extra: { a: 1 } }, note: 'x' });
  assert.deepEqual(t.columns, ['accuracy', 'smoothAccuracy', 'extra.a']);
  assert.deepEqual(t.rows.map((r) => r.label), ['standard model', 'ICBM']);
  assert.deepEqual(t.scalars, [['note', 'x']]);
  assert.equal(humanizeKey('smoothAccuracy'), 'smooth accuracy');
  assert.equal(esc(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('the page has every section, escapes every string from the run, and embeds figures and grids that decode', async () => {
  const run = buildIcbmRun();
  const { html, figures, model } = await renderIcbmReport(run, { samplesPerGroup: 5 });
  for (const id of ['run', 'metrics', 'specificity', 'outputs', 'top-nodes', 'nodes']) assert.match(html, new RegExp(`<section id="${id}"><h2>`), `section ${id}`);
  for (let j = 0; j < FIXTURE_M; j++) assert.ok(html.includes(`<article class="node" id="node-${j}">`), `node ${j}`);
  assert.ok(html.includes('Class specificity (Figures 4 and 11)') && html.includes('Feature outputs (Figure 12)') && html.includes('Top-5 nodes per class'));
  // run strings appear escaped only
  for (const raw of [...FIXTURE_CLASSES, '<b>Upper body</b> & co', 'toy <fashion>', '<script>alert(1)</script>', 'not "worn"', "worn on the body's top"]) {
    assert.ok(html.includes(esc(raw)), `escaped ${raw}`);
  }
  for (const raw of ['<top>', '<b>Upper', '<script>', '<fashion>', '"Pants"', "Bag's"]) assert.ok(!html.includes(raw), `no raw ${raw}`);
  assert.ok(!/<script|<link|https?:\/\//i.test(html.replace(/data:[^"]+/g, '')), 'no scripts, style sheets or network addresses outside the data: URIs');
  // metrics as recorded, the named node's meaning, a class's top-node list
  assert.ok(html.includes('<td>0.9050</td>') && html.includes('smooth accuracy') && html.includes('BM (median thresholds)'));
  assert.ok(html.includes('0: not &quot;worn&quot; / 1: worn on the body&#39;s top'));
  assert.ok(html.includes('<a href="#node-4">node 4</a>'));

  const svgs = dataUris(html, 'image/svg+xml');
  assert.equal(svgs.length, 2, 'Figure 11 and Figure 12 as SVG');
  const specificitySvg = Buffer.from(svgs[0], 'base64').toString('utf8');
  assert.ok(specificitySvg.includes('0: T-shirt &lt;top&gt;') && specificitySvg.includes('1: Trouser &amp; &quot;Pants&quot;'), 'class names escaped in the SVG');
  assert.ok(specificitySvg.includes(ICBM_SERIES) && specificitySvg.includes(BASELINE_SERIES));
  for (const s of svgs) {
    const meta = await sharp(Buffer.from(s, 'base64')).metadata();
    assert.equal(meta.format, 'svg');
    assert.ok(meta.width! > 300 && meta.height! > 200);
  }
  const pngs = dataUris(html, 'image/png');
  const grids = model.nodes.reduce((s, n) => s + (n.activatedSamples.length > 0 ? 1 : 0) + (n.unactivatedSamples.length > 0 ? 1 : 0), 0);
  assert.equal(pngs.length, grids);
  assert.ok(grids >= FIXTURE_M, 'most nodes have both groups among the samples');
  for (const p of pngs) {
    const meta = await sharp(Buffer.from(p, 'base64')).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.height, 2 + 8 * 8 + 2, 'one row of 8×8 images enlarged 8×');
  }
  assert.deepEqual(figures.map((f) => f.name).slice(0, 2), [ICBM_FIGURE_NAMES.specificity, ICBM_FIGURE_NAMES.outputs]);
  assert.equal(figures.length, 2 + grids);
});

test('a run without a standard model or training bits: no baseline, no ReLU panel, class groups from the test images', async () => {
  const full = buildIcbmRun();
  const run: IcbmRunData = {
    ...full, trainBits: new Uint8Array(0), trainLabels: new Int32Array(0), standardTrainFeatures: new Float32Array(0), standardTestFeatures: new Float32Array(0),
  };
  const { html, model } = await renderIcbmReport(run);
  assert.equal(model.baselineSpecificity, undefined);
  assert.equal(model.classSpecificShare.baseline, undefined);
  assert.equal(model.binarity.standard, undefined);
  assert.equal(model.groupSet, 'test');
  assert.deepEqual(model.groupSpecificity, model.testSpecificity);
  assert.ok(html.includes('no matched-threshold baseline') && html.includes('Class groups from the test images'));
  const [specificity, outputs] = dataUris(html, 'image/svg+xml').map((b) => Buffer.from(b, 'base64').toString('utf8'));
  assert.ok(specificity.includes(ICBM_SERIES) && !specificity.includes(BASELINE_SERIES), 'one series');
  assert.ok(outputs.includes('(a) ICBM, smooth concepts') && !outputs.includes('ReLU'), 'one panel');
  const bars = specificityBars({ classes: run.meta.classes, concepts: FIXTURE_M, icbm: model.testSpecificity, bins: 10 });
  assert.equal(bars.length, K * 10);
});

test('writeIcbmReport writes index.html and the figures as PNG, atomically, and drops grids of nodes no longer shown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-icbm-report-'));
  try {
    const out = join(dir, 'a', 'report');
    const run: IcbmRunData = buildIcbmRun({ channels: 3 });
    const files = await writeIcbmReport(run, out, { pngScale: 1 });
    assert.equal(files.html, join(out, 'index.html'));
    const html = readFileSync(files.html, 'utf8');
    assert.ok(html.startsWith('<!doctype html>') && html.trimEnd().endsWith('</html>'));
    const names = readdirSync(join(out, 'figures')).sort();
    assert.deepEqual(names, files.figures.map((f) => f.slice(join(out, 'figures').length + 1)).sort());
    assert.ok(names.includes(`${ICBM_FIGURE_NAMES.specificity}.png`) && names.includes(`${ICBM_FIGURE_NAMES.outputs}.png`));
    assert.ok(!readdirSync(out).some((f) => f.includes('.tmp-')) && !names.some((f) => f.includes('.tmp-')), 'no temporary files');
    for (const f of files.figures) {
      const png = readFileSync(f);
      assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE, f);
      const meta = await sharp(png).metadata();
      assert.ok(meta.width! > 0 && meta.height! > 0, f);
      if (f.includes('node_')) assert.equal(meta.channels, 3, 'RGB images give an RGB grid');
    }
    const stats = await sharp(join(out, 'figures', `${ICBM_FIGURE_NAMES.specificity}.png`)).stats();
    assert.ok(stats.channels[0].min < 50 && stats.channels[0].max > 200, 'dark ink on a light background');

    // a second report with fewer nodes leaves no grids of the old ones; other files are kept
    writeFileSync(join(out, 'figures', 'mine.png'), 'x');
    const again = await writeIcbmReport(run, out, { topK: 1, maxNodes: 2, pngScale: 1 });
    const left = readdirSync(join(out, 'figures')).filter((f) => f.startsWith('node_'));
    assert.deepEqual(left.sort(), again.figures.filter((f) => f.includes('node_')).map((f) => f.split('/').pop()).sort());
    assert.ok(left.every((f) => f.startsWith('node_5_') || f.startsWith('node_4_')), left.join(' '));
    assert.ok(existsSync(join(out, 'figures', 'mine.png')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
