// The float32 HTAF, SS and STE kernels hold their stated bound (native/src/fused_activations.h) on
// every SIMD path this CPU has: relative error <= 1e-6 against the float64 kernels wherever the value
// is a normal float32, for |x| up to 1e4 and parameters up to 1e4, forward and derivative; no NaN or
// Inf; a result underflows only where the true value is below float32's range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FLOAT32_MIN_NORMAL, type KernelAccuracy } from '../helpers/float32_accuracy.js';

const SCRIPT = fileURLToPath(new URL('../helpers/float32_accuracy.js', import.meta.url));
const cpu = readFileSync('/proc/cpuinfo', 'utf8');
const PATHS = ['baseline', ...(/\bavx2\b/.test(cpu) && /\bfma\b/.test(cpu) ? ['avx2'] : []), ...(/\bavx512f\b/.test(cpu) ? ['avx512'] : [])];

for (const simd of PATHS) {
  test(`float32 kernels on the ${simd} path: within 1e-6 of float64 where the value is a normal float32`, () => {
    const out = execFileSync(process.execPath, [SCRIPT], { env: { ...process.env, HTAF_SIMD: simd }, encoding: 'utf8' });
    const figures = JSON.parse(out) as Record<string, KernelAccuracy>;
    assert.equal(Object.keys(figures).length, 6, 'htaf and ss forward and derivative, the sigmoid and tanh surrogates');
    for (const [name, acc] of Object.entries(figures)) {
      assert.equal(acc.nonFinite, 0, `${name}: ${acc.nonFinite} NaN or Inf`);
      assert.ok(acc.maxRel <= 1e-6, `${name}: relative error ${acc.maxRel}`);
      assert.ok(acc.maxBelowNormal < FLOAT32_MIN_NORMAL, `${name}: ${acc.maxBelowNormal} where the true value is below float32's range`);
    }
  });
}
