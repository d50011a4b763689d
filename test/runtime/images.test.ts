// The runtime on each image family, briefly trained (1 epoch on a few hundred Fashion-MNIST images):
// WRN DHN, Bi-Real BNN, SEW-ResNet SNN (T = 4) and the standard ReLU WRN, exported and run by every
// engine; the classes agree with htaf's exact mode on the test images (test/runtime/equivalence.ts says
// how), binary activations take 1 bit each and a BNN file is at most 1/12 of its float32 checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, kernelsFor } from '../../src/export/engines.js';
import { agreement, assertEquivalent, exportRun, fashionTest, trainBriefly } from './equivalence.js';

const FAMILIES = [
  { kind: 'dhn', args: ['--depth', '10'], bits: 'bits' },
  { kind: 'bnn', args: [], bits: 'signs' }, // Bi-Real-18: its stem, fc and 1×1 shortcuts stay float32
  { kind: 'snn', args: ['--train-size', '200', '--batch', '50'], bits: 'bits' },
  { kind: 'standard', args: ['--depth', '10'], bits: undefined },
] as const;

/** Test images per engine: wasm and native see the whole bar's worth; js, the slow reference, a sample. */
const FULL = 1000;
const SAMPLE = 100;

for (const family of FAMILIES) {
  test(`runtime: an exported ${family.kind} predicts as exact mode does on every engine`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `htaf-rt-${family.kind}-`));
    try {
      trainBriefly(['images', 'train', '--model', family.kind], dir, family.kind === 'snn' ? [...family.args] : ['--train-size', '500', ...family.args]);
      const r = exportRun(dir);
      const fastest = ENGINES[ENGINES.length - 1];
      for (const engine of ENGINES) {
        const a = await agreement(dir, r.out, kernelsFor(engine), engine === 'js' ? SAMPLE : FULL);
        assertEquivalent(a, `${family.kind} on ${engine}`);
        if (engine !== fastest) continue;
        // The executor recycles dead maps between layers and calls: a second call gives the same outputs and
        // leaves the first call's outputs as they were.
        {
          const { images } = await fashionTest();
          const x = a.model.standardize(images.subarray(0, 20 * 784), 20);
          const first = a.model.predict(x, 20).outputs;
          const copy = first.slice();
          const second = a.model.predict(x, 20).outputs;
          assert.deepEqual(second, copy, 'a second call gives the same outputs');
          assert.deepEqual(first, copy, 'the first call\'s outputs are untouched by the second');
        }
        const info = a.model.info();
        const steps = info.layers.filter((l) => l.op === 'step' || l.op === 'lif');
        if (family.bits === undefined) assert.equal(steps.length, 0, 'a ReLU network has no steps');
        for (const l of steps) {
          const [h, w, c] = l.shape;
          assert.equal(l.kind, family.bits);
          // One bit per activation: a pixel of 8 or 16 channels takes 1 or 2 bytes, of a multiple of 32 whole words.
          const pixelBits = c <= 8 ? 8 : c <= 16 ? 16 : 32 * Math.ceil(c / 32);
          const t = l.op === 'lif' ? 4 : 1;
          assert.equal(l.bitsPerExample, pixelBits * h * w * t, `${l.name}: one bit per activation (${c} channels in ${pixelBits} bits a pixel)`);
          if (c === 8 || c === 16 || c % 32 === 0) assert.equal(l.bitsPerExample, c * h * w * t, `${l.name}: exactly C·H·W bits`);
        }
        if (family.kind === 'bnn') assert.ok(r.bytes * 12 <= r.checkpointBytes, `a BNN file (${r.bytes} bytes) is at most 1/12 of its float32 checkpoint (${r.checkpointBytes})`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
