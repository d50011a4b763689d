// `htaf icbm report` end to end on a hand-built run written with writeIcbmRun: the page and its PNG
// figures are written, the page opens from disk in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core) with every section rendered, every image loaded, no console error and no request
// outside the file itself; the options shape the page; bad runs and options are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { writeIcbmRun } from '../../src/concepts/run_data.js';
import { buildIcbmRun, FIXTURE_CLASSES, FIXTURE_M } from '../unit/icbm_report_fixture.js';
import { runCli } from './run.js';

const CHROMIUM = '/usr/bin/chromium';

function withRun(fn: (dir: string, runDir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'htaf-icbm-report-cli-'));
    try {
      const runDir = join(dir, 'run');
      writeIcbmRun(runDir, buildIcbmRun());
      await fn(dir, runDir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('htaf icbm report writes <run>/report/index.html and PNG figures; the page renders in headless Chromium with no errors', withRun(async (_dir, runDir) => {
  const r = runCli(['icbm', 'report', '--run', runDir]);
  assert.equal(r.status, 0, r.stderr);
  const html = join(runDir, 'report', 'index.html');
  assert.equal(r.stdout.split('\n')[0], html);
  const figures = readdirSync(join(runDir, 'report', 'figures'));
  assert.ok(figures.includes('figure11_class_specificity.png') && figures.includes('figure12_feature_outputs.png'), figures.join(' '));
  assert.ok(figures.filter((f) => /^node_\d_(un)?activated\.png$/.test(f)).length >= FIXTURE_M);
  for (const f of figures) assert.equal((await sharp(join(runDir, 'report', 'figures', f)).metadata()).format, 'png', f);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (q) => problems.push(`failed request: ${q.url().slice(0, 80)} ${q.failure()?.errorText}`));
    page.on('request', (q) => requests.push(q.url()));
    const response = await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    assert.ok(response === null || response.ok(), 'the page loads');

    assert.equal(await page.textContent('h1'), 'ICBM report');
    assert.deepEqual(await page.$$eval('h2', (hs) => hs.map((h) => h.textContent)), [
      'Run', 'Metrics', 'Class specificity (Figures 4 and 11)', 'Feature outputs (Figure 12)', 'Top-5 nodes per class', 'Nodes (Figure 5a)',
    ]);
    // metrics table and top-nodes table: one row per model and per class
    assert.equal(await page.$$eval('table.metrics tbody tr', (rows) => rows.length), 3);
    assert.deepEqual(await page.$$eval('table.top-nodes tbody th', (ths) => ths.map((t) => t.textContent)), [...FIXTURE_CLASSES]);
    // every image decoded and laid out with a size
    const images = await page.$$eval('img', (imgs) => imgs.map((i) => {
      const box = i.getBoundingClientRect();
      return { figure: i.classList.contains('figure'), complete: i.complete, naturalWidth: i.naturalWidth, width: box.width, height: box.height, data: i.src.startsWith('data:') };
    }));
    assert.equal(images.filter((i) => i.figure).length, 2, 'Figures 11 and 12');
    assert.ok(images.length >= 2 + FIXTURE_M, `${images.length} images`);
    for (const [n, i] of images.entries()) {
      assert.ok(i.complete && i.naturalWidth > 0 && i.width > 0 && i.height > 0 && i.data, `image ${n}: ${JSON.stringify(i)}`);
    }
    const figureWidths = images.filter((i) => i.figure).map((i) => i.width);
    assert.ok(figureWidths.every((w) => w > 400), `figures are drawn large enough: ${figureWidths.join(', ')}`);
    // one section per node; strings from the run show as text, not markup
    assert.equal(await page.$$eval('article.node', (a) => a.length), FIXTURE_M);
    assert.equal(await page.textContent('#node-0 h3'), 'node 0 — <b>Upper body</b> & co');
    assert.equal(await page.$$eval('#node-0 h3 b, script', (els) => els.length), 0);
    const classText = await page.textContent('#node-0 .groups');
    assert.ok(FIXTURE_CLASSES.some((c) => classText!.includes(c)), classText!);
    assert.ok((await page.textContent('#metrics'))!.includes('<script>alert(1)</script> seconds'));
    // a link from the top-nodes table lands on the node's section
    await page.click('table.top-nodes a[href="#node-4"]');
    assert.ok(page.url().endsWith('#node-4'), page.url());

    assert.deepEqual(problems, []);
    const outside = requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'));
    assert.deepEqual(outside, [], 'nothing fetched from the network');
  } finally {
    await browser.close();
  }
}));

test('htaf icbm report --out, --top-k, --max-nodes, --samples-per-group, --json shape the page', withRun(async (dir, runDir) => {
  const out = join(dir, 'elsewhere', 'rep');
  const r = runCli(['icbm', 'report', '--run', runDir, '--out', out, '--top-k', '1', '--max-nodes', '2', '--samples-per-group', '3', '--scale', '1', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const files = JSON.parse(r.stdout.trim()) as { html: string; figures: string[] };
  assert.equal(files.html, join(out, 'index.html'));
  assert.ok(!existsSync(join(runDir, 'report')), 'nothing written to the default folder');
  const grids = files.figures.filter((f) => f.includes('node_'));
  // top-1 nodes by importance: 5 (1.15) and 4 (1.14)
  assert.deepEqual(grids.map((f) => f.split('/').pop()).sort(), ['node_4_activated.png', 'node_4_unactivated.png', 'node_5_activated.png', 'node_5_unactivated.png']);
  for (const g of grids) {
    const meta = await sharp(g).metadata();
    assert.ok(meta.width! <= 2 + 3 * (64 + 2), `${g}: at most 3 images, got width ${meta.width}`);
  }
}));

test('htaf icbm report names a missing or invalid run folder and bad options', withRun(async (dir, runDir) => {
  const missing = join(dir, 'nope');
  let r = runCli(['icbm', 'report', '--run', missing]);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.includes(`htaf icbm report --run '${missing}'`) && r.stderr.includes('no run folder'), r.stderr);

  const empty = join(dir, 'empty');
  mkdirSync(empty);
  r = runCli(['icbm', 'report', '--run', empty]);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.includes(`--run '${empty}'`) && r.stderr.includes('run.json'), r.stderr);

  const file = join(dir, 'file.txt');
  writeFileSync(file, 'x');
  r = runCli(['icbm', 'report', '--run', file]);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.includes('is not a folder'), r.stderr);

  r = runCli(['icbm', 'report', '--run', runDir, '--out', file]);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.includes(`--out '${file}'`), r.stderr);

  r = runCli(['icbm', 'report', '--run', runDir, '--top-k', '0']);
  assert.notEqual(r.status, 0);
  assert.ok(r.stderr.includes("--top-k must be a positive integer, got '0'"), r.stderr);

  r = runCli(['icbm', 'report']);
  assert.notEqual(r.status, 0);
  assert.ok(r.stderr.includes("required option '--run <dir>'"), r.stderr);
}));
