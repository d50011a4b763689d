// README's examples run, so they cannot rot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, runNode } from './run.js';

const EXPECTED: Record<string, RegExp[]> = {
  'tensors.js': [/x\.grad = \[ \[ 2, 4 \], \[ 6, 8 \] \]/, /tensors kept by tidy: 1/, /error: matmul\(self=float32\[2, 2\], other=float32\[3\]\)/],
  'train_mlp.js': [/step 300: loss/, /restored model gives the same outputs: true/],
  'activations.js': [/HTAF\(x\)    = 0\.0000 0\.1024 0\.5000 0\.8976 1\.0000/, /H\(x\)       = 0 0 1 1 1/],
  'binary_activations.js': [/2 binary activations \(2 smooth, 0 exact\)/, /^exact step: +[01]( [01]){5}$/m, /2 binary activations \(0 smooth, 2 exact\)/, /alpha must be a finite number > 0/],
  'images_train.js': [/^epoch 2: loss [\d.]+, val accuracy [\d.]+ \(exact steps\)$/m, /test accuracy: 0\.\d{3} with exact steps, 0\.\d{3} with smooth steps/, /^ +block1\.layer\.0\.act1 +share of ones 0\.\d{4}$/m, /reloaded model gives the same test accuracy: true/],
  'icbm_quickstart.js': [/^fashion-mnist: 2000 training and 500 test images$/m, /^ICBM: accuracy \d+\.\d% smooth, \d+\.\d% with exact 0\/1 concepts; binarity \d+\.\d%; concept accuracy \d+\.\d%$/m, /^named \d+ of 16 concepts/m, /^  node \d+: .+ \(0: .+; 1: .+\)$/m, /^Prediction: .+ \(class \d, p = 0\.\d{3}\)/m, /^Intervention: node \d+ /m, /^Concepts of class .+ \(class \d\), by importance$/m],
};

for (const [file, patterns] of Object.entries(EXPECTED)) {
  test(`examples/${file.replace('.js', '.ts')} runs`, () => {
    const r = runNode([join(ROOT, 'dist/examples', file)]);
    assert.equal(r.status, 0, r.stderr);
    for (const p of patterns) assert.match(r.stdout, p);
  });
}
