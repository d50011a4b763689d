// The browser demo end to end: a DHN trained briefly, exported, built into a folder
// (dist/examples/browser/build.js), served on 127.0.0.1 and opened in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core). The classes the page computes for the shipped test images
// are exactly those Node's runtime computes on the same bytes with the same engine (wasm, the page's
// default, and js with ?engine=js); a stroke drawn on the pad and a PNG chosen
// as a file are predicted as Node predicts their pixels; a bad model file and a bad image show errors on
// the page; no console error or warning, no page error, no failed request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import type { DemoState } from '../../examples/browser/main.js';
import { decodeSamples } from '../../examples/browser/samples.js';
import { serveStatic } from '../../examples/browser/serve.js';
import { jsKernels, loadModel, type RuntimeModel } from '../../src/runtime/index.js';
import { createWasmKernels } from '../../src/runtime/wasm.js';
import { ROOT, runNode } from '../cli/run.js';
import { exportRun, trainBriefly } from './equivalence.js';

const CHROMIUM = '/usr/bin/chromium';
const SKIP = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (Debian's chromium package, which make test installs)`;

const demo = (page: Page): Promise<DemoState> => page.evaluate(() => (window as unknown as { htafDemo: DemoState }).htafDemo);

/** Node's class for one gray H × W image (one channel). */
function nodeClass(model: RuntimeModel, gray: ArrayLike<number>): number {
  return model.predict(model.standardize(Uint8Array.from(gray), 1), 1).classes![0];
}

test('browser demo: the page classifies the shipped test images as Node does, predicts drawings and files, and shows errors on the page', { skip: SKIP, timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-browser-'));
  const run = join(dir, 'run');
  const site = join(dir, 'site');
  try {
    trainBriefly(['images', 'train', '--model', 'dhn'], run, ['--depth', '10', '--train-size', '300']);
    const exported = exportRun(run);
    const b = runNode([join(ROOT, 'dist/examples/browser/build.js'), '--model', exported.out, '--out', site]);
    assert.equal(b.status, 0, b.stderr);
    for (const f of ['index.html', 'main.js', 'model.htafb', 'samples.bin']) assert.match(b.stdout, new RegExp(`wrote .*${f.replace('.', '\\.')} \\(\\d+ bytes\\)`));

    // What Node's runtime says about the very bytes the page gets.
    const samples = decodeSamples(new Uint8Array(readFileSync(join(site, 'samples.bin'))));
    assert.equal(samples.count, 200);
    const bytes = new Uint8Array(readFileSync(join(site, 'model.htafb')));
    const classesOf = (m: RuntimeModel): number[] => Array.from(m.predict(m.standardize(samples.pixels, samples.count), samples.count).classes!);
    const jsModel = loadModel(bytes, { kernels: jsKernels });
    const model = loadModel(bytes, { kernels: createWasmKernels() });
    const expected = classesOf(model);
    const expectedJs = classesOf(jsModel);

    const server = await serveStatic(site);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
      const problems: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (q) => problems.push(`failed request: ${q.url()} ${q.failure()?.errorText}`));
      page.on('response', (r) => { if (!r.ok()) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
      const open = async (query: string): Promise<DemoState> => {
        await page.goto(server.url + query);
        await page.waitForFunction(() => {
          const d = (window as unknown as { htafDemo?: DemoState }).htafDemo;
          return d?.ready === true || d?.error !== undefined;
        }, null, { timeout: 60_000 });
        const d = await demo(page);
        assert.equal(d.error, undefined, `the page shows no error: ${d.error}`);
        return d;
      };
      const js = await open('?engine=js');
      assert.equal(js.engine, 'js');
      assert.deepEqual(js.classes, expectedJs, 'with the js engine, the page predicts every shipped test image as Node does');
      const ready = await open('');
      assert.equal(ready.engine, 'wasm', 'the page runs WebAssembly by default');
      assert.deepEqual(ready.classes, expected, 'with the wasm engine, the page predicts every shipped test image as Node does');
      assert.deepEqual(ready.labels, Array.from(samples.labels));
      const right = expected.filter((c, i) => c === samples.labels[i]).length;
      assert.equal(ready.accuracy, right / samples.count);
      assert.match((await page.textContent('#accuracy'))!, new RegExp(`^${right} of 200 test images right: accuracy \\d+\\.\\d%`));
      assert.equal(await page.locator('#grid figure').count(), 24);
      const info = model.info();
      assert.equal(await page.locator('#layers tbody tr').count(), info.layers.length, 'one row per layer');
      assert.match((await page.textContent('#sizes'))!, new RegExp(`weights${(info.parameterBytes / 1024).toFixed(1)} KiB${(info.float32ParameterBytes / 1024).toFixed(1)} KiB`));
      const shares = await page.$$eval('#layers tbody tr', (rows) => rows.map((r) => r.lastElementChild!.textContent));
      assert.equal(shares.filter((s) => /^0\.\d{3}$|^1\.000$/.test(s ?? '')).length, info.layers.filter((l) => l.op === 'step' || l.op === 'lif').length, 'a share of ones per step layer');

      // A stroke on the pad: the page predicts its 28 × 28 pixels as Node does.
      const pad = (await page.locator('#pad').boundingBox())!;
      await page.mouse.move(pad.x + 80, pad.y + 50);
      await page.mouse.down();
      await page.mouse.move(pad.x + 200, pad.y + 140, { steps: 8 });
      await page.mouse.move(pad.x + 90, pad.y + 240, { steps: 8 });
      await page.mouse.up();
      await page.waitForFunction(() => (window as unknown as { htafDemo: DemoState }).htafDemo.input?.source === 'drawing');
      const drawn = (await demo(page)).input!;
      assert.equal(drawn.pixels.length, 28 * 28);
      assert.ok(drawn.pixels.filter((p) => p > 128).length > 20, 'the stroke shows in the pixels');
      assert.equal(drawn.class, nodeClass(model, drawn.pixels));
      assert.match((await page.textContent('#input-result'))!, new RegExp(`^Your drawing: ${drawn.name} \\(`));

      // A PNG of test image 7 chosen as a file: the same pixels, the same class as Node's.
      const png = await sharp(Buffer.from(samples.pixels.subarray(7 * 784, 8 * 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer();
      await page.setInputFiles('#image-file', { name: 'shirt.png', mimeType: 'image/png', buffer: png });
      await page.waitForFunction(() => (window as unknown as { htafDemo: DemoState }).htafDemo.input?.source === 'file');
      const file = (await demo(page)).input!;
      assert.deepEqual(file.pixels, Array.from(samples.pixels.subarray(7 * 784, 8 * 784)), 'the file reads back as its pixels');
      assert.equal(file.class, expected[7]);

      // Bad files: the error is shown on the page, the loaded model stays.
      await page.setInputFiles('#model-file', { name: 'broken.htafb', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all') });
      await page.waitForSelector('#error:not([hidden])');
      assert.match((await page.textContent('#error'))!, /^Error: broken\.htafb: /);
      await page.setInputFiles('#image-file', { name: 'noise.png', mimeType: 'image/png', buffer: Buffer.from('no image either') });
      await page.waitForFunction(() => /could not be read as an image/.test(document.getElementById('error')!.textContent ?? ''));
      const after = await demo(page);
      assert.equal(after.ready, true);
      assert.equal(after.model, 'model.htafb');
      assert.deepEqual(problems, [], 'no console error or warning, page error or failed request');
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
