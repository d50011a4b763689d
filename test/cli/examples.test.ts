// README's examples run, so they cannot rot, and the training examples learn: each figure they print that
// would sit near chance if training broke must clear a floor far above chance and well below what the
// example reaches.
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
  'runtime_tabular.js': [/^exported \d+ bytes: linear → step → linear_bits → step → linear_bits$/m, /share of ones per step layer: 0\.\d\d, 0\.\d\d$/m],
  'runtime_images.js': [/^exported \d+ bytes \(the float32 checkpoint: \d+\)$/m, /^runtime test accuracy: (0\.\d{3}); htaf exact mode: \1$/m, /^\d+ sign layers, 12544 bits per image for 28×28×16 activations$/m],
  'tour.js': [/^gradient: 0\.0000 1\.9429 5\.5000 1\.9429 0\.0000$/m, /^alpha_min\(beta 11\): 2\.0247$/m, /^outputs differ between smooth and exact: true$/m],
  'spiking_neurons.js': [/fused=false, method=htaf/, /^fused: +[\d.]+ ms forward\+backward, mean spike (0\.\d{4})\ncomposed: +[\d.]+ ms forward\+backward, mean spike \1$/m, /^same mean spike: true; gradients differ by/m, /^exact mode: every spike 0 or 1: true; firing rate \d+\.\d%$/m],
  'distributed.js': [/^2 processes, global batch 64: epoch 20 loss \d\.\d{4} \(mean over ranks\)$/m, /^same weights on every rank: true$/m, /^both workers finished$/m],
  'icbm_quickstart.js': [/^fashion-mnist: 2000 training and 500 test images$/m, /^ICBM: accuracy \d+\.\d% smooth, \d+\.\d% with exact 0\/1 concepts; binarity \d+\.\d%; concept accuracy \d+\.\d%$/m, /^named \d+ of 16 concepts/m, /^  node \d+: .+ \(0: .+; 1: .+\)$/m, /^Prediction: .+ \(class \d, p = 0\.\d{3}\)/m, /^Intervention: node \d+ /m, /^Concepts of class .+ \(class \d\), by importance$/m],
};

/** Every number a pattern captures must be >= atLeast (or < below). */
interface Learned {
  what: string;
  pattern: RegExp;
  atLeast?: number;
  below?: number;
}

// Measured on 2026-12-02 (2-core node machine, three runs each, identical to the last digit; the same with
// HTAF_SIMD=avx2 or baseline): train_mlp's loss 0.0069 at step 300; images_train 0.410 exact, 0.408
// smooth; icbm_quickstart standard 74.2%, ICBM 70.8% smooth, 69.2% exact.
const LEARNED: Record<string, Learned[]> = {
  // y = x0 * x1 for unit normal x: predicting the mean leaves a loss of about Var(y) = 1.
  'train_mlp.js': [{ what: 'the MSE at step 300', pattern: /^step 300: loss (\d+\.\d+),/m, below: 0.05 }],
  // y = x0 * x1 again, trained by 2 processes: the mean alone leaves a loss of about 1.
  'distributed.js': [{ what: 'the mean loss of epoch 20', pattern: /epoch 20 loss (\d\.\d{4})/m, below: 0.1 }],
  // Churn: the majority class alone is right on about 73.5% of the rows.
  'runtime_tabular.js': [{ what: 'the runtime\'s test accuracy', pattern: /^runtime test accuracy: (\d\.\d{3}) on/m, atLeast: 0.76 }],
  // 10 balanced classes: chance is 0.1.
  'runtime_images.js': [{ what: 'the runtime\'s test accuracy', pattern: /^runtime test accuracy: (\d\.\d{3});/m, atLeast: 0.25 }],
  // Churn, binary: chance AUROC is 0.5; README's tour reaches 0.828 exact, 0.830 smooth (2026-12-02).
  'tour.js': [{ what: 'test AUROC, exact and smooth steps', pattern: /^test AUROC: (\d\.\d{3}) exact steps, (\d\.\d{3}) smooth;/m, atLeast: 0.75 }],
  // 10 balanced classes: chance is 0.1.
  'images_train.js': [{ what: 'test accuracy, exact and smooth steps', pattern: /^test accuracy: (\d\.\d{3}) with exact steps, (\d\.\d{3}) with smooth steps$/m, atLeast: 0.25 }],
  'icbm_quickstart.js': [
    { what: "the standard model's accuracy (%)", pattern: /^standard model: accuracy (\d+\.\d)%$/m, atLeast: 50 },
    { what: "the ICBM's accuracy (%), smooth and exact", pattern: /^ICBM: accuracy (\d+\.\d)% smooth, (\d+\.\d)% with exact 0\/1 concepts;/m, atLeast: 50 },
  ],
};

for (const [file, patterns] of Object.entries(EXPECTED)) {
  test(`examples/${file.replace('.js', '.ts')} runs`, () => {
    const r = runNode([join(ROOT, 'dist/examples', file)]);
    assert.equal(r.status, 0, r.stderr);
    for (const p of patterns) assert.match(r.stdout, p);
    for (const l of LEARNED[file] ?? []) {
      const m = r.stdout.match(l.pattern);
      assert.ok(m, `${file}: no line matches ${l.pattern} (${l.what})`);
      const values = m.slice(1).map(Number);
      assert.ok(values.length > 0 && values.every(Number.isFinite), `${file}: ${l.what}: ${m[0]}`);
      for (const v of values) {
        if (l.atLeast !== undefined) assert.ok(v >= l.atLeast, `${file}: ${l.what} is ${v}, must be >= ${l.atLeast} (it learned less than it does)`);
        if (l.below !== undefined) assert.ok(v < l.below, `${file}: ${l.what} is ${v}, must be < ${l.below} (it learned less than it does)`);
      }
    }
  });
}
