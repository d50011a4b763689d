// Tiny Fashion-MNIST stand-ins for the ICBM end-to-end tests and the ICBM example's test: the four IDX
// files (images gzipped, labels plain, as Debian ships them) in a folder HTAF_FASHION_MNIST_DIR can point
// at. 28×28 images of all ten classes, so class names, the attributes CSV and the report see what real
// Fashion-MNIST gives them; class k is a bright block at its own place in a 2 × 5 grid over noise, so a
// tiny network learns it in an epoch or two.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../../src/images.js';

export const SIDE = 28;
export const CLASSES = 10;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** Image i of a part: label i mod 10, its class's block bright (160-255) over noise (0-79). */
export function tinyImage(label: number, random: () => number): Uint8Array {
  const pixels = new Uint8Array(SIDE * SIDE);
  const top = label < 5 ? 1 : 15;
  const left = 1 + (label % 5) * 5;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const inBlock = y >= top && y < top + 12 && x >= left && x < left + 5;
      pixels[y * SIDE + x] = Math.floor(random() * 80) + (inBlock ? 160 : 0);
    }
  }
  return pixels;
}

export interface TinyPart {
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** The images and labels of one part (train or t10k); the same seed gives the same bytes. */
export function tinyPart(n: number, seed: number): TinyPart {
  const random = lcg(seed);
  const pixels = new Uint8Array(n * SIDE * SIDE);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % CLASSES;
    pixels.set(tinyImage(labels[i], random), i * SIDE * SIDE);
  }
  return { pixels, labels };
}

/** Writes the four files into dir and returns the parts written. */
export function writeTinyFashionMnist(dir: string, counts = { train: 300, t10k: 100 }): { train: TinyPart; t10k: TinyPart } {
  mkdirSync(dir, { recursive: true });
  const parts = { train: tinyPart(counts.train, 1), t10k: tinyPart(counts.t10k, 2) };
  for (const [name, part] of Object.entries(parts)) {
    writeFileSync(join(dir, `${name}-images-idx3-ubyte.gz`), gzipSync(encodeIdx([part.labels.length, SIDE, SIDE], part.pixels)));
    writeFileSync(join(dir, `${name}-labels-idx1-ubyte`), encodeIdx([part.labels.length], part.labels));
  }
  return parts;
}
