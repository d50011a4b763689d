// What the image commands share (`htaf images ...`, `htaf icbm train`): the --dataset option and the data
// it loads (with seeded --train-size/--test-size subsets), the model-size flags (the same words in every
// command) and the errors that name them, the training flags and the config they make, and the progress
// display of one training run.
import { InvalidArgumentError, type Command } from 'commander';
import { progressReporter } from './progress.js';
import { IMAGE_SOURCE_FORMS, loadImageSource, subsetImages, type ImageDataset, type ImageSource } from '../data/images/index.js';
import { IMAGE_OPTIMIZERS, IMAGE_TRAIN_DEFAULTS, LR_SCHEDULES, type ImageTrainConfig, type ImageTrainEvent } from '../train/image_trainer.js';
import type { ImageModelOptions } from '../models/image_zoo.js';
import { OptionError } from '../core/options.js';
import { fraction, nonNegativeInt, nonNegativeNumber, oneOf, positiveInt } from './options.js';

export function datasetOption(value: string): string {
  const ok = value === 'fashion-mnist' || /^(cifar10|cifar100|folder):.+/.test(value);
  if (!ok) throw new InvalidArgumentError(`--dataset must be one of ${IMAGE_SOURCE_FORMS.join(', ')}, got '${value}'`);
  return value;
}

export interface DataOptions {
  dataset: string;
  trainSize?: number;
  testSize?: number;
  seed: number;
  imageSize?: number;
}

/** The dataset with its seeded subsets; errors name the command and the --dataset value. */
export async function loadData(command: string, o: DataOptions): Promise<ImageSource> {
  let source: ImageSource;
  try {
    source = await loadImageSource(o.dataset, { ...(o.imageSize ? { size: o.imageSize } : {}), seed: o.seed });
  } catch (err) {
    throw new Error(`${command} --dataset ${o.dataset}: ${(err as Error).message}`);
  }
  const train = o.trainSize ? subsetImages(source.train, o.trainSize, o.seed) : source.train;
  const test = o.testSize ? subsetImages(source.test, o.testSize, o.seed) : source.test;
  return { name: source.name, train, test };
}

export function describeData(name: string, train: ImageDataset, test: ImageDataset): string {
  return `${name}: ${train.labels.length} training and ${test.labels.length} test images, ${train.channels}×${train.height}×${train.width}, ${train.classes.length} classes`;
}

/** The model options that set a model's size, each one flag in every image command. */
export type ModelSizeKey = 'depth' | 'width' | 'baseWidth' | 'T' | 'dropout' | 'patchSize' | 'heads';

/** The flag of every model size option (the words `htaf images train|compare` and `htaf icbm train` share). */
export const MODEL_SIZE_FLAGS: Readonly<Record<ModelSizeKey, string>> = {
  depth: '--depth', width: '--width', baseWidth: '--base-width', T: '--T', dropout: '--dropout', patchSize: '--patch-size', heads: '--heads',
};

/** The flag of each model option, so the model zoo's errors name what the user typed. */
const MODEL_FLAGS: Readonly<Record<keyof ImageModelOptions, string>> = { kind: '--model', backbone: '--backbone', method: '--method', ...MODEL_SIZE_FLAGS };

/**
 * Adds the model-size flags a command takes, in the order of `help` (a key → its help text), each
 * parsed by `values.parse(flag)` (default: a positive integer; --dropout a number >= 0) and shown with
 * `values.placeholder` (default n, p for --dropout).
 */
export function modelSizeOptions(
  cmd: Command, help: Partial<Record<ModelSizeKey, string>>, values: { parse?: (flag: string) => (value: string) => unknown; placeholder?: string } = {},
): Command {
  for (const [key, text] of Object.entries(help) as [ModelSizeKey, string][]) {
    const flag = MODEL_SIZE_FLAGS[key];
    const parser = values.parse ? values.parse(flag) : key === 'dropout' ? nonNegativeNumber(flag) : positiveInt(flag);
    cmd.option(`${flag} <${values.placeholder ?? (key === 'dropout' ? 'p' : 'n')}>`, text, parser as (value: string) => number);
  }
  return cmd;
}

/**
 * An Error of a library call, for the command line: prefixed by the command, and an OptionError about a
 * model option (src/core/options.ts) names the option by its flag (`htaf images train: --depth must be
 * 6n + 4 ...`; an option no flag sets, such as the data's imageSize, by its name). `suffix` is added at the end of such a message (`(the bnn model)`).
 */
export function commandError(command: string, err: unknown, suffix = ''): Error {
  if (err instanceof OptionError) {
    const flag = (MODEL_FLAGS as Readonly<Record<string, string>>)[err.option] ?? err.option;
    return new Error(`${command}: ${flag} ${err.detail}${suffix}`);
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new Error(msg.startsWith(command) ? msg : `${command}: ${msg}`);
}

/** The flags trainingOptions adds, as commander parses them. */
export interface TrainingCliOptions {
  epochs: number;
  batch: number;
  optimizer: ImageTrainConfig['optimizer'];
  momentum: number;
  weightDecay: number;
  schedule: ImageTrainConfig['schedule'];
  valFraction: number;
  augment?: boolean;
  cropPadding: number;
  flip: boolean;
  trainSize?: number;
  testSize?: number;
  imageSize?: number;
  seed: number;
  threads?: number;
}

/** Adds the training flags every image command takes (the learning rate is the command's own). */
export function trainingOptions(cmd: Command): Command {
  return cmd
    .option('--epochs <n>', 'epochs (the same for every method)', positiveInt('--epochs'), IMAGE_TRAIN_DEFAULTS.epochs)
    .option('--batch <n>', 'batch size', positiveInt('--batch'), IMAGE_TRAIN_DEFAULTS.batch)
    .option('--optimizer <name>', IMAGE_OPTIMIZERS.join('|'), oneOf('--optimizer', IMAGE_OPTIMIZERS), IMAGE_TRAIN_DEFAULTS.optimizer)
    .option('--momentum <x>', 'SGD momentum', nonNegativeNumber('--momentum'), IMAGE_TRAIN_DEFAULTS.momentum)
    .option('--weight-decay <x>', 'weight decay', nonNegativeNumber('--weight-decay'), IMAGE_TRAIN_DEFAULTS.weightDecay)
    .option('--schedule <name>', `learning-rate schedule over the epochs: ${LR_SCHEDULES.join('|')}`, oneOf('--schedule', LR_SCHEDULES), IMAGE_TRAIN_DEFAULTS.schedule)
    .option('--val-fraction <x>', 'share of the training images held out for validation (model selection)', fraction('--val-fraction'), IMAGE_TRAIN_DEFAULTS.valFraction)
    .option('--augment', 'random crop (zero padding) and horizontal flip in training')
    .option('--crop-padding <n>', 'padding of the random crop with --augment', nonNegativeInt('--crop-padding'), 4)
    .option('--no-flip', 'no horizontal flip with --augment')
    .option('--train-size <n>', 'a seeded, stratified subset of the training images (quick runs)', positiveInt('--train-size'))
    .option('--test-size <n>', 'a seeded, stratified subset of the test images', positiveInt('--test-size'))
    .option('--image-size <n>', 'folder:DIR only: resize the images to n×n', positiveInt('--image-size'))
    .option('--seed <n>', 'seed of the subsets, the split, the weights, the batch order and augmentation', nonNegativeInt('--seed'), IMAGE_TRAIN_DEFAULTS.seed)
    .option('--threads <n>', "libtorch's intra-op threads (default: libtorch's)", positiveInt('--threads'));
}

/** The training config fields the flags set (the model and the learning rate are the command's). */
export function trainConfigOf(o: TrainingCliOptions): Omit<ImageTrainConfig, 'model' | 'lr'> {
  return {
    epochs: o.epochs, batch: o.batch, optimizer: o.optimizer, momentum: o.momentum, weightDecay: o.weightDecay, schedule: o.schedule, seed: o.seed,
    valFraction: o.valFraction, augment: o.augment ? { cropPadding: o.cropPadding, horizontalFlip: o.flip } : null,
  };
}

/** The options of `o` among `keys` that the user gave (commander leaves the others undefined). */
export function givenOptions<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export function fmt(v: number | undefined, digits = 4): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}

/**
 * Training progress on stderr: on a terminal a cli-progress bar over the epoch's batches with the running
 * loss, accuracy and images/s; otherwise one line per epoch.
 */
export function trainProgress(label = 'train'): { onEvent: (e: ImageTrainEvent) => void; stop: () => void } {
  const line = (e: Extract<ImageTrainEvent, { kind: 'epoch' }>) =>
    `${label}: epoch ${e.epoch}/${e.epochs}  loss ${fmt(e.trainLoss)}  train acc ${fmt(e.trainAccuracy)}  val acc ${fmt(e.valAccuracy)} (exact)  ${e.imagesPerSecond.toFixed(0)} img/s  lr ${e.lr.toPrecision(3)}${e.improved ? '  *' : ''}`;
  const start = (e: Extract<ImageTrainEvent, { kind: 'start' }>) =>
    `${label}: ${e.model}, ${e.parameters} parameters; ${e.images.train}/${e.images.val}/${e.images.test} train/val/test images, ${e.batches} batches per epoch${e.resumed ? `; resuming at epoch ${e.firstEpoch}` : ''}`;
  const bar = progressReporter(`${label} epoch {epoch}/{epochs} |{bar}| {value}/{total} | loss {loss} | acc {acc} | {ips} img/s | ETA {eta_formatted}`);
  return {
    onEvent: (e) => {
      if (e.kind === 'start') bar.line(start(e));
      else if (e.kind === 'batch') bar.update(e.batches, e.batch, { epoch: e.epoch, epochs: e.epochs, loss: fmt(e.loss), acc: fmt(e.accuracy), ips: e.imagesPerSecond.toFixed(0) });
      else if (e.kind === 'epoch') bar.line(line(e));
      else if (e.kind === 'nan') bar.line(`${label}: ${e.message}`);
      else bar.stop();
    },
    stop: () => bar.stop(),
  };
}
