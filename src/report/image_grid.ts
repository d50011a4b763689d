// A grid of small images as one PNG, for reports that show "images like these" (the ICBM report's
// activated and unactivated groups, Figure 5a). Images arrive as the data layer keeps them: uint8,
// channel-first (C × H × W, C = 1 for grayscale or 3 for RGB), many in one buffer. Tiles are laid out
// here, pixel by pixel with nearest-neighbour enlargement (a 28 × 28 digit stays sharp), and sharp
// only encodes the result, so the bytes are exact and the same on every machine.
import sharp from 'sharp';

export interface ImageGridOptions {
  /** Tiles per row (default: all images in one row). */
  columns?: number;
  /** Each image is enlarged by this integer factor (default: the smallest that makes a tile ≥ 64 px). */
  scale?: number;
  /** Pixels between tiles and around the grid (default 2). */
  gap?: number;
  /** Gray level of the gaps, 0-255 (default 255, white). */
  background?: number;
}

/** The size and layout of a grid, as imageGridPng draws it. */
export interface ImageGridLayout {
  width: number;
  height: number;
  columns: number;
  rows: number;
  scale: number;
  gap: number;
}

function checkShape(shape: readonly number[]): [number, number, number] {
  if (shape.length !== 3 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new Error(`imageGridPng: shape must be [C, H, W] of positive integers, got [${shape.join(', ')}]`);
  }
  const [c, h, w] = shape;
  if (c !== 1 && c !== 3) throw new Error(`imageGridPng: images must have 1 (grayscale) or 3 (RGB) channels, got C = ${c}`);
  return [c, h, w];
}

/** The layout imageGridPng uses for `count` images of shape [C, H, W]. */
export function imageGridLayout(count: number, shape: readonly number[], options: ImageGridOptions = {}): ImageGridLayout {
  const [, h, w] = checkShape(shape);
  if (!Number.isInteger(count) || count <= 0) throw new Error(`imageGridPng: need at least one image, got ${count}`);
  const columns = options.columns ?? count;
  if (!Number.isInteger(columns) || columns <= 0) throw new Error(`imageGridPng: columns must be a positive integer, got ${columns}`);
  const scale = options.scale ?? Math.max(1, Math.ceil(64 / Math.max(h, w)));
  if (!Number.isInteger(scale) || scale <= 0 || scale > 64) throw new Error(`imageGridPng: scale must be an integer in [1, 64], got ${scale}`);
  const gap = options.gap ?? 2;
  if (!Number.isInteger(gap) || gap < 0 || gap > 256) throw new Error(`imageGridPng: gap must be an integer in [0, 256], got ${gap}`);
  const cols = Math.min(columns, count);
  const rows = Math.ceil(count / cols);
  return { columns: cols, rows, scale, gap, width: cols * w * scale + (cols + 1) * gap, height: rows * h * scale + (rows + 1) * gap };
}

/**
 * Draws the images `indices` of `images` (S × C × H × W bytes) into one PNG, row by row in the given
 * order. Grayscale images give a grayscale PNG, RGB images an RGB one.
 */
export async function imageGridPng(
  images: Uint8Array, shape: readonly number[], indices: readonly number[], options: ImageGridOptions = {},
): Promise<Buffer> {
  const [c, h, w] = checkShape(shape);
  const per = c * h * w;
  if (images.length % per !== 0) throw new Error(`imageGridPng: ${images.length} bytes is not a whole number of ${c}×${h}×${w} images`);
  const available = images.length / per;
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= available) throw new Error(`imageGridPng: image index ${i} is out of range [0, ${available})`);
  }
  const layout = imageGridLayout(indices.length, shape, options);
  const background = options.background ?? 255;
  if (!Number.isInteger(background) || background < 0 || background > 255) throw new Error(`imageGridPng: background must be an integer in [0, 255], got ${background}`);
  const { width, height, scale, gap, columns } = layout;
  const out = Buffer.alloc(width * height * c, background);
  for (const [k, index] of indices.entries()) {
    const x0 = gap + (k % columns) * (w * scale + gap);
    const y0 = gap + Math.floor(k / columns) * (h * scale + gap);
    const base = index * per;
    for (let y = 0; y < h * scale; y++) {
      const sy = Math.floor(y / scale);
      const row = (y0 + y) * width;
      for (let x = 0; x < w * scale; x++) {
        const sx = Math.floor(x / scale);
        const at = (row + x0 + x) * c;
        // channel-first in, channel-last (interleaved) out
        for (let ch = 0; ch < c; ch++) out[at + ch] = images[base + ch * h * w + sy * w + sx];
      }
    }
  }
  const image = sharp(out, { raw: { width, height, channels: c as 1 | 3 } });
  // sharp would widen one channel to sRGB on output; keep a grayscale PNG grayscale (a third of the bytes)
  return (c === 1 ? image.toColourspace('b-w') : image).png({ compressionLevel: 9 }).toBuffer();
}
