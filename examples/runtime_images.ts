// A Bi-Real BNN trained briefly on Fashion-MNIST, exported to one .htafb file (1-bit weights and
// activations) and run by the dependency-free runtime, against the same model in htaf's exact mode.
// Run: node dist/examples/runtime_images.js  (Fashion-MNIST from Debian's dataset-fashion-mnist)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateImageModel, exportRun, loadImageModel, loadImageSource, subsetImages, trainImageModel } from '../src/images.js';
import { loadModel } from '../src/runtime/index.js';

const source = await loadImageSource('fashion-mnist');
const data = { train: subsetImages(source.train, 1000, 0), test: subsetImages(source.test, 500, 0), name: 'fashion-mnist' };
const dir = mkdtempSync(join(tmpdir(), 'htaf-runtime-images-'));
try {
  await trainImageModel({ model: { kind: 'bnn', depth: 10 }, epochs: 1, batch: 64, lr: 3e-3, seed: 0 }, data, { outDir: dir });
  const { out, bytes, checkpointBytes } = exportRun(dir);                    // the same as: htaf export --run DIR
  console.log(`exported ${bytes} bytes (the float32 checkpoint: ${checkpointBytes})`);

  const model = loadModel(new Uint8Array(readFileSync(out)));                // from here on, no libtorch
  const n = data.test.labels.length;
  const p = model.predict(model.standardize(data.test.images, n), n);
  let right = 0;
  for (let i = 0; i < n; i++) if (p.classes![i] === data.test.labels[i]) right++;
  const { model: exact, meta } = loadImageModel(join(dir, 'best.safetensors'));
  const reference = evaluateImageModel(exact, data.test, { stats: meta.stats, layers: false }).accuracy;
  exact.dispose();
  console.log(`runtime test accuracy: ${(right / n).toFixed(3)}; htaf exact mode: ${reference.toFixed(3)}`);
  const binary = model.info().layers.filter((l) => l.kind === 'signs');
  console.log(`${binary.length} sign layers, ${binary[0].bitsPerExample} bits per image for ${binary[0].shape.join('×')} activations`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
