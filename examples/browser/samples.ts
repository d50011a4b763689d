// The test images the browser demo ships, as one small binary file (samples.bin), written by build.ts and
// read by the page: the 8 bytes 'HTAFSMP1', then count, channels, height and width as little-endian
// uint32, then count labels (uint8), then count × channels × height × width pixels (uint8, NCHW, 0-255).
// No DOM and no Node API here, so both sides use it.

export const SAMPLES_MAGIC = 'HTAFSMP1';
const HEADER = SAMPLES_MAGIC.length + 16;

export interface Samples {
  count: number;
  channels: number;
  height: number;
  width: number;
  /** count labels, each a class index. */
  labels: Uint8Array;
  /** count·C·H·W pixels, NCHW. */
  pixels: Uint8Array;
}

export function encodeSamples(s: Samples): Uint8Array {
  const per = s.channels * s.height * s.width;
  if (s.labels.length !== s.count || s.pixels.length !== s.count * per) {
    throw new Error(`encodeSamples: ${s.labels.length} labels and ${s.pixels.length} pixels are not ${s.count} images of [${s.channels}, ${s.height}, ${s.width}]`);
  }
  const out = new Uint8Array(HEADER + s.count + s.pixels.length);
  for (let i = 0; i < SAMPLES_MAGIC.length; i++) out[i] = SAMPLES_MAGIC.charCodeAt(i);
  const view = new DataView(out.buffer);
  [s.count, s.channels, s.height, s.width].forEach((v, i) => view.setUint32(SAMPLES_MAGIC.length + 4 * i, v, true));
  out.set(s.labels, HEADER);
  out.set(s.pixels, HEADER + s.count);
  return out;
}

/** Reads samples.bin; the errors say what is wrong with the bytes. */
export function decodeSamples(bytes: Uint8Array): Samples {
  const magic = String.fromCharCode(...bytes.subarray(0, SAMPLES_MAGIC.length));
  if (bytes.length < HEADER || magic !== SAMPLES_MAGIC) throw new Error(`not a samples file of the browser demo (it starts with '${SAMPLES_MAGIC}'; these ${bytes.length} bytes do not)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [count, channels, height, width] = [0, 1, 2, 3].map((i) => view.getUint32(SAMPLES_MAGIC.length + 4 * i, true));
  const size = HEADER + count + count * channels * height * width;
  if (bytes.length !== size) throw new Error(`samples file: ${bytes.length} bytes, but ${count} images of [${channels}, ${height}, ${width}] take ${size}`);
  return {
    count, channels, height, width,
    labels: bytes.slice(HEADER, HEADER + count),
    pixels: bytes.slice(HEADER + count),
  };
}
