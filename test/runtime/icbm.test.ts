// The runtime on ICBMs with a ResNet and a WRN backbone (briefly trained): classes as exact mode gives
// them on the test images, the concept bits equal on at least 99.99% of bits (test/runtime/equivalence.ts),
// and the concepts come out of predict as 0/1 per image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, kernelsFor } from '../../src/export/engines.js';
import { agreement, assertEquivalent, exportRun, trainBriefly } from './equivalence.js';

for (const backbone of ['resnet', 'wrn']) {
  test(`runtime: an exported ICBM (${backbone}) gives exact mode's classes and concept bits`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `htaf-rt-icbm-${backbone}-`));
    try {
      trainBriefly(['icbm', 'train', '--backbone', backbone, '--concepts', '24'], dir, ['--train-size', '300', ...(backbone === 'wrn' ? ['--depth', '10'] : [])]);
      const r = exportRun(dir);
      assert.equal(r.graph.concepts, 'concept');
      for (const engine of ENGINES) {
        const a = await agreement(dir, r.out, kernelsFor(engine), engine === 'js' ? 100 : 1000);
        assertEquivalent(a, `ICBM ${backbone} on ${engine}`);
        assert.equal(a.conceptBits, 24 * a.n, 'every image\'s 24 concept bits are compared');
      }
      // The standard model beside it (ReLU concepts) exports too, without concept bits.
      const standard = exportRun(join(dir, 'standard'));
      assert.equal(standard.graph.concepts, undefined);
      assert.ok(!standard.graph.nodes.some((n) => n.op === 'step'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
