// Image data: IDX (Fashion-MNIST), CIFAR binary, image folders, splits, standardization, augmentation, loader.
export type { ImageDataset, ImageSource, ChannelStats, AugmentOptions, ImageBatch } from './types.js';
export { readIdxImages, readIdxLabels, parseIdx, encodeIdx, readMaybeGzip, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './idx.js';
export type { IdxArray, IdxImages } from './idx.js';
export { loadFashionMnist, fashionMnistDir, FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_DIR_ENV } from './fashion_mnist.js';
export { loadCifar10, loadCifar100, CIFAR10_CLASSES } from './cifar.js';
export { loadImageFolder, decodeImageFile, IMAGE_FOLDER_EXTENSIONS, DEFAULT_TEST_FRACTION } from './folder.js';
export type { ImageFolderOptions } from './folder.js';
export { loadImageSource, IMAGE_SOURCE_FORMS } from './source.js';
export type { ImageSourceOptions } from './source.js';
export { checkImageDataset, takeImages, subsetImages, splitTrainVal, channelStats } from './dataset_ops.js';
export { checkAugmentOptions, drawAugmentation, augmentImage, randomAugment } from './augment.js';
export type { AugmentDraw } from './augment.js';
export { ImageLoader, evalBatches } from './loader.js';
export type { ImageLoaderOptions } from './loader.js';
