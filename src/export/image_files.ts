// `htaf predict --images DIR`: every PNG/JPEG under DIR, decoded to the model's input size. A file in a
// folder named after one of the model's classes takes that class as its label (so accuracy can be
// reported); any other file is unlabeled (-1).
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { decodeImageFile, IMAGE_FOLDER_EXTENSIONS, type ImageDataset } from '../data/images/index.js';

function listImages(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listImages(path, out);
    else if ((IMAGE_FOLDER_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase())) out.push(path);
  }
  return out;
}

export interface ImageFiles {
  files: string[];
  dataset: ImageDataset;
}

export async function readImageFiles(dir: string, input: number[], classes: readonly string[]): Promise<ImageFiles> {
  let files: string[];
  try {
    files = listImages(dir);
  } catch (err) {
    throw new Error(`htaf predict --images '${dir}': ${(err as Error).message}`);
  }
  if (files.length === 0) throw new Error(`htaf predict --images '${dir}': no ${IMAGE_FOLDER_EXTENSIONS.join('/')} files there`);
  const [c, h, w] = input;
  if (c !== 1 && c !== 3) throw new Error(`htaf predict --images: the model takes ${c} channels; image files give 1 or 3`);
  const per = c * h * w;
  const images = new Uint8Array(files.length * per);
  for (const [i, f] of files.entries()) images.set(await decodeImageFile(f, c, h, w), i * per);
  const labels = Int32Array.from(files, (f) => classes.indexOf(basename(dirname(f))));
  return { files, dataset: { images, labels, channels: c, height: h, width: w, classes, source: dir } };
}
