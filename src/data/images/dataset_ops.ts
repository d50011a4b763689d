// What is done to a whole image dataset before batching: checking it is consistent, taking a seeded
// subset (quick runs), splitting validation from training (stratified, so small sets keep every class),
// and the per-channel statistics standardization uses (docs/images.md, standardization; the paper's Appendix D.2).
import { hashSeed, mulberry32, randomPermutation } from '../random.js';
import { largestRemainder } from '../splits.js';
import type { ChannelStats, ImageDataset } from './types.js';

// One salt per use, so a subset and a split with the same seed draw independent streams.
const SUBSET_SALT = 0x5b1e7c03;
const VAL_SPLIT_SALT = 0x7a11d0e5;

/** Throws (naming `where` and the dataset's source) unless the dataset's arrays and sizes agree. */
export function checkImageDataset(ds: ImageDataset, where: string): void {
  if (ds === null || typeof ds !== 'object') throw new Error(`${where}: expected an image dataset, got ${ds === null ? 'null' : typeof ds}`);
  const src = typeof ds.source === 'string' ? ds.source : '<dataset>';
  for (const key of ['channels', 'height', 'width'] as const) {
    if (!Number.isInteger(ds[key]) || ds[key] < 1) throw new Error(`${where}: ${src}: ${key} must be a positive integer, got ${String(ds[key])}`);
  }
  if (!(ds.images instanceof Uint8Array)) throw new Error(`${where}: ${src}: images must be a Uint8Array`);
  if (!(ds.labels instanceof Int32Array)) throw new Error(`${where}: ${src}: labels must be an Int32Array`);
  const per = ds.channels * ds.height * ds.width;
  if (ds.images.length !== ds.labels.length * per) {
    throw new Error(`${where}: ${src}: ${ds.images.length} pixel bytes for ${ds.labels.length} labels of ${ds.channels}×${ds.height}×${ds.width} images (expected ${ds.labels.length * per})`);
  }
  if (!Array.isArray(ds.classes) || ds.classes.length < 1) throw new Error(`${where}: ${src}: classes must be a non-empty array of names`);
  const k = ds.classes.length;
  for (let i = 0; i < ds.labels.length; i++) {
    if (ds.labels[i] < 0 || ds.labels[i] >= k) throw new Error(`${where}: ${src}: label ${ds.labels[i]} of image ${i} is out of range 0..${k - 1}`);
  }
}

/** Sizes that sum to `total`, each within 1 of total·count/sum(counts) (largest remainder, ties to the lower class). */
function allocate(counts: readonly number[], total: number): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  return largestRemainder(counts.map((c) => (total * c) / n), total);
}

/**
 * A seeded, stratified choice of `total` of the images: each class gives its share (largest remainder),
 * drawn at random within the class. Returns a 0/1 mark per image.
 */
export function stratifiedChoice(labels: Int32Array, classCount: number, total: number, random: () => number): Uint8Array {
  const members: number[][] = Array.from({ length: classCount }, () => []);
  for (let i = 0; i < labels.length; i++) members[labels[i]].push(i);
  const sizes = allocate(members.map((m) => m.length), total);
  const chosen = new Uint8Array(labels.length);
  members.forEach((m, k) => {
    const perm = randomPermutation(m.length, random);
    for (let j = 0; j < sizes[k]; j++) chosen[m[perm[j]]] = 1;
  });
  return chosen;
}

function indicesWhere(marks: Uint8Array, value: number): Int32Array {
  let n = 0;
  for (let i = 0; i < marks.length; i++) if (marks[i] === value) n++;
  const out = new Int32Array(n);
  for (let i = 0, j = 0; i < marks.length; i++) if (marks[i] === value) out[j++] = i;
  return out;
}

function checkSeed(where: string, seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new Error(`${where}: seed must be an integer, got ${String(seed)}`);
}

/** The images at `indices` (in that order; repeats allowed), as a new dataset with its own pixel copy. */
export function takeImages(ds: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  checkImageDataset(ds, 'takeImages');
  const n = ds.labels.length;
  const per = ds.channels * ds.height * ds.width;
  const images = new Uint8Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`takeImages: index ${String(i)} (position ${j}) is not an image of ${ds.source} (0..${n - 1})`);
    images.set(ds.images.subarray(i * per, (i + 1) * per), j * per);
    labels[j] = ds.labels[i];
  }
  return { images, labels, channels: ds.channels, height: ds.height, width: ds.width, classes: ds.classes, source: ds.source };
}

/**
 * A seeded random subset of `n` images, stratified by class (each class keeps its share), in the
 * dataset's order. n at least the dataset's size gives the dataset itself. Throws for n < 1.
 */
export function subsetImages(ds: ImageDataset, n: number, seed: number): ImageDataset {
  checkImageDataset(ds, 'subsetImages');
  if (!Number.isInteger(n) || n < 1) throw new Error(`subsetImages: n must be a positive integer (the number of images to keep), got ${String(n)}`);
  checkSeed('subsetImages', seed);
  if (n >= ds.labels.length) return ds;
  const chosen = stratifiedChoice(ds.labels, ds.classes.length, n, mulberry32(hashSeed(SUBSET_SALT, seed)));
  return takeImages(ds, indicesWhere(chosen, 1));
}

/**
 * Splits a training set into train and validation parts, seeded and stratified by class: the validation
 * part holds round(N·valFraction) images, each class its share. Both parts keep the dataset's order.
 * Throws for a fraction outside (0, 1) or a set too small to give both parts an image.
 */
export function splitTrainVal(ds: ImageDataset, valFraction: number, seed: number): { train: ImageDataset; val: ImageDataset } {
  checkImageDataset(ds, 'splitTrainVal');
  if (typeof valFraction !== 'number' || !(valFraction > 0 && valFraction < 1)) {
    throw new Error(`splitTrainVal: valFraction must be a number in (0, 1), got ${String(valFraction)}`);
  }
  checkSeed('splitTrainVal', seed);
  const n = ds.labels.length;
  const nVal = Math.round(n * valFraction);
  if (nVal < 1 || nVal >= n) {
    throw new Error(`splitTrainVal: ${n} images of ${ds.source} are too few for valFraction ${valFraction}: the ${nVal < 1 ? 'validation' : 'training'} part would be empty`);
  }
  const chosen = stratifiedChoice(ds.labels, ds.classes.length, nVal, mulberry32(hashSeed(VAL_SPLIT_SALT, seed)));
  return { train: takeImages(ds, indicesWhere(chosen, 0)), val: takeImages(ds, indicesWhere(chosen, 1)) };
}

/**
 * Per-channel mean and (population) standard deviation of the pixels scaled to [0, 1], in float64:
 * counted per channel in a 256-bin histogram, so the sums are exact whatever the dataset's size.
 */
export function channelStats(ds: ImageDataset): ChannelStats {
  checkImageDataset(ds, 'channelStats');
  if (ds.labels.length === 0) throw new Error(`channelStats: ${ds.source} has no images`);
  const { channels: c } = ds;
  const plane = ds.height * ds.width;
  const hist = new Float64Array(c * 256);
  const px = ds.images;
  for (let i = 0, at = 0; i < ds.labels.length; i++) {
    for (let ch = 0; ch < c; ch++, at += plane) {
      const base = ch * 256;
      for (let p = at, end = at + plane; p < end; p++) hist[base + px[p]]++;
    }
  }
  const count = ds.labels.length * plane;
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let v = 0; v < 256; v++) sum += hist[ch * 256 + v] * v;
    const m = sum / count;
    let sq = 0;
    for (let v = 0; v < 256; v++) sq += hist[ch * 256 + v] * (v - m) * (v - m);
    mean.push(m / 255);
    std.push(Math.sqrt(sq / count) / 255);
  }
  return { mean, std };
}
