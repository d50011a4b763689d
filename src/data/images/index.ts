// Image data: IDX (Fashion-MNIST), CIFAR binary, image folders, splits, standardization, augmentation, loader.
export type { ImageDataset, ImageSource, ChannelStats, AugmentOptions, ImageBatch } from './types.js';
