// The WebAssembly kernels run in a browser as they do in Node: headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core) loads the compiled src/runtime modules as plain ES modules (so the runtime imports
// no node: module and needs no loader for the .wasm bytes), and every kernel gives the same bits as Node's
// wasm instance and the JS reference on the same inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { jsKernels, type ConvShape } from '../../src/runtime/kernels.js';
import { createWasmKernels } from '../../src/runtime/wasm.js';

const CHROMIUM = '/usr/bin/chromium';
const RUNTIME = join(import.meta.dirname, '../../src/runtime'); // dist/src/runtime
const ORIGIN = 'http://htaf.test';

test('wasm kernels in headless Chromium equal the Node instance bit for bit', async () => {
  const s: ConvShape = { n: 2, h: 6, w: 5, cin: 37, cout: 19, kernel: 3, stride: 2, padding: 1 };
  let seed = 11;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pixels = s.n * s.h * s.w;
  const words = 2;
  const x = Array.from({ length: pixels * s.cin }, () => (random() < 0.4 ? 0 : random() * 2 - 1));
  const weight = Array.from({ length: 9 * s.cin * s.cout }, () => random() * 2 - 1);
  const bias = Array.from({ length: s.cout }, () => random() - 0.5);
  const mask = [0xffffffff, (1 << (s.cin - 32)) - 1];
  const plane = Array.from({ length: pixels * words }, (_, i) => (random() * 2 ** 32) & mask[i % words]);
  const weightBits = Array.from({ length: s.cout * 9 * words }, (_, i) => (random() * 2 ** 32) & mask[i % words]);
  const input = { s, x, weight, bias, plane, weightBits };

  type Input = typeof input;
  // Self-contained (no closure), so the page can rebuild it from its source text.
  const run = (k: { convFloat: Function; convBits: Function; convBinary: Function; step: Function }, a: Input) => {
    const f = (v: number[]) => Float32Array.from(v);
    const pixels = a.s.n * a.s.h * a.s.w;
    const margins = new Float64Array(a.s.n).fill(Infinity);
    return {
      convFloat: Array.from(k.convFloat(f(a.x), f(a.weight), f(a.bias), a.s) as Float32Array),
      convBits: Array.from(k.convBits([Uint32Array.from(a.plane)], f(a.weight), f(a.bias), a.s) as Float32Array),
      convBinary: Array.from(k.convBinary(Uint32Array.from(a.plane), Int32Array.from(a.weightBits), f(a.bias), f(a.bias), a.s) as Float32Array),
      step: Array.from(k.step(f(a.x), pixels, a.s.cin, f(a.bias.concat(a.bias, a.bias)).subarray(0, a.s.cin), f(a.weight).subarray(0, a.s.cin), a.s.h * a.s.w, margins) as Uint32Array),
      margins: Array.from(margins),
    };
  };
  const inNode = run(createWasmKernels(), input);
  const reference = run(jsKernels, input);
  assert.deepEqual(inNode.convBinary, reference.convBinary);
  assert.deepEqual(inNode.step, reference.step);
  assert.deepEqual(inNode.margins, reference.margins);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>kernels</title>' });
      if (!/^\/[a-z_.]+\.js$/.test(path)) return route.fulfill({ status: 404, body: 'not found' });
      return route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(RUNTIME, path.slice(1))) });
    });
    await page.goto(`${ORIGIN}/`);
    const inBrowser = await page.evaluate(async ({ a, runText }) => {
      const { createWasmKernels: create, wasmAvailable } = await import('/wasm.js' as string);
      if (!wasmAvailable()) throw new Error('no WebAssembly SIMD in this browser');
      const runIt = new Function(`return (${runText})`)();
      return runIt(create(), a);
    }, { a: input, runText: run.toString() });
    assert.deepEqual(problems, []);
    assert.deepEqual(inBrowser, inNode);
  } finally {
    await browser.close();
  }
});
