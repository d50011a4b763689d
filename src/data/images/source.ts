// One string names an image dataset everywhere (CLI --dataset, configs): the built-in Fashion-MNIST, a
// CIFAR binary folder or an image folder.
import { loadCifar10, loadCifar100 } from './cifar.js';
import { loadFashionMnist } from './fashion_mnist.js';
import { loadImageFolder, type ImageFolderOptions } from './folder.js';
import type { ImageSource } from './types.js';

/** The forms loadImageSource accepts, for help texts and messages. */
export const IMAGE_SOURCE_FORMS: readonly string[] = Object.freeze(['fashion-mnist', 'cifar10:DIR', 'cifar100:DIR', 'folder:DIR']);

export interface ImageSourceOptions extends ImageFolderOptions {
  /** Where Fashion-MNIST's files are (default: $HTAF_FASHION_MNIST_DIR, else Debian's folder). */
  fashionMnistDir?: string;
}

/**
 * Loads the image dataset a spec names: 'fashion-mnist' (built in), 'cifar10:DIR', 'cifar100:DIR'
 * (the binary versions) or 'folder:DIR' (DIR/<class>/*.png|jpg; options size, testFraction and seed
 * apply to it). Throws for any other spec, listing the valid forms.
 */
export async function loadImageSource(spec: string, options: ImageSourceOptions = {}): Promise<ImageSource> {
  const forms = IMAGE_SOURCE_FORMS.map((f) => `'${f}'`).join(', ');
  if (typeof spec !== 'string') throw new Error(`loadImageSource: the dataset must be a string, one of ${forms}; got ${typeof spec}`);
  const { fashionMnistDir, ...folderOptions } = options;
  if (spec === 'fashion-mnist') return loadFashionMnist(fashionMnistDir);
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const dir = colon < 0 ? '' : spec.slice(colon + 1);
  if (['cifar10', 'cifar100', 'folder'].includes(kind)) {
    if (dir === '') throw new Error(`loadImageSource: '${spec}' needs a folder: ${kind}:DIR`);
    if (kind === 'cifar10') return loadCifar10(dir);
    if (kind === 'cifar100') return loadCifar100(dir);
    return loadImageFolder(dir, folderOptions);
  }
  throw new Error(`loadImageSource: unknown image dataset '${spec}'; expected one of ${forms}`);
}
