// resolveImageModelOptions (src/models/image_zoo.ts): a model choice checked without the data's sizes
// (what `htaf images train|compare` check before reading any image), its errors OptionErrors that name
// the option; resolveImageModelSpec adds what depends on the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OptionError } from '../../src/core/options.js';
import { resolveImageModelOptions, resolveImageModelSpec } from '../../src/models/image_zoo.js';

function optionError(f: () => unknown, option: string, message: string): void {
  assert.throws(f, (e: unknown) => e instanceof OptionError && e.option === option && e.message === message);
}

test('resolveImageModelOptions: defaults filled per backbone, no data sizes needed', () => {
  assert.deepEqual(resolveImageModelOptions({ kind: 'dhn' }), { kind: 'dhn', backbone: 'wrn', method: 'htaf:alpha=2,beta=11', depth: 16, width: 1, baseWidth: 16, dropout: 0 });
  assert.deepEqual(resolveImageModelOptions({ kind: 'snn', depth: 18 }), { kind: 'snn', backbone: 'sew', method: 'htaf:alpha=2,beta=11', depth: 18, baseWidth: 16, T: 4 });
  // A ViT's patch size is checked against the image size only with the data.
  assert.equal(resolveImageModelOptions({ kind: 'standard', backbone: 'vit', patchSize: 5 }).patchSize, 5);
  optionError(() => resolveImageModelSpec({ kind: 'standard', backbone: 'vit', patchSize: 5, inChannels: 1, imageSize: 28, numClasses: 10 }), 'patchSize',
    'buildImageModel: patchSize must be a divisor of the image size 28; got 5');
  assert.equal(resolveImageModelSpec({ kind: 'standard', backbone: 'vit', inChannels: 1, imageSize: 14, numClasses: 10 }).patchSize, 7);
});

test('resolveImageModelOptions: each bad option is an OptionError naming it', () => {
  optionError(() => resolveImageModelOptions({ kind: 'dhn', depth: 12 }), 'depth', 'buildImageModel: depth must be 6n + 4 with n >= 1 (10, 16, 22, 28, 40, ...); got 12');
  optionError(() => resolveImageModelOptions({ kind: 'bnn', depth: 16 }), 'depth', 'buildImageModel: depth must be one of 10, 18, 34; got 16');
  optionError(() => resolveImageModelOptions({ kind: 'dhn', T: 4 }), 'T', 'buildImageModel: T does not apply to a dhn model with backbone wrn (it applies to sew); got T=4');
  optionError(() => resolveImageModelOptions({ kind: 'cnn' as never }), 'kind', 'buildImageModel: kind must be one of dhn, bnn, snn, standard; got "cnn"');
  optionError(() => resolveImageModelOptions({ kind: 'bnn', backbone: 'wrn' }), 'backbone', 'buildImageModel: backbone "wrn" is not one of a bnn model\'s: bireal');
  optionError(() => resolveImageModelOptions({ kind: 'standard', backbone: 'vit', width: 30, heads: 4 }), 'heads', 'buildImageModel: heads (4) must divide width (30)');
  assert.throws(() => resolveImageModelOptions({ kind: 'dhn', method: 'relu' }), (e: unknown) => e instanceof OptionError && e.option === 'method' && /^"relu" is not a binary activation/.test(e.detail));
  assert.throws(() => resolveImageModelOptions({ kind: 'dhn', inChannels: 1 } as never), /buildImageModel: unknown option 'inChannels'/);
});
