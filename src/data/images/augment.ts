// Training-time augmentation of CIFAR-style pipelines (torchvision's RandomCrop(padding=p) then
// RandomHorizontalFlip): pad with zeros, crop back at a random offset, flip left-right half the time.
// Draws come from a seeded generator (src/data/random.ts), so an epoch's augmentation is reproducible.
import type { AugmentOptions } from './types.js';

/** One image's augmentation: shift by (dy, dx) with zero fill (the padded crop), then flip left-right. */
export interface AugmentDraw {
  /** Output row y shows input row y + dy (|dy| <= cropPadding); rows outside the image are zeros. */
  readonly dy: number;
  /** Output column x (before the flip) shows input column x + dx; columns outside are zeros. */
  readonly dx: number;
  readonly flip: boolean;
}

/** Throws naming `where` unless options is a valid AugmentOptions (cropPadding an integer >= 0, horizontalFlip a boolean). */
export function checkAugmentOptions(options: AugmentOptions, where: string): void {
  if (options === null || typeof options !== 'object') throw new Error(`${where}: augment must be an object { cropPadding?, horizontalFlip? }, got ${options === null ? 'null' : typeof options}`);
  for (const key of Object.keys(options)) {
    if (key !== 'cropPadding' && key !== 'horizontalFlip') throw new Error(`${where}: unknown augment option '${key}'; the options are cropPadding, horizontalFlip`);
  }
  const { cropPadding, horizontalFlip } = options;
  if (cropPadding !== undefined && (!Number.isInteger(cropPadding) || cropPadding < 0)) {
    throw new Error(`${where}: augment.cropPadding must be an integer >= 0, got ${String(cropPadding)}`);
  }
  if (horizontalFlip !== undefined && typeof horizontalFlip !== 'boolean') {
    throw new Error(`${where}: augment.horizontalFlip must be a boolean, got ${String(horizontalFlip)}`);
  }
}

/** True when the options change images at all. */
export function augmentIsActive(options: AugmentOptions | undefined): boolean {
  return options !== undefined && ((options.cropPadding ?? 0) > 0 || options.horizontalFlip === true);
}

/**
 * Draws one image's augmentation from `random` (floats in [0, 1)): the crop offsets (two draws, only
 * when cropPadding > 0), then the flip (one draw, only when horizontalFlip).
 */
export function drawAugmentation(options: AugmentOptions, random: () => number): AugmentDraw {
  const p = options.cropPadding ?? 0;
  let dy = 0;
  let dx = 0;
  if (p > 0) {
    dy = Math.floor(random() * (2 * p + 1)) - p;
    dx = Math.floor(random() * (2 * p + 1)) - p;
  }
  const flip = options.horizontalFlip === true ? random() < 0.5 : false;
  return { dy, dx, flip };
}

/**
 * Applies a draw to one C×H×W image (uint8 or float32, channel-major) and writes the result to `out`
 * (a new array of the same type by default; must not be `image` itself). Returns `out`.
 */
export function augmentImage<T extends Uint8Array | Float32Array>(image: T, channels: number, height: number, width: number, draw: AugmentDraw, out?: T): T {
  const size = channels * height * width;
  if (image.length !== size) throw new Error(`augmentImage: the image has ${image.length} values, expected ${channels}×${height}×${width} = ${size}`);
  const dst = out ?? (new (image.constructor as new (n: number) => T)(size));
  if (dst.length !== size) throw new Error(`augmentImage: out has ${dst.length} values, expected ${size}`);
  if (dst.buffer === image.buffer && dst.byteOffset === image.byteOffset) throw new Error('augmentImage: out must not be the input image');
  const { dy, dx, flip } = draw;
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let y = 0; y < height; y++) {
      const row = plane + y * width;
      const sy = y + dy;
      if (sy < 0 || sy >= height) {
        dst.fill(0, row, row + width);
        continue;
      }
      const srcRow = plane + sy * width;
      for (let x = 0; x < width; x++) {
        const sx = (flip ? width - 1 - x : x) + dx;
        dst[row + x] = sx >= 0 && sx < width ? image[srcRow + sx] : 0;
      }
    }
  }
  return dst;
}

/** Draws an augmentation from `random` and applies it (see drawAugmentation, augmentImage). */
export function randomAugment<T extends Uint8Array | Float32Array>(image: T, channels: number, height: number, width: number, options: AugmentOptions, random: () => number, out?: T): T {
  checkAugmentOptions(options, 'randomAugment');
  return augmentImage(image, channels, height, width, drawAugmentation(options, random), out);
}
