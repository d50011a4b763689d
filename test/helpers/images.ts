// Tiny synthetic image data for the image and ICBM tests: 1×8×8 images whose class is the bright quadrant.
import { type ImageDataset } from '../../src/images.js';

/** A seeded LCG so the images do not depend on libtorch's generator. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** n images 1×8×8: noise, plus a bright 4×4 quadrant that is the class (4 classes, in turn). */
export function quadrants(n: number, seed: number, source: string): ImageDataset {
  const r = lcg(seed);
  const images = new Uint8Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 4;
    labels[i] = k;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const inside = (y < 4 ? 0 : 2) + (x < 4 ? 0 : 1) === k;
        images[i * 64 + y * 8 + x] = Math.min(255, Math.floor(r() * 90) + (inside ? 150 : 0));
      }
    }
  }
  return { images, labels, channels: 1, height: 8, width: 8, classes: ['tl', 'tr', 'bl', 'br'], source };
}
