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
import { IMAGE_SOURCE_FORMS } from '../data/images/index.js';
import { canonicalActivationSpec } from '../activations/index.js';
import { setNumThreads } from '../core/runtime.js';
import { OptionError } from '../core/options.js';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { finiteOrNull, toJsonSafe } from '../io/json.js';
import { IMAGE_BACKBONES, IMAGE_MODEL_KINDS, backboneOptions, resolveImageModelOptions, type ImageModelKind, type ImageModelOptions } from '../models/image_zoo.js';
import { IMAGE_METHOD_FAMILIES, runImageCompare, type ImageCompareEvent } from '../train/image_compare.js';
import { writeImageCompareReport } from '../report/compare_report.js';
import { layerActivityLines } from '../train/image_eval.js';
import { IMAGE_TRAIN_DEFAULTS, loadImageModel, trainImageModel, type ImageTrainConfig, type ImageTrainResult } from '../train/image_trainer.js';
import { checkAnnToSnnModels, evaluateAnnToSnn, type LoadedImageModel } from '../train/ann2snn_eval.js';
import { annToSnnCsv, annToSnnMarkdown } from '../report/ann2snn.js';
import {
  MODEL_SIZE_FLAGS, commandError, datasetOption, describeData, fmt, givenOptions, loadData, modelSizeOptions, trainConfigOf, trainingOptions, trainProgress,
  type DataOptions, type ModelSizeKey, type TrainingCliOptions,
} from './image_common.js';
import { addDistributedFlags, addJobsFlag, gridJobs, isLauncher, joinGroup, launch, type DistributedFlags } from './distributed_flags.js';
import { workerEnvironment } from '../distributed/launch.js';
import { activationSpecOption, nonNegativeInt, oneOf, positiveInt, positiveNumber, shapeList } from './options.js';

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

/**
 * `--depth 16`, `--depth bnn=18,snn=10` or `--depth 16,bnn=18` (images compare): a bare number is for
 * every model of --models the option applies to, `kind=n` for that model kind (it wins over the bare one).
 */
interface PerKind {
  all?: number;
  kinds: Partial<Record<ImageModelKind, number>>;
}

function perKindInt(flag: string) {
  return (value: string): PerKind => {
    const out: PerKind = { kinds: {} };
    const bad = (why: string) => new InvalidArgumentError(`${flag} must be a positive integer or kind=n pairs (kinds ${IMAGE_MODEL_KINDS.join(', ')}), e.g. 16 or dhn=16,bnn=18: ${why}; got '${value}'`);
    for (const piece of value.split(',').map((p) => p.trim())) {
      const m = /^(?:([a-z]+)=)?(\d+)$/.exec(piece);
      if (!m || Number(m[2]) <= 0) throw bad(`'${piece}' is neither`);
      const n = Number(m[2]);
      if (m[1] === undefined) {
        if (out.all !== undefined) throw bad('two bare numbers');
        out.all = n;
      } else {
        if (!(IMAGE_MODEL_KINDS as readonly string[]).includes(m[1])) throw bad(`'${m[1]}' is not a model kind`);
        const kind = m[1] as ImageModelKind;
        if (out.kinds[kind] !== undefined) throw bad(`${kind} twice`);
        out.kinds[kind] = n;
      }
    }
    return out;
  };
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

interface TrainCliOptions extends DataOptions, TrainingCliOptions, OwnTrainingFlags, DistributedFlags, Omit<ImageModelOptions, 'kind'> {
  model: ImageModelKind;
  lr: number;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

function modelOptionsOf(o: Partial<TrainCliOptions> & { model: ImageModelKind }): ImageModelOptions {
  return { kind: o.model, ...givenOptions(o, ['backbone', 'method', 'depth', 'width', 'baseWidth', 'T', 'dropout', 'patchSize', 'heads']) };
}

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
  const rank = workerEnvironment()?.rank ?? 0;
  const modelOptions = modelOptionsOf(o);
  // The choice is checked before any data is read: a bad --method or size fails at once (a --patch-size
  // that does not divide the image size, once the data is known).
  try {
    resolveImageModelOptions(modelOptions);
  } catch (err) {
    throw commandError(command, err);
  }
  if (o.out !== undefined) {
    const checkpoint = join(o.out, 'checkpoint.safetensors');
    if (!o.resume && existsSync(checkpoint) && rank === 0) throw new Error(`${command} --out '${o.out}': it already holds a run (${checkpoint}); add --resume to continue it, or choose another --out`);
    // Said once: by the launcher (or the one process), not by every worker.
    if (o.resume && !existsSync(checkpoint) && workerEnvironment() === null) process.stderr.write(`${command}: no checkpoint in ${o.out} yet; starting at epoch 1\n`);
  }
  if (isLauncher(o)) return launch(command, o);
  if (o.threads) setNumThreads(o.threads);
  const group = joinGroup();
  const data = await loadData(command, o);
  if (rank === 0) process.stderr.write(`${command}: ${describeData(o.dataset, data.train, data.test)}\n`);
  if (group && rank === 0) process.stderr.write(`${command}: ${group.worldSize} processes, global batch ${o.batch} × ${group.worldSize} = ${(o.batch) * group.worldSize}\n`);
  const config: Partial<ImageTrainConfig> & { model: ImageModelOptions } = { ...trainSettings(o), model: modelOptions, lr: o.lr };
  const progress = rank === 0 ? trainProgress() : { onEvent: () => {}, stop: () => {} };
  let r: ImageTrainResult;
  try {
    r = await trainImageModel(config, { train: data.train, test: data.test, name: o.dataset }, {
      outDir: o.out, resume: !!o.resume, onEvent: progress.onEvent, ...(group ? { distributed: { group, syncBatchNorm: !!o.syncBatchNorm } } : {}),
    });
  } catch (err) {
    throw commandError(command, err);
  } finally {
    progress.stop();
  }
  if (rank !== 0) return; // rank 0 reports and writes the run
  if (o.out !== undefined) {
    const report = {
      dataset: o.dataset, ...r,
      data: { ...r.data, trainSize: o.trainSize ?? null, testSize: o.testSize ?? null },
    };
    writeBytesAtomically(join(o.out, 'result.json'), `${JSON.stringify(toJsonSafe(report), null, 2)}\n`, 'write JSON');
  }
  const lines = trainReport(r);
  if (o.out !== undefined) lines.push(`saved: ${join(o.out, 'result.json')}, ${r.files!.best}, ${r.files!.checkpoint}`);
  if (o.json) {
    // The human-readable report goes to stderr; stdout is the one JSON line.
    process.stderr.write(`${lines.join('\n')}\n`);
    process.stdout.write(`${JSON.stringify({ accuracy: finiteOrNull(r.test.accuracy), smoothAccuracy: finiteOrNull(r.test.smoothAccuracy), imagesPerSecond: finiteOrNull(r.trainImagesPerSecond) })}\n`);
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
  depth?: PerKind;
  width?: PerKind;
  baseWidth?: PerKind;
  T?: number;
  out?: string;
  resume?: boolean;
  jobs?: number;
}

/** Progress of images compare; with worker processes (--jobs) runs overlap and send no training events. */
function compareProgress(parallel: boolean): { onEvent: (e: ImageCompareEvent) => void; stop: () => void } {
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
          if (!parallel) train = trainProgress(`[${e.done + 1}/${e.total}] ${e.plan.model} ${e.plan.method} lr=${e.plan.lr} seed#${e.plan.seedIndex}`);
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

type ModelSizes = Partial<Record<ImageModelKind, Omit<ImageModelOptions, 'kind' | 'method'>>>;

/**
 * Each model's size options from the compare flags: a bare value goes to every model of --models whose
 * backbone takes the option (--width: the WRNs of dhn and standard; --T: snn), `kind=n` to that kind.
 */
function compareSizes(command: string, o: CompareCliOptions): ModelSizes {
  const sizes: ModelSizes = {};
  const given: [ModelSizeKey, PerKind | undefined][] = [['depth', o.depth], ['width', o.width], ['baseWidth', o.baseWidth], ['T', o.T === undefined ? undefined : { all: o.T, kinds: {} }]];
  for (const [key, v] of given) {
    if (v === undefined) continue;
    const flag = MODEL_SIZE_FLAGS[key];
    const takes = (kind: ImageModelKind) => backboneOptions(IMAGE_BACKBONES[kind][0]).includes(key);
    for (const [kind, n] of Object.entries(v.kinds)) {
      if (!o.models.includes(kind as ImageModelKind)) throw new Error(`${command}: ${flag} ${kind}=${n}: ${kind} is not in --models (${o.models.join(',')})`);
    }
    if (v.all !== undefined && !o.models.some(takes)) {
      throw new Error(`${command}: ${flag} applies to ${IMAGE_MODEL_KINDS.filter(takes).join(' and ')} models only; --models is ${o.models.join(',')}`);
    }
    for (const kind of o.models) {
      const n = v.kinds[kind] ?? (takes(kind) ? v.all : undefined);
      if (n !== undefined) sizes[kind] = { ...sizes[kind], [key]: n };
    }
  }
  return sizes;
}

async function runCompareCli(o: CompareCliOptions): Promise<void> {
  const command = 'htaf images compare';
  if (o.threads) setNumThreads(o.threads);
  const sizes = compareSizes(command, o);
  // Every model × method is checked before any data is read.
  for (const kind of o.models) {
    const methods = kind === 'standard' ? [undefined] : o.methods.map((m) => ((IMAGE_METHOD_FAMILIES as readonly string[]).includes(m.toLowerCase()) ? undefined : m));
    for (const method of methods) {
      try {
        resolveImageModelOptions({ ...sizes[kind], kind, ...(method ? { method } : {}) });
      } catch (err) {
        throw commandError(command, err, err instanceof OptionError && err.option in MODEL_SIZE_FLAGS ? ` (the ${kind} model)` : '');
      }
    }
  }
  const data = await loadData(command, o);
  process.stderr.write(`${command}: ${describeData(o.dataset, data.train, data.test)}\n`);
  const outDir = o.out ?? join('images-compare-out', o.dataset.replace(/[:/\\]+/g, '_'));
  const jobs = gridJobs(command, o);
  const progress = compareProgress(!!jobs);
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
      jobs,
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

async function runConvert(o: ConvertCliOptions): Promise<void> {
  const command = 'htaf images convert';
  if (o.threads) setNumThreads(o.threads);
  const load = (flag: string, path: string): LoadedImageModel => {
    try {
      return loadImageModel(path);
    } catch (err) {
      throw new Error(`${command} ${flag} ${path}: ${(err as Error).message}`);
    }
  };
  /** The evaluation's OptionErrors, named by the flag that gave the model or the data. */
  const named = (err: unknown, datasetSpec: string): Error => {
    if (!(err instanceof OptionError)) return commandError(command, err);
    if (err.option === 'ann') return new Error(`${command} --checkpoint ${o.checkpoint}: it ${err.detail} (htaf images train --model standard)`);
    if (err.option === 'snn') return new Error(`${command} --snn ${o.snn}: it ${err.detail} (htaf images train --model snn)`);
    if (err.option === 'test') return new Error(`${command}: --dataset ${datasetSpec} ${err.detail}`);
    return commandError(command, err);
  };
  const ann = load('--checkpoint', o.checkpoint);
  let snn: LoadedImageModel | undefined;
  try {
    try {
      checkAnnToSnnModels(ann);
    } catch (err) {
      throw named(err, o.dataset ?? ann.meta.dataset);
    }
    if (o.snn !== undefined) snn = load('--snn', o.snn);
    const datasetSpec = o.dataset ?? ann.meta.dataset;
    try {
      checkAnnToSnnModels(ann, snn);
    } catch (err) {
      throw named(err, datasetSpec);
    }
    const source = await loadData(command, { dataset: datasetSpec, seed: o.seed, testSize: o.testSize, trainSize: o.calibrationSize });
    process.stderr.write(`${command}: ${ann.meta.description} from ${o.checkpoint}; calibrating on ${source.train.labels.length} training images (percentile ${o.percentile}); ${source.test.labels.length} test images\n`);
    let result;
    try {
      result = evaluateAnnToSnn({ ann, snn, calibration: source.train, test: source.test, T: o.T, percentile: o.percentile, batch: o.batch });
    } catch (err) {
      throw named(err, datasetSpec);
    }
    const table = annToSnnMarkdown(result, datasetSpec);
    const report = { dataset: datasetSpec, checkpoint: o.checkpoint, snnCheckpoint: o.snn ?? null, ...result };
    if (o.out !== undefined) {
      mkdirSync(o.out, { recursive: true });
      writeBytesAtomically(join(o.out, 'convert.md'), `${table}\n`, 'write table');
      writeBytesAtomically(join(o.out, 'convert.json'), `${JSON.stringify(report, null, 2)}\n`, 'write JSON');
      writeBytesAtomically(join(o.out, 'convert.csv'), annToSnnCsv(result), 'write table');
    }
    if (o.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(`${table}\n${o.out !== undefined ? `wrote ${join(o.out, 'convert.md')}, convert.csv, convert.json\n` : ''}`);
  } finally {
    ann.model.dispose();
    snn?.model.dispose();
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

  addDistributedFlags(imageTrainingOptions(
    modelSizeOptions(
      images
        .command('train')
        .description('train one image model (DHN, BNN, SNN or standard) and report test accuracy with exact and smooth steps')
        .option('--model <kind>', IMAGE_MODEL_KINDS.join('|'), oneOf('--model', IMAGE_MODEL_KINDS), 'dhn')
        .option('--backbone <name>', `standard: ${IMAGE_BACKBONES.standard.join('|')}; dhn: wrn; bnn: bireal; snn: sew (default: the first)`)
        .option('--method <spec>', "activation spec: dhn/snn htaf|ss|ste:sigmoid|ste:tanh|ste:rect (default htaf), bnn also approxsign (default approxsign), standard relu", activationSpecOption)
        .requiredOption('--dataset <spec>', datasetHelp, datasetOption)
        .option('--lr <x>', 'learning rate', positiveNumber('--lr'), IMAGE_TRAIN_DEFAULTS.lr),
      {
        T: 'snn: time steps (default 4)',
        depth: 'wrn: 6n+4 (default 16); bireal/sew: 10|18|34 (default 18 / 10); vit: blocks (default 4)',
        width: 'wrn: widening factor (default 1); vit: token width (default 64)',
        baseWidth: 'channels of the first stage (default 16)',
        dropout: 'wrn/vit: dropout in training (default 0)',
        patchSize: 'vit: patch side (default 4, or 7 for 28×28)',
        heads: 'vit: attention heads (default 4)',
      },
    )
      .option('--out <dir>', 'keep checkpoint.safetensors (every epoch), best.safetensors and result.json here')
      .option('--resume', 'continue the run in --out from its last checkpoint')
      .option('--json', 'print only one JSON line {"accuracy","smoothAccuracy","imagesPerSecond"} on stdout (test accuracy, exact and smooth steps; training images/s)'),
  )).action((o: TrainCliOptions) => runTrain(o));

  // The size flags are images train's words; a bare value is for every model of --models that takes the
  // option, kind=n pairs for one model kind each (--depth 16,bnn=18: WRN-16 for dhn and standard, Bi-Real-18).
  const perKindHelp = (example: string) => `n: every model of --models that takes it; kind=n: that model (e.g. ${example})`;
  const compare = imageTrainingOptions(
    modelSizeOptions(
      images
        .command('compare')
        .description("Table 1: models x methods, the same epochs for every method, mean (standard error) over seeds; resumable journal")
        .requiredOption('--dataset <spec>', datasetHelp, datasetOption)
        .option('--models <list>', `comma-separated: ${IMAGE_MODEL_KINDS.join(', ')}`, modelList, [...IMAGE_MODEL_KINDS])
        .option('--methods <list>', `comma-separated families (${IMAGE_METHOD_FAMILIES.join(', ')}: each model's own spec; ste is approxsign for bnn) or activation specs`, methodList, [...IMAGE_METHOD_FAMILIES])
        .option('--seeds <n>', 'runs per model and method, each with its own seed', positiveInt('--seeds'), 3)
        .option('--lr <list>', 'learning rates tried per run; the best on validation is kept', numberList('--lr'), [IMAGE_TRAIN_DEFAULTS.lr]),
      {
        depth: `dhn and standard (WRN): 6n+4 (default 16); bnn (Bi-Real) and snn (SEW-ResNet): 10|18|34 (defaults 18 and 10); ${perKindHelp('16,bnn=18')}`,
        width: `dhn and standard (WRN): widening factor (default 1); ${perKindHelp('dhn=2')}`,
        baseWidth: `channels of the first stage (default 16); ${perKindHelp('8,snn=16')}`,
      },
      { parse: perKindInt, placeholder: 'n|kind=n,...' },
    )
      .option('--T <n>', 'snn time steps (default 4)', positiveInt('--T'))
      .option('--out <dir>', 'output folder (default images-compare-out/<dataset>)')
      .option('--resume', 'continue the journal in --out, skipping finished runs'),
  );
  addJobsFlag(compare).action((o: CompareCliOptions) => runCompareCli(o));

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
