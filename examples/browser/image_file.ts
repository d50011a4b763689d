// A dropped or chosen image file as the model's input: decoded by the browser, downscaled to H × W, read
// as 8-bit gray, and inverted when its border is light (a photo on a white ground), since Fashion-MNIST's
// objects are light on a dark ground.
import { rgbaToGray } from './pixels.js';

export interface FileImage {
  gray: Uint8Array;
  inverted: boolean;
}

export async function imageFileToGray(file: File, height: number, width: number): Promise<FileImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`'${file.name}' could not be read as an image (${file.type || 'unknown type'}, ${file.size} bytes); PNG, JPEG, GIF, WebP or BMP are expected`);
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = '#fff'; // transparent parts count as ground
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const gray = rgbaToGray(ctx.getImageData(0, 0, width, height).data);
  const inverted = borderMean(gray, height, width) > 127;
  if (inverted) for (let i = 0; i < gray.length; i++) gray[i] = 255 - gray[i];
  return { gray, inverted };
}

function borderMean(gray: Uint8Array, height: number, width: number): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y > 0 && y < height - 1 && x > 0 && x < width - 1) continue;
      sum += gray[y * width + x];
      n++;
    }
  }
  return sum / n;
}
