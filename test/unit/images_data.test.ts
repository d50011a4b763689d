// The image file formats and dataset operations (src/data/images): IDX (plain and gzip), the Fashion-MNIST
// built-in, CIFAR-10/100 binaries, the source spec, subsets/splits/statistics and augmentation, on tiny
// files written here; every bad file gives an Error naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { throwsWith } from '../helpers/errors.js';
import { tempDirs } from '../helpers/temp_dirs.js';
import { hashSeed, mulberry32 } from '../../src/data/random.js';
import {
  augmentImage, channelStats, checkAugmentOptions, CIFAR10_CLASSES, drawAugmentation, encodeIdx, FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEFAULT_DIR, IMAGE_SOURCE_FORMS, loadCifar10, loadCifar100, loadFashionMnist, loadImageSource, randomAugment,
  readIdxImages, readIdxLabels, splitTrainVal, subsetImages, takeImages, type ImageDataset,
} from '../../src/data/images/index.js';

const { root, newDir } = tempDirs('htaf-images-');

/** n images h×w with a pattern that identifies each pixel. */
function pattern(n: number, h: number, w: number): Uint8Array {
  return Uint8Array.from({ length: n * h * w }, (_, i) => (i * 7 + 3) % 256);
}

// ---------------------------------------------------------------- IDX

test('IDX: images and labels round trip, plain and gzip (by name or by signature)', () => {
  const dir = newDir();
  const pixels = pattern(3, 2, 4);
  const labels = Uint8Array.from([2, 0, 9]);
  writeFileSync(join(dir, 'img'), encodeIdx([3, 2, 4], pixels));
  writeFileSync(join(dir, 'img.gz'), gzipSync(encodeIdx([3, 2, 4], pixels)));
  writeFileSync(join(dir, 'img-gzipped-no-suffix'), gzipSync(encodeIdx([3, 2, 4], pixels)));
  writeFileSync(join(dir, 'lab.gz'), gzipSync(encodeIdx([3], labels)));
  for (const name of ['img', 'img.gz', 'img-gzipped-no-suffix']) {
    const got = readIdxImages(join(dir, name));
    assert.deepEqual([got.count, got.height, got.width], [3, 2, 4], name);
    assert.deepEqual(got.pixels, pixels, name);
  }
  assert.deepEqual(readIdxLabels(join(dir, 'lab.gz'), 10), Int32Array.from([2, 0, 9]));
  // The header is big-endian: 0x00000803, then N, H, W.
  assert.deepEqual([...encodeIdx([3, 2, 4], pixels).subarray(0, 16)], [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4]);
});

test('IDX: wrong magic, truncated or overlong data, corrupt gzip, label out of range, missing file: errors naming the file', () => {
  const dir = newDir();
  const f = (name: string, bytes: Uint8Array): string => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const images = encodeIdx([2, 3, 3], pattern(2, 3, 3));
  const labels = f('labels', encodeIdx([4], Uint8Array.from([0, 1, 10, 2])));
  throwsWith(() => readIdxImages(labels), labels, 'wrong magic number 0x00000801', '0x00000803');
  throwsWith(() => readIdxLabels(f('images', images)), 'images', 'wrong magic number 0x00000803', '0x00000801');
  throwsWith(() => readIdxImages(f('text', new TextEncoder().encode('hello world, not idx'))), 'text', 'wrong magic number', 'not an IDX file');
  throwsWith(() => readIdxImages(f('short', images.subarray(0, images.length - 1))), 'short', 'truncated', 'need 18 bytes of data, the file has 17');
  throwsWith(() => readIdxImages(f('header-only', images.subarray(0, 10))), 'header-only', 'truncated');
  throwsWith(() => readIdxImages(f('long', Uint8Array.from([...images, 0, 0]))), 'long', '2 bytes after the data');
  const gz = gzipSync(images);
  throwsWith(() => readIdxImages(f('cut.gz', gz.subarray(0, gz.length - 6))), 'cut.gz', 'corrupt or truncated gzip');
  const flipped = Uint8Array.from(gz);
  flipped[flipped.length - 6] ^= 0xff; // the CRC no longer matches
  throwsWith(() => readIdxImages(f('crc.gz', flipped)), 'crc.gz', 'corrupt or truncated gzip');
  throwsWith(() => readIdxImages(f('plain-named.gz', images)), 'plain-named.gz', 'corrupt or truncated gzip');
  throwsWith(() => readIdxLabels(labels, 10), labels, 'label 10 at index 2 is out of range 0..9');
  assert.equal(readIdxLabels(labels).length, 4, 'without a class count any byte is a label');
  throwsWith(() => readIdxImages(join(dir, 'absent.gz')), 'absent.gz', 'no such file');
  throwsWith(() => readIdxImages(f('zero', encodeIdx([0, 3, 3], new Uint8Array(0)))), 'zero', 'include a zero');
});

// ---------------------------------------------------------------- Fashion-MNIST

function writeFashion(dir: string, train: number, test: number, trainLabels?: Uint8Array): void {
  const h = 5;
  const w = 4;
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx([train, h, w], pattern(train, h, w))));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([train], trainLabels ?? Uint8Array.from({ length: train }, (_, i) => i % 10))));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(encodeIdx([test, h, w], pattern(test, h, w))));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([test], Uint8Array.from({ length: test }, (_, i) => 9 - (i % 10)))));
}

async function withFashionDir<T>(dir: string, fn: () => Promise<T> | T): Promise<T> {
  const saved = process.env.HTAF_FASHION_MNIST_DIR;
  process.env.HTAF_FASHION_MNIST_DIR = dir;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.HTAF_FASHION_MNIST_DIR;
    else process.env.HTAF_FASHION_MNIST_DIR = saved;
  }
}

test('fashion-mnist: read from HTAF_FASHION_MNIST_DIR, 1 channel, the ten class names', async () => {
  const dir = newDir();
  writeFashion(dir, 12, 7);
  const src = await withFashionDir(dir, () => loadImageSource('fashion-mnist'));
  assert.equal(src.name, 'fashion-mnist');
  for (const [part, n] of [[src.train, 12], [src.test, 7]] as const) {
    assert.equal(part.labels.length, n);
    assert.deepEqual([part.channels, part.height, part.width], [1, 5, 4]);
    assert.deepEqual(part.images, pattern(n, 5, 4));
  }
  assert.deepEqual(Array.from(src.train.labels.subarray(0, 11)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
  assert.deepEqual(Array.from(src.test.labels.subarray(0, 3)), [9, 8, 7]);
  assert.deepEqual(src.train.classes, ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  assert.equal(FASHION_MNIST_CLASSES.length, 10);
  assert.ok(src.train.source.includes(dir));
});

test('fashion-mnist: a missing folder says to install dataset-fashion-mnist; bad files name themselves', async () => {
  const missing = join(root, 'no-such-fashion');
  await withFashionDir(missing, async () => {
    await assert.rejects(loadImageSource('fashion-mnist'), (err: Error) => {
      for (const part of [missing, 'train-images-idx3-ubyte.gz', 'dataset-fashion-mnist', 'make deps', 'HTAF_FASHION_MNIST_DIR']) {
        assert.ok(err.message.includes(part), `${JSON.stringify(err.message)} should include ${part}`);
      }
      return true;
    });
  });
  const badLabel = newDir();
  writeFashion(badLabel, 4, 2, Uint8Array.from([1, 2, 11, 3]));
  throwsWith(() => loadFashionMnist(badLabel), join(badLabel, 'train-labels-idx1-ubyte.gz'), 'label 11 at index 2 is out of range 0..9');
  const mismatch = newDir();
  writeFashion(mismatch, 4, 2);
  writeFileSync(join(mismatch, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([3], Uint8Array.from([1, 2, 3]))));
  throwsWith(() => loadFashionMnist(mismatch), 'train-images-idx3-ubyte.gz holds 4 images', 'train-labels-idx1-ubyte.gz holds 3 labels');
});

test('fashion-mnist: the installed built-in has 60,000 + 10,000 images of 28×28, labels 0..9', (t) => {
  if (!existsSync(join(FASHION_MNIST_DEFAULT_DIR, 'train-images-idx3-ubyte.gz'))) {
    t.skip(`${FASHION_MNIST_DEFAULT_DIR} is absent (Debian package dataset-fashion-mnist not installed)`);
    return;
  }
  const src = loadFashionMnist(FASHION_MNIST_DEFAULT_DIR);
  for (const [part, n] of [[src.train, 60000], [src.test, 10000]] as const) {
    assert.equal(part.labels.length, n);
    assert.deepEqual([part.channels, part.height, part.width], [1, 28, 28]);
    assert.equal(part.images.length, n * 784);
    const counts = new Array(10).fill(0);
    for (const l of part.labels) counts[l]++;
    assert.deepEqual(counts, new Array(10).fill(n / 10), 'Fashion-MNIST is balanced');
  }
  // Standardization constants everyone quotes for Fashion-MNIST: mean 0.2860, std 0.3530.
  const stats = channelStats(src.train);
  assert.ok(Math.abs(stats.mean[0] - 0.2860) < 1e-4 && Math.abs(stats.std[0] - 0.3530) < 1e-4, JSON.stringify(stats));
});

// ---------------------------------------------------------------- CIFAR

function cifarRecords(labels: number[][], seed: number): Uint8Array {
  const rec = labels[0].length + 3072;
  const out = new Uint8Array(labels.length * rec);
  labels.forEach((ls, r) => {
    out.set(ls, r * rec);
    for (let p = 0; p < 3072; p++) out[r * rec + ls.length + p] = (p * 13 + r * 31 + seed) % 256;
  });
  return out;
}

function writeCifar10(dir: string): void {
  for (let k = 1; k <= 5; k++) writeFileSync(join(dir, `data_batch_${k}.bin`), cifarRecords([[k], [k + 4]], k));
  writeFileSync(join(dir, 'test_batch.bin'), cifarRecords([[0], [9], [3]], 99));
}

test('cifar10: five training batches and the test batch, records copied as 3×32×32, default or listed names', async () => {
  const dir = newDir();
  writeCifar10(dir);
  const src = await loadImageSource(`cifar10:${dir}`);
  assert.equal(src.name, 'cifar10');
  assert.deepEqual(Array.from(src.train.labels), [1, 5, 2, 6, 3, 7, 4, 8, 5, 9]);
  assert.deepEqual(Array.from(src.test.labels), [0, 9, 3]);
  assert.deepEqual([src.train.channels, src.train.height, src.train.width], [3, 32, 32]);
  // Image 3 is batch 2's second record: its 3072 bytes follow its label byte, already R, G, B planes.
  const batch2 = cifarRecords([[2], [6]], 2);
  assert.deepEqual(src.train.images.subarray(3 * 3072, 4 * 3072), batch2.subarray(3073 + 1, 2 * 3073));
  assert.deepEqual(src.train.classes, CIFAR10_CLASSES);
  assert.equal(CIFAR10_CLASSES[0], 'airplane');
  writeFileSync(join(dir, 'batches.meta.txt'), ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', '', ''].join('\n'));
  assert.equal(loadCifar10(dir).train.classes[9], 'a9');
  // The folder the official archive unpacks to is found inside DIR.
  const parent = newDir();
  mkdirSync(join(parent, 'cifar-10-batches-bin'));
  writeCifar10(join(parent, 'cifar-10-batches-bin'));
  assert.equal(loadCifar10(parent).test.labels.length, 3);
});

test('cifar10: a missing file, a wrong size, a label out of range and a bad names file name the file', () => {
  const dir = newDir();
  writeCifar10(dir);
  const file = join(dir, 'data_batch_3.bin');
  writeFileSync(file, cifarRecords([[1], [2]], 0).subarray(0, 2 * 3073 - 1));
  throwsWith(() => loadCifar10(dir), file, '6145 bytes is not a whole number of cifar10 records', '3073 bytes');
  writeFileSync(file, cifarRecords([[1], [10]], 0));
  throwsWith(() => loadCifar10(dir), file, 'record 1: label 10 is out of range 0..9');
  rmSync(file);
  throwsWith(() => loadCifar10(dir), file, 'not found');
  writeCifar10(dir);
  writeFileSync(join(dir, 'batches.meta.txt'), 'cat\ndog\n');
  throwsWith(() => loadCifar10(dir), 'batches.meta.txt', '2 class names, expected 10');
  throwsWith(() => loadCifar10(join(root, 'nowhere')), join(root, 'nowhere', 'data_batch_1.bin'), 'not found');
});

test('cifar100: fine labels, names from fine_label_names.txt or class K; bad labels and sizes name the file', async () => {
  const dir = newDir();
  writeFileSync(join(dir, 'train.bin'), cifarRecords([[3, 42], [19, 99], [0, 0]], 1));
  writeFileSync(join(dir, 'test.bin'), cifarRecords([[5, 7], [1, 64]], 2));
  const src = await loadImageSource(`cifar100:${dir}`);
  assert.equal(src.name, 'cifar100');
  assert.deepEqual(Array.from(src.train.labels), [42, 99, 0]);
  assert.deepEqual(Array.from(src.test.labels), [7, 64]);
  assert.equal(src.train.classes.length, 100);
  assert.equal(src.train.classes[42], 'class 42');
  assert.deepEqual(src.test.images.subarray(3072, 6144), cifarRecords([[5, 7], [1, 64]], 2).subarray(3074 + 2, 2 * 3074));
  writeFileSync(join(dir, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, k) => `fine${k}`).join('\n') + '\n');
  assert.equal(loadCifar100(dir).train.classes[99], 'fine99');
  const train = join(dir, 'train.bin');
  writeFileSync(train, cifarRecords([[3, 100]], 1));
  throwsWith(() => loadCifar100(dir), train, 'record 0: label 100 is out of range 0..99');
  writeFileSync(train, cifarRecords([[20, 1]], 1));
  throwsWith(() => loadCifar100(dir), train, 'record 0: coarse label 20 is out of range 0..19');
  writeFileSync(train, cifarRecords([[1, 1]], 1).subarray(0, 3073));
  throwsWith(() => loadCifar100(dir), train, '3073 bytes is not a whole number of cifar100 records (3074 bytes each');
  writeFileSync(train, new Uint8Array(0));
  throwsWith(() => loadCifar100(dir), train, '0 bytes');
});

test('loadImageSource: an unknown spec or a missing folder lists the valid forms', async () => {
  for (const spec of ['mnist', 'cifar-10:/x', 'Fashion-MNIST', '']) {
    await assert.rejects(loadImageSource(spec), (err: Error) => {
      assert.match(err.message, /unknown image dataset/);
      for (const form of IMAGE_SOURCE_FORMS) assert.ok(err.message.includes(form), `${err.message} lists ${form}`);
      return true;
    });
  }
  await assert.rejects(loadImageSource('cifar10:'), /'cifar10:' needs a folder: cifar10:DIR/);
  await assert.rejects(loadImageSource('folder:'), /needs a folder/);
  assert.deepEqual(IMAGE_SOURCE_FORMS, ['fashion-mnist', 'cifar10:DIR', 'cifar100:DIR', 'folder:DIR']);
});

// ---------------------------------------------------------------- dataset operations

/** 100 images 1×2×2 whose first two pixels encode the index; 60 of class 0, 30 of class 1, 10 of class 2. */
function labelled(): ImageDataset {
  const n = 100;
  const images = new Uint8Array(n * 4);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    images[i * 4] = i;
    images[i * 4 + 1] = 200 - i;
    labels[i] = i % 10 === 9 ? 2 : i % 10 >= 6 ? 1 : 0;
  }
  return { images, labels, channels: 1, height: 2, width: 2, classes: ['a', 'b', 'c'], source: 'synthetic' };
}

const idOf = (ds: ImageDataset, j: number): number => ds.images[j * 4];
const ids = (ds: ImageDataset): number[] => Array.from({ length: ds.labels.length }, (_, j) => idOf(ds, j));
const classCounts = (ds: ImageDataset): number[] => {
  const c = new Array(ds.classes.length).fill(0);
  for (const l of ds.labels) c[l]++;
  return c;
};

function checkIntact(part: ImageDataset, whole: ImageDataset): void {
  for (let j = 0; j < part.labels.length; j++) {
    const i = idOf(part, j);
    assert.deepEqual(part.images.subarray(j * 4, j * 4 + 4), whole.images.subarray(i * 4, i * 4 + 4));
    assert.equal(part.labels[j], whole.labels[i]);
  }
}

test('takeImages: the images at the indices, in order, repeats allowed; out-of-range indices are errors', () => {
  const ds = labelled();
  const t = takeImages(ds, [5, 0, 5, 99]);
  assert.deepEqual(ids(t), [5, 0, 5, 99]);
  checkIntact(t, ds);
  assert.deepEqual([t.channels, t.height, t.width, t.classes, t.source], [1, 2, 2, ['a', 'b', 'c'], 'synthetic']);
  throwsWith(() => takeImages(ds, [1, 100]), 'takeImages', 'index 100 (position 1)', 'synthetic');
  throwsWith(() => takeImages(ds, [1.5]), 'index 1.5');
  throwsWith(() => takeImages({ ...ds, labels: new Int32Array(3) }, [0]), '400 pixel bytes for 3 labels');
});

test('subsetImages: seeded, stratified, in the dataset order; n >= size gives the whole set; n <= 0 is an error', () => {
  const ds = labelled();
  const s = subsetImages(ds, 20, 1);
  assert.equal(s.labels.length, 20);
  assert.deepEqual(classCounts(s), [12, 6, 2], 'each class keeps its share');
  const order = ids(s);
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
  assert.equal(new Set(order).size, 20);
  checkIntact(s, ds);
  assert.deepEqual(ids(subsetImages(ds, 20, 1)), order, 'the same seed gives the same subset');
  assert.notDeepEqual(ids(subsetImages(ds, 20, 2)), order, 'another seed gives another');
  assert.equal(subsetImages(ds, 100, 1), ds);
  assert.equal(subsetImages(ds, 1000, 1), ds);
  assert.equal(subsetImages(ds, 1, 1).labels.length, 1);
  throwsWith(() => subsetImages(ds, 0, 1), 'subsetImages', 'n must be a positive integer', '0');
  throwsWith(() => subsetImages(ds, -5, 1), 'got -5');
  throwsWith(() => subsetImages(ds, 2.5, 1), 'got 2.5');
  throwsWith(() => subsetImages(ds, 10, 0.5), 'seed must be an integer');
});

test('splitTrainVal: seeded, stratified, disjoint parts covering every image', () => {
  const ds = labelled();
  const { train, val } = splitTrainVal(ds, 0.2, 7);
  assert.deepEqual(classCounts(val), [12, 6, 2]);
  assert.deepEqual(classCounts(train), [48, 24, 8]);
  assert.deepEqual([...ids(train), ...ids(val)].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  checkIntact(train, ds);
  checkIntact(val, ds);
  assert.deepEqual(ids(splitTrainVal(ds, 0.2, 7).val), ids(val));
  assert.notDeepEqual(ids(splitTrainVal(ds, 0.2, 8).val), ids(val));
  assert.notDeepEqual(ids(splitTrainVal(ds, 0.2, 7).val), ids(subsetImages(ds, 20, 7)), 'split and subset draw different streams');
  assert.equal(splitTrainVal(ds, 0.1, 0).val.labels.length, 10);
  for (const bad of [0, 1, -0.1, NaN, 1.5]) throwsWith(() => splitTrainVal(ds, bad, 0), 'splitTrainVal', 'valFraction must be a number in (0, 1)');
  throwsWith(() => splitTrainVal(takeImages(ds, [0, 1]), 0.1, 0), '2 images of synthetic are too few', 'validation part would be empty');
});

test('channelStats: per-channel mean and population std of pixels/255, as computed by hand', () => {
  // Two images, 2 channels of 1×2. Channel 0 holds 0, 255, 51, 102 (0, 1, 0.2, 0.4); channel 1 holds 255 only.
  const ds: ImageDataset = {
    images: Uint8Array.from([0, 255, 255, 255, 51, 102, 255, 255]),
    labels: Int32Array.from([0, 0]), channels: 2, height: 1, width: 2, classes: ['x'], source: 'hand',
  };
  const s = channelStats(ds);
  assert.ok(Math.abs(s.mean[0] - 0.4) < 1e-15, String(s.mean[0]));
  // Deviations -0.4, 0.6, -0.2, 0: variance (0.16 + 0.36 + 0.04 + 0) / 4 = 0.14.
  assert.ok(Math.abs(s.std[0] - Math.sqrt(0.14)) < 1e-15, String(s.std[0]));
  assert.deepEqual([s.mean[1], s.std[1]], [1, 0]);
  throwsWith(() => channelStats({ ...ds, labels: new Int32Array(0), images: new Uint8Array(0) }), 'channelStats', 'hand has no images');
});

// ---------------------------------------------------------------- augmentation

test('augmentImage: shifts with zero fill (the padded crop) and flips, on uint8 and float32 images', () => {
  const img = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]); // 1×3×3
  const aug = (dy: number, dx: number, flip: boolean): number[] => Array.from(augmentImage(img, 1, 3, 3, { dy, dx, flip }));
  assert.deepEqual(aug(0, 0, false), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(aug(0, 0, true), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
  assert.deepEqual(aug(1, 0, false), [4, 5, 6, 7, 8, 9, 0, 0, 0]);
  assert.deepEqual(aug(-1, 1, false), [0, 0, 0, 2, 3, 0, 5, 6, 0]);
  // Crop first, then flip: the zero column of the shift ends up on the left.
  assert.deepEqual(aug(0, 1, true), [0, 3, 2, 0, 6, 5, 0, 9, 8]);
  assert.deepEqual(aug(2, -2, false), [0, 0, 7, 0, 0, 0, 0, 0, 0]);
  const two = Float32Array.from([1, 2, 3, 4, -1, -2, -3, -4]); // 2×2×2
  const out = augmentImage(two, 2, 2, 2, { dy: 0, dx: -1, flip: true });
  assert.ok(out instanceof Float32Array);
  // Shifted: [0, 1 | 0, 3] per channel; then flipped: [1, 0 | 3, 0].
  assert.deepEqual(Array.from(out), [1, 0, 3, 0, -1, 0, -3, 0]);
  throwsWith(() => augmentImage(img, 1, 2, 2, { dy: 0, dx: 0, flip: false }), 'augmentImage', '9 values, expected 1×2×2 = 4');
  throwsWith(() => augmentImage(img, 1, 3, 3, { dy: 0, dx: 0, flip: false }, img), 'must not be the input');
});

test('drawAugmentation / randomAugment: seeded draws within the padding, flips about half the time', () => {
  const random = mulberry32(hashSeed(1, 2));
  const seen = new Set<string>();
  let flips = 0;
  for (let k = 0; k < 2000; k++) {
    const d = drawAugmentation({ cropPadding: 2, horizontalFlip: true }, random);
    assert.ok(Math.abs(d.dy) <= 2 && Math.abs(d.dx) <= 2 && Number.isInteger(d.dy) && Number.isInteger(d.dx));
    seen.add(`${d.dy},${d.dx}`);
    if (d.flip) flips++;
  }
  assert.equal(seen.size, 25, 'every offset in [-2, 2]² occurs');
  assert.ok(flips > 900 && flips < 1100, String(flips));
  // Off: no change and no draws taken from the generator.
  let calls = 0;
  assert.deepEqual(drawAugmentation({}, () => (calls++, 0.3)), { dy: 0, dx: 0, flip: false });
  assert.equal(calls, 0);
  const img = Uint8Array.from({ length: 2 * 4 * 4 }, (_, i) => i + 1);
  const a = randomAugment(img, 2, 4, 4, { cropPadding: 1, horizontalFlip: true }, mulberry32(5));
  assert.deepEqual(randomAugment(img, 2, 4, 4, { cropPadding: 1, horizontalFlip: true }, mulberry32(5)), a);
  throwsWith(() => checkAugmentOptions({ cropPadding: -1 }, 'here'), 'here', 'cropPadding must be an integer >= 0', '-1');
  throwsWith(() => checkAugmentOptions({ horizontalFlip: 'yes' as never }, 'here'), 'horizontalFlip must be a boolean');
  throwsWith(() => checkAugmentOptions({ flip: true } as never, 'here'), "unknown augment option 'flip'");
});
