// Image folders (src/data/images/folder.ts): tiny PNG and JPEG files written here with sharp, in the
// DIR/<class> layout (seeded stratified split) and the DIR/train, DIR/test layout; sizes, channels and
// the errors that name the folder or file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImageFolder, loadImageSource, type ImageDataset } from '../../src/data/images/index.js';
import { tempDirs } from '../helpers/temp_dirs.js';

const { root, newDir } = tempDirs('htaf-folder-');

/** Raw interleaved pixels h×w×c whose values identify the image `id`. */
function rawPixels(id: number, h: number, w: number, c: number): Buffer {
  return Buffer.from(Array.from({ length: h * w * c }, (_, i) => (id * 37 + i * 11) % 256));
}

/** HWC → CHW, as the dataset stores pixels. */
function chw(raw: Buffer, h: number, w: number, c: number): Uint8Array {
  const out = new Uint8Array(h * w * c);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[k * h * w + p] = raw[p * c + k];
  return out;
}

async function writeImage(file: string, id: number, h: number, w: number, c: 1 | 3 | 4): Promise<Buffer> {
  const raw = rawPixels(id, h, w, c);
  let img = sharp(raw, { raw: { width: w, height: h, channels: c } });
  if (c === 1) img = img.toColourspace('b-w');
  await (file.endsWith('.png') ? img.png() : img.jpeg({ quality: 95 })).toFile(file);
  return raw;
}

/** DIR/<class>/ with `perClass` PNGs per class (ids in order); returns the raw pixels by file. */
async function writeClasses(dir: string, classes: string[], perClass: number, h = 4, w = 5, c: 1 | 3 = 3): Promise<Map<string, Buffer>> {
  const raws = new Map<string, Buffer>();
  let id = 0;
  for (const name of classes) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let k = 0; k < perClass; k++) {
      const file = join(dir, name, `img${k}.png`);
      raws.set(file, await writeImage(file, id++, h, w, c));
    }
  }
  return raws;
}

function imageAt(ds: ImageDataset, j: number): Uint8Array {
  const per = ds.channels * ds.height * ds.width;
  return ds.images.subarray(j * per, (j + 1) * per);
}

const counts = (ds: ImageDataset): number[] => {
  const c = new Array(ds.classes.length).fill(0);
  for (const l of ds.labels) c[l]++;
  return c;
};

test('DIR/<class>: classes sorted, PNG pixels exact in CHW order, seeded stratified 20% test split', async () => {
  const dir = newDir();
  const raws = await writeClasses(dir, ['dog', 'cat'], 5);
  writeFileSync(join(dir, 'cat', 'notes.txt'), 'not an image, ignored');
  writeFileSync(join(dir, 'README'), 'files beside the class folders are ignored');
  const src = await loadImageFolder(dir);
  assert.deepEqual(src.train.classes, ['cat', 'dog']);
  assert.deepEqual([src.train.channels, src.train.height, src.train.width], [3, 4, 5]);
  assert.equal(src.train.labels.length, 8);
  assert.equal(src.test.labels.length, 2);
  assert.deepEqual(counts(src.test), [1, 1], 'one test image per class');
  // Every image of both parts is one of the files, with its class, decoded exactly (PNG is lossless).
  const expected = [...raws.entries()].map(([file, raw]) => ({ label: file.includes('/cat/') ? 0 : 1, pixels: chw(raw, 4, 5, 3) }));
  const seen: number[] = [];
  for (const part of [src.train, src.test]) {
    for (let j = 0; j < part.labels.length; j++) {
      const k = expected.findIndex((e) => e.label === part.labels[j] && Buffer.compare(Buffer.from(e.pixels), Buffer.from(imageAt(part, j))) === 0);
      assert.ok(k >= 0, `image ${j} matches a file of its class`);
      seen.push(k);
    }
  }
  assert.equal(new Set(seen).size, 10, 'each file once');
  const again = await loadImageFolder(dir);
  assert.deepEqual(again.test.images, src.test.images, 'the same seed gives the same split');
  const tests = await Promise.all([1, 2, 3, 4, 5].map((seed) => loadImageFolder(dir, { seed }).then((s) => Buffer.from(s.test.images).toString('hex'))));
  assert.ok(new Set([Buffer.from(src.test.images).toString('hex'), ...tests]).size > 1, 'other seeds give other splits');
  const third = await loadImageFolder(dir, { testFraction: 0.4 });
  assert.deepEqual(counts(third.test), [2, 2]);
  assert.equal(src.name, dir.split('/').pop());
});

test('DIR/train and DIR/test are used as the parts; their class folders must agree', async () => {
  const dir = newDir();
  await writeClasses(join(dir, 'train'), ['a', 'b', 'c'], 2);
  await writeClasses(join(dir, 'test'), ['a', 'b', 'c'], 1);
  const src = await loadImageSource(`folder:${dir}`);
  assert.deepEqual([src.train.labels.length, src.test.labels.length], [6, 3]);
  assert.deepEqual(Array.from(src.train.labels), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(Array.from(src.test.labels), [0, 1, 2]);
  assert.equal(src.train.source, join(dir, 'train'));
  assert.equal(src.test.source, join(dir, 'test'));
  mkdirSync(join(dir, 'test', 'd'));
  await writeImage(join(dir, 'test', 'd', 'x.png'), 9, 4, 5, 3);
  await assert.rejects(loadImageFolder(dir), (err: Error) => {
    assert.ok(err.message.includes(dir) && err.message.includes('different class folders') && err.message.includes('only in test: d'), err.message);
    return true;
  });
  const half = newDir();
  await writeClasses(join(half, 'train'), ['a'], 2);
  await assert.rejects(loadImageFolder(half), /has a train folder but no test folder/);
});

test('sizes: all images resized to the first one\'s size or to options.size; JPEG and alpha PNG read as RGB', async () => {
  const dir = newDir();
  mkdirSync(join(dir, 'a'));
  mkdirSync(join(dir, 'b'));
  await writeImage(join(dir, 'a', '1.png'), 1, 6, 8, 3);
  await writeImage(join(dir, 'a', '2.JPG'), 2, 12, 10, 3);
  await writeImage(join(dir, 'b', '1.jpeg'), 3, 3, 3, 3);
  await writeImage(join(dir, 'b', '2.png'), 4, 6, 8, 4);
  await writeImage(join(dir, 'b', '3.png'), 5, 6, 8, 3);
  const src = await loadImageFolder(dir, { testFraction: 0.4 });
  for (const part of [src.train, src.test]) assert.deepEqual([part.channels, part.height, part.width], [3, 6, 8]);
  assert.equal(src.train.labels.length + src.test.labels.length, 5);
  const square = await loadImageFolder(dir, { size: 4, testFraction: 0.4 });
  assert.deepEqual([square.train.height, square.train.width], [4, 4]);
  const rect = await loadImageFolder(dir, { size: { height: 2, width: 7 }, testFraction: 0.4 });
  assert.deepEqual([rect.test.height, rect.test.width], [2, 7]);
  await assert.rejects(loadImageFolder(dir, { size: 0 }), /size must be a positive integer/);
  await assert.rejects(loadImageFolder(dir, { testFraction: 1 }), /testFraction must be a number in \(0, 1\)/);
  await assert.rejects(loadImageFolder(dir, { sizes: 3 } as never), /unknown option 'sizes'/);
});

test('channels: 1 when every image is grayscale, else 3 with gray images repeated in each channel', async () => {
  const dir = newDir();
  const raws = await writeClasses(dir, ['x', 'y'], 3, 4, 4, 1);
  const gray = await loadImageFolder(dir, { testFraction: 0.34 });
  assert.equal(gray.train.channels, 1);
  const all = [...raws.values()].map((r) => Buffer.from(r).toString('hex'));
  for (let j = 0; j < gray.train.labels.length; j++) assert.ok(all.includes(Buffer.from(imageAt(gray.train, j)).toString('hex')));
  await writeImage(join(dir, 'y', 'color.png'), 77, 4, 4, 3);
  const mixed = await loadImageFolder(dir, { testFraction: 0.25 });
  assert.equal(mixed.train.channels, 3);
  const grayOnes = [mixed.train, mixed.test].flatMap((part) => Array.from({ length: part.labels.length }, (_, j) => imageAt(part, j)))
    .filter((img) => Buffer.compare(Buffer.from(img.subarray(0, 16)), Buffer.from(img.subarray(16, 32))) === 0);
  assert.equal(grayOnes.length, 6, 'the six gray images have equal R, G and B planes');
  for (const img of grayOnes) {
    assert.deepEqual(img.subarray(16, 32), img.subarray(32, 48));
    assert.ok(all.includes(Buffer.from(img.subarray(0, 16)).toString('hex')));
  }
});

test('errors name the folder or file: no class folders, an empty class folder, an unreadable or truncated image', async () => {
  const empty = newDir();
  writeFileSync(join(empty, 'loose.png'), 'x');
  await assert.rejects(loadImageFolder(empty), (err: Error) => err.message.startsWith(`${empty}: no class folders`));
  await assert.rejects(loadImageFolder(join(root, 'absent')), /absent: cannot read the image folder \(no such folder\)/);
  const dir = newDir();
  await writeClasses(dir, ['a', 'b'], 3);
  mkdirSync(join(dir, 'c'));
  writeFileSync(join(dir, 'c', 'readme.txt'), 'no images here');
  await assert.rejects(loadImageFolder(dir), (err: Error) => err.message.startsWith(`${join(dir, 'c')}: empty class folder`));
  rmSync(join(dir, 'c'), { recursive: true });
  const bad = join(dir, 'b', 'broken.png');
  writeFileSync(bad, 'this is not a PNG');
  await assert.rejects(loadImageFolder(dir), (err: Error) => err.message.startsWith(`${bad}: unreadable image`));
  const png = await sharp(rawPixels(1, 8, 8, 3), { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer();
  writeFileSync(bad, png.subarray(0, png.length - 30));
  await assert.rejects(loadImageFolder(dir), (err: Error) => err.message.startsWith(`${bad}: unreadable image`));
  const jpg = await sharp(rawPixels(1, 8, 8, 3), { raw: { width: 8, height: 8, channels: 3 } }).jpeg().toBuffer();
  rmSync(bad);
  const badJpg = join(dir, 'a', 'cut.jpg');
  writeFileSync(badJpg, jpg.subarray(0, jpg.length / 2));
  await assert.rejects(loadImageFolder(dir), (err: Error) => err.message.startsWith(`${badJpg}: unreadable image`));
  rmSync(badJpg);
  const tiny = newDir();
  await writeClasses(tiny, ['only'], 2);
  await assert.rejects(loadImageFolder(tiny), /2 images are too few to hold out testFraction 0.2: the test part would be empty/);
});
