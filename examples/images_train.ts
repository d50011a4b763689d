// An image DHN (a WideResNet whose every activation is HTAF) trained on a Fashion-MNIST subset with the
// library API: accuracy with exact steps (every activation the Heaviside step) and with smooth steps, the
// share of ones of each activation, and the saved best model reloaded.
// Run: node dist/examples/images_train.js  (Fashion-MNIST from Debian's dataset-fashion-mnist, or
// $HTAF_FASHION_MNIST_DIR)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateImageModel, layerActivityLines, loadImageModel, loadImageSource, subsetImages, trainImageModel } from '../src/images.js';

const source = await loadImageSource('fashion-mnist');
const data = { train: subsetImages(source.train, 1000, 0), test: subsetImages(source.test, 500, 0), name: 'fashion-mnist' };

const dir = mkdtempSync(join(tmpdir(), 'htaf-images-example-'));
const result = await trainImageModel(
  { model: { kind: 'dhn', method: 'htaf:alpha=2,beta=11', depth: 10 }, epochs: 2, batch: 64, lr: 3e-3, seed: 0 },
  data,
  { outDir: dir, onEvent: (e) => e.kind === 'epoch' && console.log(`epoch ${e.epoch}: loss ${e.trainLoss.toFixed(3)}, val accuracy ${e.valAccuracy.toFixed(3)} (exact steps)`) },
);
console.log(result.description);
console.log(`test accuracy: ${result.test.accuracy.toFixed(3)} with exact steps, ${result.test.smoothAccuracy.toFixed(3)} with smooth steps`);
console.log('share of ones of each activation at test time (exact steps):');
console.log(layerActivityLines(result.test.layers).join('\n'));

// best.safetensors holds the weights and what rebuilds the model (spec, classes, standardization).
const { model, meta } = loadImageModel(join(dir, 'best.safetensors'));
const again = evaluateImageModel(model, data.test, { stats: meta.stats });
console.log('reloaded model gives the same test accuracy:', again.accuracy === result.test.accuracy);
model.dispose();
rmSync(dir, { recursive: true });
