// Pixels between canvases and the model: a canvas's RGBA read as 8-bit gray, and an image's NCHW bytes
// painted into a canvas (gray or RGB).

/** Luminance (0-255) of each RGBA pixel, rounded. */
export function rgbaToGray(rgba: Uint8ClampedArray): Uint8Array {
  const gray = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < gray.length; i++) gray[i] = Math.round(0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
  return gray;
}

/** One gray image repeated over `channels` channels (CHW), for a model of that many channels. */
export function grayToChannels(gray: Uint8Array, channels: number): Uint8Array {
  const out = new Uint8Array(gray.length * channels);
  for (let c = 0; c < channels; c++) out.set(gray, c * gray.length);
  return out;
}

/** Paints one CHW image (1 or 3 channels) into a canvas of its size. */
export function paint(canvas: HTMLCanvasElement, chw: Uint8Array, channels: number, height: number, width: number): void {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(width, height);
  const plane = height * width;
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < 3; k++) img.data[4 * p + k] = chw[(channels === 3 ? k : 0) * plane + p];
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
