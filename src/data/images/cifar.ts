// The CIFAR-10 and CIFAR-100 binary versions (www.cs.toronto.edu/~kriz/cifar.html): fixed-size records of
// label byte(s) then 3072 pixel bytes (1024 red, 1024 green, 1024 blue, rows top to bottom), i.e.
// already channel-major, so a record's pixels are copied as they are into the NCHW dataset.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readBytes } from './read_bytes.js';
import type { ImageDataset, ImageSource } from './types.js';

const SIDE = 32;
const PIXELS = 3 * SIDE * SIDE;

/** CIFAR-10's class names (as in batches.meta.txt), used when that file is absent. */
export const CIFAR10_CLASSES: readonly string[] = Object.freeze([
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
]);

interface CifarFormat {
  readonly name: 'cifar10' | 'cifar100';
  /** The folder the official archive unpacks to, looked for inside DIR. */
  readonly archiveFolder: string;
  readonly trainFiles: readonly string[];
  readonly testFiles: readonly string[];
  /** Label bytes before the pixels; the last one is the label used (CIFAR-100: coarse, then fine). */
  readonly labelBytes: number;
  readonly classCount: number;
  /** Range of the other label bytes (CIFAR-100's coarse labels), checked too. */
  readonly otherLabelCounts: readonly number[];
  readonly namesFile: string;
  readonly defaultNames: readonly string[];
}

const CIFAR10: CifarFormat = {
  name: 'cifar10',
  archiveFolder: 'cifar-10-batches-bin',
  trainFiles: [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`),
  testFiles: ['test_batch.bin'],
  labelBytes: 1,
  classCount: 10,
  otherLabelCounts: [],
  namesFile: 'batches.meta.txt',
  defaultNames: CIFAR10_CLASSES,
};

const CIFAR100: CifarFormat = {
  name: 'cifar100',
  archiveFolder: 'cifar-100-binary',
  trainFiles: ['train.bin'],
  testFiles: ['test.bin'],
  labelBytes: 2,
  classCount: 100,
  otherLabelCounts: [20],
  namesFile: 'fine_label_names.txt',
  defaultNames: Object.freeze(Array.from({ length: 100 }, (_, k) => `class ${k}`)),
};

/** DIR itself, or DIR/<archive folder> when the files are there (DIR is where the archive was unpacked). */
function resolveDir(dir: string, format: CifarFormat): string {
  const first = format.trainFiles[0];
  if (!existsSync(join(dir, first)) && existsSync(join(dir, format.archiveFolder, first))) return join(dir, format.archiveFolder);
  return dir;
}

function readClassNames(dir: string, format: CifarFormat): readonly string[] {
  const file = join(dir, format.namesFile);
  if (!existsSync(file)) return format.defaultNames;
  const names = readBytes(file).toString('utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length !== format.classCount) {
    throw new Error(`${file}: ${names.length} class names, expected ${format.classCount} (one per line)`);
  }
  return Object.freeze(names);
}

function readPart(dir: string, files: readonly string[], format: CifarFormat, classes: readonly string[]): ImageDataset {
  const recordBytes = format.labelBytes + PIXELS;
  const contents = files.map((name) => {
    const file = join(dir, name);
    if (!existsSync(file)) {
      throw new Error(`${file}: CIFAR file not found; ${format.name}:DIR needs ${[...format.trainFiles, ...format.testFiles].join(', ')} in DIR`);
    }
    const bytes = readBytes(file);
    if (bytes.length === 0 || bytes.length % recordBytes !== 0) {
      throw new Error(`${file}: ${bytes.length} bytes is not a whole number of ${format.name} records ` +
        `(${recordBytes} bytes each: ${format.labelBytes} label byte${format.labelBytes > 1 ? 's' : ''} + ${PIXELS} pixels); the file is truncated or not this format`);
    }
    return { file, bytes };
  });
  const count = contents.reduce((n, c) => n + c.bytes.length / recordBytes, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Int32Array(count);
  let i = 0;
  for (const { file, bytes } of contents) {
    for (let r = 0; r * recordBytes < bytes.length; r++, i++) {
      const at = r * recordBytes;
      for (let k = 0; k < format.labelBytes - 1; k++) {
        const limit = format.otherLabelCounts[k];
        if (bytes[at + k] >= limit) throw new Error(`${file}: record ${r}: coarse label ${bytes[at + k]} is out of range 0..${limit - 1}`);
      }
      const label = bytes[at + format.labelBytes - 1];
      if (label >= format.classCount) throw new Error(`${file}: record ${r}: label ${label} is out of range 0..${format.classCount - 1}`);
      labels[i] = label;
      images.set(bytes.subarray(at + format.labelBytes, at + recordBytes), i * PIXELS);
    }
  }
  return { images, labels, channels: 3, height: SIDE, width: SIDE, classes, source: contents.length === 1 ? contents[0].file : join(dir, files[0].replace(/_1\.bin$/, '_*.bin')) };
}

function loadCifar(dir: string, format: CifarFormat): ImageSource {
  const root = resolveDir(dir, format);
  const classes = readClassNames(root, format);
  return { name: format.name, train: readPart(root, format.trainFiles, format, classes), test: readPart(root, format.testFiles, format, classes) };
}

/**
 * Loads CIFAR-10's binary version from `dir` (data_batch_1..5.bin, test_batch.bin; or the
 * cifar-10-batches-bin folder inside it): 50,000 + 10,000 images 3×32×32. Class names come from
 * batches.meta.txt when present. Throws naming the file for a missing file, a size that is not a whole
 * number of 3073-byte records, or a label out of range.
 */
export function loadCifar10(dir: string): ImageSource {
  return loadCifar(dir, CIFAR10);
}

/**
 * Loads CIFAR-100's binary version from `dir` (train.bin, test.bin; or the cifar-100-binary folder inside
 * it), labelled by the 100 fine classes (each record is coarse label, fine label, 3072 pixels). Class names
 * come from fine_label_names.txt when present, else 'class 0'..'class 99'. Errors as loadCifar10's.
 */
export function loadCifar100(dir: string): ImageSource {
  return loadCifar(dir, CIFAR100);
}
