// Image folders, torchvision ImageFolder's layout: DIR/<class>/*.png|jpg|jpeg, classes in sorted order.
// DIR/train and DIR/test, when both exist, are the two parts; otherwise DIR is split (seeded, stratified).
// PNG/JPEG decoding and resizing are sharp's (libvips); every image becomes one size and channel count.
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { hashSeed, mulberry32 } from '../random.js';
import { stratifiedChoice, takeImages } from './dataset_ops.js';
import type { ImageDataset, ImageSource } from './types.js';
import { checkOptionsObject } from '../../core/options.js';

/** File extensions read as images (case-insensitive); other files in a class folder are ignored. */
export const IMAGE_FOLDER_EXTENSIONS: readonly string[] = Object.freeze(['.png', '.jpg', '.jpeg']);

/** The share of a single folder's images held out as the test part unless told otherwise. */
export const DEFAULT_TEST_FRACTION = 0.2;

const FOLDER_SPLIT_SALT = 0x1f01de75;
/** Images decoded at once (libvips also uses threads within each). */
const DECODE_CONCURRENCY = 4;

export interface ImageFolderOptions {
  /** Resize every image to this (a number: square); default: the first image's size. */
  size?: number | { height: number; width: number };
  /** Without DIR/train and DIR/test: the share of each class held out for testing (default 0.2). */
  testFraction?: number;
  /** Seeds that split (default 0). */
  seed?: number;
}

interface Entry {
  readonly file: string;
  readonly label: number;
}

interface Listing {
  readonly dir: string;
  readonly classes: string[];
  readonly entries: Entry[];
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readFolder(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such folder' : e.code === 'ENOTDIR' ? 'a file, not a folder' : e.message;
    throw new Error(`${dir}: cannot read the image folder (${why})`);
  }
}

/** The class folders of `dir` and their image files, sorted by name. */
function listClasses(dir: string): Listing {
  const classes = readFolder(dir).filter((name) => !name.startsWith('.') && isDir(join(dir, name)));
  if (classes.length === 0) throw new Error(`${dir}: no class folders; expected one folder per class holding its .png/.jpg/.jpeg images (DIR/<class>/*.png)`);
  const entries: Entry[] = [];
  classes.forEach((name, label) => {
    const classDir = join(dir, name);
    const files = readFolder(classDir).filter((f) => !f.startsWith('.') && IMAGE_FOLDER_EXTENSIONS.includes(extname(f).toLowerCase()));
    if (files.length === 0) throw new Error(`${classDir}: empty class folder (no .png, .jpg or .jpeg images)`);
    for (const f of files) entries.push({ file: join(classDir, f), label });
  });
  return { dir, classes, entries };
}

async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}

interface Header {
  readonly width: number;
  readonly height: number;
  readonly gray: boolean;
}

async function readHeader(file: string): Promise<Header> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(file).metadata();
  } catch (err) {
    throw new Error(`${file}: unreadable image (${(err as Error).message.split('\n')[0]})`);
  }
  if (!meta.width || !meta.height) throw new Error(`${file}: unreadable image (no width and height)`);
  const gray = meta.space === 'b-w' || meta.space === 'grey16' || (meta.channels ?? 3) <= 2;
  return { width: meta.width, height: meta.height, gray };
}

/** Decodes one image to channels×height×width bytes, channel-major. */
async function decode(file: string, header: Header, channels: 1 | 3, height: number, width: number): Promise<Uint8Array> {
  let pixels;
  try {
    let img = sharp(file);
    if (header.width !== width || header.height !== height) img = img.resize(width, height, { fit: 'fill' });
    pixels = await img.removeAlpha().toColourspace(channels === 1 ? 'b-w' : 'srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new Error(`${file}: unreadable image (${(err as Error).message.split('\n')[0]})`);
  }
  const { data, info } = pixels;
  if (info.channels !== channels || info.width !== width || info.height !== height || data.length !== channels * height * width) {
    throw new Error(`${file}: decoded to ${info.channels}×${info.height}×${info.width}, expected ${channels}×${height}×${width}`);
  }
  const plane = height * width;
  const out = new Uint8Array(channels * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < channels; c++) out[c * plane + p] = data[p * channels + c];
  return out;
}

/**
 * Decodes one image file (PNG/JPEG) to channels×height×width bytes, channel-major, resized to fill
 * height×width: how a single image (e.g. `htaf icbm explain --image`) meets a model's input shape.
 */
export async function decodeImageFile(file: string, channels: 1 | 3, height: number, width: number): Promise<Uint8Array> {
  return decode(file, await readHeader(file), channels, height, width);
}

function checkSize(size: ImageFolderOptions['size']): { height: number; width: number } | undefined {
  if (size === undefined) return undefined;
  const s = typeof size === 'number' ? { height: size, width: size } : size;
  const ok = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
  if (s === null || typeof s !== 'object' || !ok(s.height) || !ok(s.width)) {
    throw new Error(`loadImageFolder: size must be a positive integer or { height, width } of positive integers, got ${JSON.stringify(size)}`);
  }
  return { height: s.height, width: s.width };
}

/** Decodes the listings' images into datasets of one size and channel count. */
async function decodeAll(listings: readonly Listing[], size: { height: number; width: number } | undefined): Promise<ImageDataset[]> {
  const headers = await Promise.all(listings.map((l) => inParallel(l.entries, DECODE_CONCURRENCY, (e) => readHeader(e.file))));
  const first = headers[0][0];
  const { height, width } = size ?? first;
  const channels: 1 | 3 = headers.every((hs) => hs.every((h) => h.gray)) ? 1 : 3;
  const per = channels * height * width;
  const datasets: ImageDataset[] = [];
  for (let k = 0; k < listings.length; k++) {
    const { dir, classes, entries } = listings[k];
    const images = new Uint8Array(entries.length * per);
    await inParallel(entries.map((e, i) => i), DECODE_CONCURRENCY, async (i) => {
      images.set(await decode(entries[i].file, headers[k][i], channels, height, width), i * per);
    });
    const labels = Int32Array.from(entries, (e) => e.label);
    datasets.push({ images, labels, channels, height, width, classes: Object.freeze([...classes]), source: dir });
  }
  return datasets;
}

/**
 * Loads an image folder: DIR/<class>/*.png|jpg|jpeg (classes sorted by folder name). With DIR/train and
 * DIR/test (the same class folders in each) those are the parts; otherwise a seeded split, stratified per
 * class, holds out options.testFraction (default 0.2) as the test part. Every image is resized to
 * options.size (default: the first image's size) and has 3 channels (RGB), or 1 when every image is
 * grayscale; alpha is dropped. Throws naming the folder or file for: no class folders, an empty class
 * folder, an unreadable or corrupt image, train/test class folders that differ.
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageSource> {
  if (typeof dir !== 'string' || dir === '') throw new Error(`loadImageFolder: dir must be a folder path, got ${JSON.stringify(dir)}`);
  checkOptionsObject('loadImageFolder', options, ['size', 'testFraction', 'seed']);
  const size = checkSize(options.size);
  const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  const seed = options.seed ?? 0;
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new Error(`loadImageFolder: testFraction must be a number in (0, 1), got ${String(testFraction)}`);
  }
  if (!Number.isSafeInteger(seed)) throw new Error(`loadImageFolder: seed must be an integer, got ${String(seed)}`);
  readFolder(dir);
  const name = basename(dir.replace(/[\\/]+$/, '')) || dir;
  const hasTrain = isDir(join(dir, 'train'));
  const hasTest = isDir(join(dir, 'test'));
  if (hasTrain !== hasTest) {
    throw new Error(`${dir}: has a ${hasTrain ? 'train' : 'test'} folder but no ${hasTrain ? 'test' : 'train'} folder; use DIR/train/<class> and DIR/test/<class>, or DIR/<class> to split`);
  }
  if (hasTrain) {
    const train = listClasses(join(dir, 'train'));
    const test = listClasses(join(dir, 'test'));
    const onlyTrain = train.classes.filter((c) => !test.classes.includes(c));
    const onlyTest = test.classes.filter((c) => !train.classes.includes(c));
    if (onlyTrain.length > 0 || onlyTest.length > 0) {
      throw new Error(`${dir}: train and test have different class folders (only in train: ${onlyTrain.join(', ') || 'none'}; only in test: ${onlyTest.join(', ') || 'none'})`);
    }
    const [trainSet, testSet] = await decodeAll([train, test], size);
    return { name, train: trainSet, test: testSet };
  }
  const listing = listClasses(dir);
  const [all] = await decodeAll([listing], size);
  const n = all.labels.length;
  const nTest = Math.round(n * testFraction);
  if (nTest < 1 || nTest >= n) {
    throw new Error(`${dir}: ${n} images are too few to hold out testFraction ${testFraction}: the ${nTest < 1 ? 'test' : 'training'} part would be empty`);
  }
  const held = stratifiedChoice(all.labels, listing.classes.length, nTest, mulberry32(hashSeed(FOLDER_SPLIT_SALT, seed)));
  const pick = (mark: number): number[] => Array.from(held.keys()).filter((i) => held[i] === mark);
  return { name, train: takeImages(all, pick(0)), test: takeImages(all, pick(1)) };
}
