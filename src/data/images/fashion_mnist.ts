// Fashion-MNIST (Xiao et al. 2017), the built-in image dataset: Debian's dataset-fashion-mnist package
// installs its four IDX files in /usr/share/datasets/fashion-mnist (`make deps` installs it), so no
// download is needed. HTAF_FASHION_MNIST_DIR points elsewhere (the tests use tiny files there).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readIdxImages, readIdxLabels } from './idx.js';
import type { ImageDataset, ImageSource } from './types.js';

/** Where Debian's dataset-fashion-mnist package installs the files. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

/** The environment variable that overrides FASHION_MNIST_DEFAULT_DIR. */
export const FASHION_MNIST_DIR_ENV = 'HTAF_FASHION_MNIST_DIR';

/** Fashion-MNIST's class names, indexed by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
]);

/** The folder Fashion-MNIST is read from: `dir`, else $HTAF_FASHION_MNIST_DIR, else the Debian package's. */
export function fashionMnistDir(dir?: string): string {
  return dir ?? (process.env[FASHION_MNIST_DIR_ENV] || FASHION_MNIST_DEFAULT_DIR);
}

/** `name.gz` if present, else `name` (unpacked files work too), else undefined. */
function findFile(dir: string, name: string): string | undefined {
  for (const candidate of [join(dir, `${name}.gz`), join(dir, name)]) if (existsSync(candidate)) return candidate;
  return undefined;
}

function loadPart(dir: string, prefix: 'train' | 't10k'): ImageDataset {
  const files = [`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`].map((name) => {
    const file = findFile(dir, name);
    if (file === undefined) {
      throw new Error(`Fashion-MNIST: ${join(dir, name + '.gz')} not found. Install the Debian package dataset-fashion-mnist ` +
        `(\`make deps\` does it: sudo apt-get install dataset-fashion-mnist), or set ${FASHION_MNIST_DIR_ENV} to a folder holding ` +
        'train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz');
    }
    return file;
  });
  const [imageFile, labelFile] = files;
  const images = readIdxImages(imageFile);
  const labels = readIdxLabels(labelFile, FASHION_MNIST_CLASSES.length);
  if (labels.length !== images.count) {
    throw new Error(`Fashion-MNIST: ${imageFile} holds ${images.count} images but ${labelFile} holds ${labels.length} labels`);
  }
  return {
    images: images.pixels, labels, channels: 1, height: images.height, width: images.width,
    classes: FASHION_MNIST_CLASSES, source: imageFile,
  };
}

/**
 * Loads Fashion-MNIST's training (60,000) and test (10,000) images, 1×28×28, from `dir` (default: see
 * fashionMnistDir). Throws when a file is missing (saying how to install it), corrupt, or inconsistent.
 */
export function loadFashionMnist(dir?: string): ImageSource {
  const root = fashionMnistDir(dir);
  const train = loadPart(root, 'train');
  const test = loadPart(root, 't10k');
  if (train.height !== test.height || train.width !== test.width) {
    throw new Error(`Fashion-MNIST: ${train.source} holds ${train.height}×${train.width} images but ${test.source} holds ${test.height}×${test.width}`);
  }
  return { name: 'fashion-mnist', train, test };
}
