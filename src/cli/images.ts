// `htaf images`: image models of Table 1 (issue 5).
//   train    one run: --model dhn|bnn|snn|standard with --method on --dataset (fashion-mnist, cifar10:DIR,
//            cifar100:DIR, folder:DIR); a progress bar with loss, accuracy and images/s; checkpoints each
//            epoch in --out, --resume; test accuracy with exact and smooth steps, and per-layer share of ones
//            (DHN/BNN) or firing rates (SNN).
//   compare  Table 1: models × methods over seeds, mean (standard error); a journal that --resume continues.
//   convert  the ANN-to-SNN baseline (Appendix E): a trained standard (ReLU) model run as a rate-coded IF
//            network, accuracy and inference time per T, beside an HTAF SNN checkpoint when given.
// Progress goes to stderr (a bar on a terminal, plain lines otherwise); results go to stdout.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { IMAGE_SOURCE_FORMS, evalBatches, type ChannelStats, type ImageBatch, type ImageDataset } from '../data/images/index.js';
import { canonicalActivationSpec } from '../activations/index.js';
import { convertToSnn } from '../models/index.js';
import { setNumThreads } from '../core/runtime.js';
import { IMAGE_BACKBONES, IMAGE_MODEL_KINDS, architectureName, resolveImageModelSpec, type ImageModelKind, type ImageModelOptions } from '../models/image_zoo.js';
import { IMAGE_METHOD_FAMILIES, runImageCompare, type ImageCompareEvent } from '../train/image_compare.js';
import { writeImageCompareReport } from '../report/compare_report.js';
import { evaluateImageModel, layerActivityLines } from '../train/image_eval.js';
import { IMAGE_TRAIN_DEFAULTS, loadImageModel, trainImageModel, type ImageTrainConfig, type ImageTrainResult } from '../train/image_trainer.js';
import { writeJsonAtomically } from '../train/json_file.js';
import { writeTextAtomic } from '../report/table.js';
import {
  datasetOption, describeData, fmt, givenOptions, loadData, trainConfigOf, trainingOptions, trainProgress, type DataOptions, type TrainingCliOptions,
} from './image_common.js';
import { activationSpecOption, nonNegativeInt, nonNegativeNumber, oneOf, positiveInt, positiveNumber, shapeList } from './options.js';

// ---- option parsers -------------------------------------------------------------------------------

function numberList(name: string) {
  return (value: string): number[] => {
    const parts = value.split(',').map((s) => s.trim());
    const nums = parts.map(Number);
    if (parts.some((p) => p === '') || nums.some((n) => !Number.isFinite(n) || n <= 0)) throw new InvalidArgumentError(`${name} must be a comma-separated list of numbers > 0, got '${value}'`);
    return nums;
  };
}

/** Families and/or specs; a piece with '=' continues the spec before it ('htaf:alpha=2,beta=11,ste:rect'). */
function methodList(value: string): string[] {
  const out: string[] = [];
  for (const piece of value.split(/[,;\s]+/).map((s) => s.trim()).filter((s) => s !== '')) {
    if (piece.includes('=') && !piece.includes(':') && out.length > 0 && out[out.length - 1].includes(':')) out[out.length - 1] += `,${piece}`;
    else out.push(piece);
  }
  if (out.length === 0) throw new InvalidArgumentError(`--methods must list one or more of ${IMAGE_METHOD_FAMILIES.join(', ')} or activation specs, got '${value}'`);
  for (const m of out) {
    if ((IMAGE_METHOD_FAMILIES as readonly string[]).includes(m.toLowerCase())) continue;
    try {
      canonicalActivationSpec(m);
    } catch (err) {
      throw new InvalidArgumentError(`--methods: '${m}' is neither a family (${IMAGE_METHOD_FAMILIES.join(', ')}) nor a valid spec: ${(err as Error).message}`);
    }
  }
  return out;
}

function modelList(value: string): ImageModelKind[] {
  const out = value.split(/[,;\s]+/).map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  for (const m of out) if (!(IMAGE_MODEL_KINDS as readonly string[]).includes(m)) throw new InvalidArgumentError(`--models must list some of ${IMAGE_MODEL_KINDS.join(', ')}, got '${m}'`);
  if (out.length === 0) throw new InvalidArgumentError(`--models must list some of ${IMAGE_MODEL_KINDS.join(', ')}, got '${value}'`);
  if (new Set(out).size !== out.length) throw new InvalidArgumentError(`--models lists a model twice: '${value}'`);
  return out as ImageModelKind[];
}

/** The flag of each model option, so the zoo's messages name what the user typed. */
const FLAGS: Record<string, string> = {
  kind: '--model', backbone: '--backbone', method: '--method', depth: '--depth', width: '--width', baseWidth: '--base-width', T: '--T',
  dropout: '--dropout', patchSize: '--patch-size', heads: '--heads',
};

/** An Error from the zoo or the trainer, prefixed by the command and with option names written as flags. */
function commandError(command: string, err: unknown): Error {
  const msg = (err as Error).message ?? String(err);
  const named = msg.replace(/^buildImageModel: (?:(\w+)\b)?/, (_m, key?: string) => `${command}: ${key && FLAGS[key] ? FLAGS[key] : (key ?? '')}`);
  return new Error(named.startsWith(command) ? named : `${command}: ${named}`);
}

// ---- train ----------------------------------------------------------------------------------------

/** The flags every image training command of this file adds to image_common's. */
interface OwnTrainingFlags {
  preciseBn: number;
}

/** image_common's training config plus this file's flags. */
function trainSettings(o: TrainingCliOptions & OwnTrainingFlags): Omit<ImageTrainConfig, 'model' | 'lr'> {
  return { ...trainConfigOf(o), preciseBn: o.preciseBn };
}

interface TrainCliOptions extends DataOptions, TrainingCliOptions, OwnTrainingFlags, Omit<ImageModelOptions, 'kind'> {
  model: ImageModelKind;
  lr: number;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

function modelOptionsOf(o: Partial<TrainCliOptions> & { model: ImageModelKind }): ImageModelOptions {
  return { kind: o.model, ...givenOptions(o, ['backbone', 'method', 'depth', 'width', 'baseWidth', 'T', 'dropout', 'patchSize', 'heads']) };
}

const jsonNumber = (v: number) => (Number.isFinite(v) ? v : null);

function trainReport(r: ImageTrainResult): string[] {
  const lines = [
    `${r.description} (${r.parameters} parameters)`,
    `best epoch ${r.bestEpoch} of ${r.epochsRun} run${r.stoppedOnNaN ? ' (stopped on a NaN loss)' : ''}; weights of the best epoch, selected on validation accuracy with exact steps`,
    `            exact steps  smooth steps`,
    `val acc     ${fmt(r.val.accuracy).padEnd(11)}  ${fmt(r.val.smoothAccuracy)}`,
    `test acc    ${fmt(r.test.accuracy).padEnd(11)}  ${fmt(r.test.smoothAccuracy)}`,
    `training: ${fmt(r.trainImagesPerSecond, 0)} images/s; test inference (exact steps): ${fmt(r.test.imagesPerSecond, 0)} images/s; ${r.seconds.toFixed(1)} s in all`,
  ];
  if (r.test.layers.length) {
    const kind = r.test.layers.every((l) => l.kind === 'firing-rate') ? 'firing rate of each spiking layer' : 'share of ones of each binary activation';
    lines.push(`test time, exact steps: ${kind}:`, ...layerActivityLines(r.test.layers));
  }
  if (r.stoppedOnNaN) lines.push(`warning: ${r.stoppedOnNaN.message}`);
  return lines;
}

async function runTrain(o: TrainCliOptions): Promise<void> {
  const command = 'htaf images train';
  if (o.resume && o.out === undefined) throw new Error(`${command}: --resume needs --out DIR (the run to continue)`);
  if (o.threads) setNumThreads(o.threads);
  const modelOptions = modelOptionsOf(o);
  // The spec is checked before any data is read: a bad --method or size fails at once.
  try {
    resolveImageModelSpec({ ...modelOptions, inChannels: 1, imageSize: 32, numClasses: 10 });
  } catch (err) {
    if (!/patchSize/.test((err as Error).message)) throw commandError(command, err);
  }
  if (o.out !== undefined) {
    const checkpoint = join(o.out, 'checkpoint.safetensors');
    if (!o.resume && existsSync(checkpoint)) throw new Error(`${command} --out '${o.out}': it already holds a run (${checkpoint}); add --resume to continue it, or choose another --out`);
    if (o.resume && !existsSync(checkpoint)) process.stderr.write(`${command}: no checkpoint in ${o.out} yet; starting at epoch 1\n`);
  }
  const data = await loadData(command, o);
  process.stderr.write(`${command}: ${describeData(o.dataset, data.train, data.test)}\n`);
  const config: Partial<ImageTrainConfig> & { model: ImageModelOptions } = { ...trainSettings(o), model: modelOptions, lr: o.lr };
  const progress = trainProgress();
  let r: ImageTrainResult;
  try {
    r = await trainImageModel(config, { train: data.train, test: data.test, name: o.dataset }, { outDir: o.out, resume: !!o.resume, onEvent: progress.onEvent });
  } catch (err) {
    throw commandError(command, err);
  } finally {
    progress.stop();
  }
  if (o.out !== undefined) {
    const report = {
      dataset: o.dataset, ...r,
      data: { ...r.data, trainSize: o.trainSize ?? null, testSize: o.testSize ?? null },
    };
    writeJsonAtomically(join(o.out, 'result.json'), JSON.parse(JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))));
  }
  const lines = trainReport(r);
  if (o.out !== undefined) lines.push(`saved: ${join(o.out, 'result.json')}, ${r.files!.best}, ${r.files!.checkpoint}`);
  if (o.json) {
    // The human-readable report goes to stderr; stdout is the one JSON line.
    process.stderr.write(`${lines.join('\n')}\n`);
    process.stdout.write(`${JSON.stringify({ accuracy: jsonNumber(r.test.accuracy), smoothAccuracy: jsonNumber(r.test.smoothAccuracy), imagesPerSecond: jsonNumber(r.trainImagesPerSecond) })}\n`);
    return;
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

// ---- compare --------------------------------------------------------------------------------------

interface CompareCliOptions extends DataOptions, TrainingCliOptions, OwnTrainingFlags {
  models: ImageModelKind[];
  methods: string[];
  seeds: number;
  lr: number[];
  wrnDepth?: number;
  wrnWidth?: number;
  resnetDepth?: number;
  baseWidth?: number;
  T?: number;
  out?: string;
  resume?: boolean;
}

function compareProgress(): { onEvent: (e: ImageCompareEvent) => void; stop: () => void } {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const started = Date.now();
  let doneHere = 0;
  let train: ReturnType<typeof trainProgress> | undefined;
  return {
    onEvent: (e) => {
      switch (e.kind) {
        case 'start':
          log(`images compare: ${e.dataset}: ${e.total} runs (${e.epochs} epochs each); journal ${e.journal}${e.done ? `; resuming: ${e.done} already done (skipped)` : ''}`);
          break;
        case 'run-start':
          train = trainProgress(`[${e.done + 1}/${e.total}] ${e.plan.model} ${e.plan.method} lr=${e.plan.lr} seed#${e.plan.seedIndex}`);
          break;
        case 'train':
          if (e.event.kind !== 'start' && e.event.kind !== 'epoch') train?.onEvent(e.event);
          else if (e.event.kind === 'epoch' && process.stderr.isTTY) train?.onEvent(e.event);
          break;
        case 'run-end': {
          train?.stop();
          doneHere++;
          const r = e.record;
          const eta = ((Date.now() - started) / 1000 / doneHere) * (e.total - e.done);
          log(`[${e.done}/${e.total}] ${r.model} ${r.method} (${r.spec}) lr=${r.lr} seed#${r.seedIndex}: val ${fmt(r.val.accuracy)}, test ${fmt(r.test.accuracy)} exact / ${fmt(r.test.smoothAccuracy)} smooth, ${r.seconds.toFixed(1)} s | ETA ${Math.round(eta)} s`);
          break;
        }
        case 'done':
          log(`images compare: ${doneHere} run${doneHere === 1 ? '' : 's'} trained here; ${Math.round((Date.now() - started) / 1000)} s`);
          break;
      }
    },
    stop: () => train?.stop(),
  };
}

async function runCompareCli(o: CompareCliOptions): Promise<void> {
  const command = 'htaf images compare';
  if (o.threads) setNumThreads(o.threads);
  const sizes: Partial<Record<ImageModelKind, Omit<ImageModelOptions, 'kind' | 'method'>>> = {};
  const wrn = { ...(o.wrnDepth ? { depth: o.wrnDepth } : {}), ...(o.wrnWidth ? { width: o.wrnWidth } : {}), ...(o.baseWidth ? { baseWidth: o.baseWidth } : {}) };
  const resnet = { ...(o.resnetDepth ? { depth: o.resnetDepth } : {}), ...(o.baseWidth ? { baseWidth: o.baseWidth } : {}) };
  sizes.dhn = wrn;
  sizes.standard = wrn;
  sizes.bnn = resnet;
  sizes.snn = { ...resnet, ...(o.T ? { T: o.T } : {}) };
  if (o.T && !o.models.includes('snn')) throw new Error(`${command}: --T applies to snn models only; --models is ${o.models.join(',')}`);
  for (const kind of o.models) {
    const methods = kind === 'standard' ? [undefined] : o.methods.map((m) => ((IMAGE_METHOD_FAMILIES as readonly string[]).includes(m.toLowerCase()) ? undefined : m));
    for (const method of methods) {
      try {
        resolveImageModelSpec({ ...sizes[kind], kind, ...(method ? { method } : {}), inChannels: 1, imageSize: 32, numClasses: 10 });
      } catch (err) {
        throw commandError(command, err);
      }
    }
  }
  const data = await loadData(command, o);
  process.stderr.write(`${command}: ${describeData(o.dataset, data.train, data.test)}\n`);
  const outDir = o.out ?? join('images-compare-out', o.dataset.replace(/[:/\\]+/g, '_'));
  const progress = compareProgress();
  try {
    const run = await runImageCompare({
      data: { train: data.train, test: data.test, name: o.dataset },
      models: o.models,
      methods: o.methods,
      modelOptions: sizes,
      seeds: o.seeds,
      seed: o.seed,
      lrs: o.lr,
      train: trainSettings(o),
      outDir,
      resume: !!o.resume,
      onEvent: progress.onEvent,
    });
    const { text, files } = writeImageCompareReport(outDir, run);
    process.stdout.write(`\n${text}\nwrote ${files.markdown}, ${files.csv}, ${files.json} (journal ${files.journal})\n`);
  } catch (err) {
    throw commandError(command, err);
  } finally {
    progress.stop();
  }
}

// ---- convert --------------------------------------------------------------------------------------

interface ConvertCliOptions {
  checkpoint: string;
  T: number[];
  snn?: string;
  dataset?: string;
  testSize?: number;
  calibrationSize: number;
  percentile: number;
  batch: number;
  seed: number;
  threads?: number;
  out?: string;
  json?: boolean;
}

/** A dataset's evaluation batches, made afresh at each iteration, each disposed once the consumer moves on to the next. */
function batchesOf(ds: ImageDataset, batchSize: number, stats: ChannelStats): Iterable<ImageBatch> {
  return {
    *[Symbol.iterator]() {
      for (const b of evalBatches(ds, batchSize, stats)) {
        try {
          yield b;
        } finally {
          b.x.dispose();
          b.y.dispose();
        }
      }
    },
  };
}

async function runConvert(o: ConvertCliOptions): Promise<void> {
  const command = 'htaf images convert';
  if (o.threads) setNumThreads(o.threads);
  let ann: ReturnType<typeof loadImageModel>;
  try {
    ann = loadImageModel(o.checkpoint);
  } catch (err) {
    throw new Error(`${command} --checkpoint ${o.checkpoint}: ${(err as Error).message}`);
  }
  let snnModel: ReturnType<typeof loadImageModel> | undefined;
  try {
    const meta = ann.meta;
    if (meta.model.kind !== 'standard' || meta.model.method !== 'relu') {
      throw new Error(`${command} --checkpoint ${o.checkpoint}: it holds a ${meta.description} model; ANN-to-SNN conversion needs a standard ReLU network (htaf images train --model standard)`);
    }
    if (o.snn !== undefined) {
      try {
        snnModel = loadImageModel(o.snn);
      } catch (err) {
        throw new Error(`${command} --snn ${o.snn}: ${(err as Error).message}`);
      }
      if (snnModel.meta.model.kind !== 'snn') throw new Error(`${command} --snn ${o.snn}: it holds a ${snnModel.meta.description} model, not an SNN (htaf images train --model snn)`);
    }
    const datasetSpec = o.dataset ?? meta.dataset;
    const source = await loadData(command, { dataset: datasetSpec, seed: o.seed, testSize: o.testSize, trainSize: o.calibrationSize });
    const shape = [source.test.channels, source.test.height, source.test.width];
    if (shape[0] !== meta.model.inChannels || shape[1] !== meta.model.imageSize || source.test.classes.length !== meta.model.numClasses) {
      throw new Error(`${command}: --dataset ${datasetSpec} has ${shape.join('×')} images in ${source.test.classes.length} classes, but the checkpoint's model takes ${meta.model.inChannels}×${meta.model.imageSize}×${meta.model.imageSize} in ${meta.model.numClasses}`);
    }
    process.stderr.write(`${command}: ${meta.description} from ${o.checkpoint}; calibrating on ${source.train.labels.length} training images (percentile ${o.percentile}); ${source.test.labels.length} test images\n`);
    // convertToSnn holds on to the calibration batches until it returns: they are disposed after it.
    const calibration = [...evalBatches(source.train, o.batch, meta.stats)];
    let converted: ReturnType<typeof convertToSnn>;
    try {
      converted = convertToSnn(ann.model, calibration, { percentile: o.percentile });
    } finally {
      for (const b of calibration) {
        b.x.dispose();
        b.y.dispose();
      }
    }
    const annResult = converted.annAccuracy(batchesOf(source.test, o.batch, meta.stats));
    const perT = converted.accuracyOverT(batchesOf(source.test, o.batch, meta.stats), o.T);
    const n = source.test.labels.length;
    const rows: { model: string; T: number | null; accuracy: number; seconds: number; imagesPerSecond: number }[] = [
      { model: `ANN (${architectureName(meta.model)}, ReLU)`, T: null, accuracy: annResult.accuracy, seconds: annResult.seconds, imagesPerSecond: n / annResult.seconds },
      ...perT.map((p) => ({ model: 'ANN-to-SNN (IF, rate coded)', T: p.T, accuracy: p.accuracy, seconds: p.seconds, imagesPerSecond: n / p.seconds })),
    ];
    if (snnModel) {
      const sm = snnModel;
      const r = evaluateImageModel(sm.model, source.test, { stats: sm.meta.stats, batchSize: o.batch, layers: false });
      rows.push({ model: `HTAF SNN (${architectureName(sm.meta.model)}, ${sm.meta.model.method}, exact steps)`, T: sm.meta.model.T ?? null, accuracy: r.accuracy, seconds: n / r.imagesPerSecond, imagesPerSecond: r.imagesPerSecond });
    }
    const table = [
      `### ANN-to-SNN conversion on ${datasetSpec} (${n} test images)`,
      '',
      '| Model | T | Accuracy (%) | Inference time (s) | Images/s |',
      '|---|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.model} | ${r.T ?? '–'} | ${(r.accuracy * 100).toFixed(1)} | ${r.seconds < 10 ? r.seconds.toFixed(3) : r.seconds.toFixed(1)} | ${r.imagesPerSecond.toFixed(0)} |`),
      '',
      `Thresholds: the ${o.percentile}th percentile of each ReLU's outputs on ${source.train.labels.length} training images; ${converted.sites.length} ReLU call sites became IF neurons (reset by subtraction); direct input; logits averaged over T.`,
    ].join('\n');
    const report = {
      dataset: datasetSpec, checkpoint: o.checkpoint, snnCheckpoint: o.snn ?? null, testImages: n, calibrationImages: source.train.labels.length, percentile: o.percentile,
      ann: { description: meta.description, accuracy: annResult.accuracy, seconds: annResult.seconds }, perT,
      rows, sites: converted.sites,
    };
    if (o.out !== undefined) {
      mkdirSync(o.out, { recursive: true });
      writeTextAtomic(join(o.out, 'convert.md'), `${table}\n`);
      writeJsonAtomically(join(o.out, 'convert.json'), report);
      writeTextAtomic(join(o.out, 'convert.csv'), `model,T,accuracy,seconds,imagesPerSecond\n${rows.map((r) => [JSON.stringify(r.model), r.T ?? '', r.accuracy, r.seconds, r.imagesPerSecond].join(',')).join('\n')}\n`);
    }
    if (o.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(`${table}\n${o.out !== undefined ? `wrote ${join(o.out, 'convert.md')}, convert.csv, convert.json\n` : ''}`);
  } finally {
    ann.model.dispose();
    snnModel?.model.dispose();
  }
}

// ---- registration ---------------------------------------------------------------------------------

/** image_common's training flags plus this file's own. */
function imageTrainingOptions(cmd: Command): Command {
  return trainingOptions(cmd).option(
    '--precise-bn <n>',
    "re-estimate BatchNorm statistics with each epoch's final weights on up to n training batches before validation (0: off; SNNs need it at small budgets)",
    nonNegativeInt('--precise-bn'),
    IMAGE_TRAIN_DEFAULTS.preciseBn,
  );
}

export function registerImages(program: Command): void {
  const images = program.command('images').description('image models (Table 1): train, compare and ANN-to-SNN conversion');
  const datasetHelp = `${IMAGE_SOURCE_FORMS.join('|')} (fashion-mnist: $HTAF_FASHION_MNIST_DIR or Debian's dataset-fashion-mnist)`;

  imageTrainingOptions(
    images
      .command('train')
      .description('train one image model (DHN, BNN, SNN or standard) and report test accuracy with exact and smooth steps')
      .option('--model <kind>', IMAGE_MODEL_KINDS.join('|'), oneOf('--model', IMAGE_MODEL_KINDS), 'dhn')
      .option('--backbone <name>', `standard: ${IMAGE_BACKBONES.standard.join('|')}; dhn: wrn; bnn: bireal; snn: sew (default: the first)`)
      .option('--method <spec>', "activation spec: dhn/snn htaf|ss|ste:sigmoid|ste:tanh|ste:rect (default htaf), bnn also approxsign (default approxsign), standard relu", activationSpecOption)
      .requiredOption('--dataset <spec>', datasetHelp, datasetOption)
      .option('--lr <x>', 'learning rate', positiveNumber('--lr'), IMAGE_TRAIN_DEFAULTS.lr)
      .option('--T <n>', 'snn: time steps (default 4)', positiveInt('--T'))
      .option('--depth <n>', 'wrn: 6n+4 (default 16); bireal/sew: 10|18|34 (default 18 / 10); vit: blocks (default 4)', positiveInt('--depth'))
      .option('--width <n>', 'wrn: widening factor (default 1); vit: token width (default 64)', positiveInt('--width'))
      .option('--base-width <n>', 'channels of the first stage (default 16)', positiveInt('--base-width'))
      .option('--dropout <p>', 'wrn/vit: dropout in training (default 0)', nonNegativeNumber('--dropout'))
      .option('--patch-size <n>', 'vit: patch side (default 4, or 7 for 28×28)', positiveInt('--patch-size'))
      .option('--heads <n>', 'vit: attention heads (default 4)', positiveInt('--heads'))
      .option('--out <dir>', 'keep checkpoint.safetensors (every epoch), best.safetensors and result.json here')
      .option('--resume', 'continue the run in --out from its last checkpoint')
      .option('--json', 'print only one JSON line {"accuracy","smoothAccuracy","imagesPerSecond"} on stdout (test accuracy, exact and smooth steps; training images/s)'),
  ).action((o: TrainCliOptions) => runTrain(o));

  imageTrainingOptions(
    images
      .command('compare')
      .description("Table 1: models x methods, the same epochs for every method, mean (standard error) over seeds; resumable journal")
      .requiredOption('--dataset <spec>', datasetHelp, datasetOption)
      .option('--models <list>', `comma-separated: ${IMAGE_MODEL_KINDS.join(', ')}`, modelList, [...IMAGE_MODEL_KINDS])
      .option('--methods <list>', `comma-separated families (${IMAGE_METHOD_FAMILIES.join(', ')}: each model's own spec; ste is approxsign for bnn) or activation specs`, methodList, [...IMAGE_METHOD_FAMILIES])
      .option('--seeds <n>', 'runs per model and method, each with its own seed', positiveInt('--seeds'), 3)
      .option('--lr <list>', 'learning rates tried per run; the best on validation is kept', numberList('--lr'), [IMAGE_TRAIN_DEFAULTS.lr])
      .option('--wrn-depth <n>', 'dhn and standard WRN depth, 6n+4 (default 16)', positiveInt('--wrn-depth'))
      .option('--wrn-width <n>', 'dhn and standard WRN widening factor (default 1)', positiveInt('--wrn-width'))
      .option('--resnet-depth <n>', 'bnn (Bi-Real) and snn (SEW-ResNet) depth: 10|18|34 (defaults 18 and 10)', positiveInt('--resnet-depth'))
      .option('--base-width <n>', 'channels of every model\'s first stage (default 16)', positiveInt('--base-width'))
      .option('--T <n>', 'snn time steps (default 4)', positiveInt('--T'))
      .option('--out <dir>', 'output folder (default images-compare-out/<dataset>)')
      .option('--resume', 'continue the journal in --out, skipping finished runs'),
  ).action((o: CompareCliOptions) => runCompareCli(o));

  images
    .command('convert')
    .description('ANN-to-SNN baseline (Appendix E): a trained standard ReLU model as a rate-coded IF network; accuracy and inference time per T')
    .requiredOption('--checkpoint <file>', 'best.safetensors of `htaf images train --model standard`')
    .option('--T <list>', 'time steps', shapeList('--T'), [1, 2, 4, 8, 16, 32])
    .option('--snn <file>', 'best.safetensors of an HTAF SNN (`htaf images train --model snn`), evaluated beside it at its own T')
    .option('--dataset <spec>', `${datasetHelp} (default: the checkpoint's)`, datasetOption)
    .option('--test-size <n>', 'a seeded, stratified subset of the test images', positiveInt('--test-size'))
    .option('--calibration-size <n>', 'training images the thresholds are calibrated on', positiveInt('--calibration-size'), 1024)
    .option('--percentile <p>', 'threshold percentile of each ReLU\'s outputs, in (0, 100]', positiveNumber('--percentile'), 99.9)
    .option('--batch <n>', 'batch size', positiveInt('--batch'), 128)
    .option('--seed <n>', 'seed of the subsets', nonNegativeInt('--seed'), 0)
    .option('--threads <n>', "libtorch's intra-op threads", positiveInt('--threads'))
    .option('--out <dir>', 'write convert.md, convert.csv and convert.json here')
    .option('--json', 'print the result as one JSON line')
    .action((o: ConvertCliOptions) => runConvert(o));
}
