// The shapes image data takes between the loaders (IDX, CIFAR binary, image folders), the batch loader
// and the training code. Pixels stay uint8 until a batch is made: Fashion-MNIST's 60,000 images are
// 47 MB so, CIFAR-10's 150 MB; standardization and augmentation happen per batch.
import type { Tensor } from '../../tensor/tensor.js';

/** A labelled set of images of one shape, pixels as bytes in NCHW order. */
export interface ImageDataset {
  /** N·C·H·W pixel values 0..255, image-major then channel, row, column (NCHW). */
  readonly images: Uint8Array;
  /** N labels, each in [0, classes.length). */
  readonly labels: Int32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Class names, indexed by label. */
  readonly classes: readonly string[];
  /** Where the images came from (a file or folder), for messages and reports. */
  readonly source: string;
}

/** The training and test parts of an image source (the validation part is split from train). */
export interface ImageSource {
  readonly name: string;
  readonly train: ImageDataset;
  readonly test: ImageDataset;
}

/** Per-channel mean and standard deviation of pixel values scaled to [0, 1]. */
export interface ChannelStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Training-time augmentation (off unless asked for). */
export interface AugmentOptions {
  /** Pad each side by this many zero pixels, then crop back to H×W at a random offset (0: off). */
  readonly cropPadding?: number;
  /** Flip each image left-right with probability 1/2. */
  readonly horizontalFlip?: boolean;
}

/** One batch: standardized float32 images [B, C, H, W] and int64 labels [B]. The caller disposes them. */
export interface ImageBatch {
  readonly x: Tensor;
  readonly y: Tensor;
  /** Which images of the dataset the batch holds, in order. */
  readonly indices: Int32Array;
}
