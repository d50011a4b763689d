// `htaf icbm train`: one ICBM run (src/train/icbm_train.ts): the ICBM and its standard model trained on
// an image dataset, then Table 2/9/10's figures: accuracy of the standard model, of ICBM with smooth and
// exact concepts, of BM (the standard model binarized at each node's median), with binarity score and
// concept accuracy; the run directory feeds `icbm report`, `icbm name` and `icbm explain`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { CONCEPT_LAYERS, DEFAULT_CONCEPT_LAYER, type ConceptLayerDesign } from '../models/index.js';
import { IMAGE_SOURCE_FORMS } from '../data/images/index.js';
import { canonicalActivationSpec } from '../activations/index.js';
import { setNumThreads } from '../core/runtime.js';
import { ICBM_BACKBONES, trainIcbm, type IcbmBackbone, type IcbmConfig, type IcbmMetrics } from '../train/icbm_train.js';
import type { ImageTrainConfig } from '../train/image_trainer.js';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { datasetOption, describeData, givenOptions, loadData, modelSizeOptions, trainConfigOf, trainingOptions, trainProgress, type DataOptions, type TrainingCliOptions } from './image_common.js';
import { oneOf, positiveInt, positiveNumber } from './options.js';
import { addDistributedFlags, isLauncher, joinGroup, launch, type DistributedFlags } from './distributed_flags.js';

const BINARY_METHODS = 'htaf (default), ss, ste:sigmoid, ste:tanh, ste:rect, with parameters (htaf:alpha=2,beta=11)';

function conceptMethod(value: string): string {
  let spec: string;
  try {
    spec = canonicalActivationSpec(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  if (!/^(htaf|ss|ste)\b/.test(spec)) throw new InvalidArgumentError(`--method must be a binary activation for the concepts: ${BINARY_METHODS}; got '${value}'`);
  return spec;
}

interface IcbmTrainCliOptions extends DataOptions, TrainingCliOptions, DistributedFlags, NonNullable<IcbmConfig['size']> {
  backbone: IcbmBackbone;
  concepts: number;
  method: string;
  conceptLayer: ConceptLayerDesign;
  lr: number;
  baseline?: string;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

const pct = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(2) : 'n/a');

/** Table 2/9/10's rows as aligned text. */
export function icbmMetricsText(m: IcbmMetrics): string {
  const rows = [
    ['model', 'accuracy', 'after binarization', 'binarity', 'concept accuracy'],
    ['standard', pct(m.standard.accuracy), '', pct(m.standard.binarity), ''],
    ['ICBM', pct(m.icbm.smoothAccuracy), pct(m.icbm.accuracy), pct(m.icbm.binarity), pct(m.icbm.conceptAccuracy)],
    ['BM (median)', pct(m.bm.accuracyBefore), pct(m.bm.accuracy), pct(m.bm.binarity), pct(m.bm.conceptAccuracy)],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
}

async function runIcbmTrain(o: IcbmTrainCliOptions): Promise<void> {
  const command = 'htaf icbm train';
  if (o.threads) setNumThreads(o.threads);
  const out = o.out ?? join('icbm-out', `${o.backbone}-${o.method.split(':')[0]}`);
  if (!o.resume && existsSync(join(out, 'icbm', 'checkpoint.safetensors'))) {
    throw new Error(`${command} --out '${out}': it already holds a run; add --resume to continue it, or choose another --out`);
  }
  if (o.baseline !== undefined && !existsSync(o.baseline)) throw new Error(`${command} --baseline '${o.baseline}': no such file (a standard model: <run>/standard/best.safetensors)`);
  // --nproc: this process starts the workers (the same command line); each joins the group.
  if (isLauncher(o)) return launch(command, o);
  const group = joinGroup();
  const rank = group?.rank ?? 0;
  const data = await loadData(command, o);
  if (rank === 0) process.stderr.write(`${command}: ${describeData(o.dataset, data.train, data.test)}\n`);
  if (group && rank === 0) process.stderr.write(`${command}: ${group.worldSize} processes, global batch ${o.batch} × ${group.worldSize} = ${o.batch * group.worldSize}\n`);
  const size = givenOptions(o, ['depth', 'width', 'baseWidth', 'patchSize', 'heads']);
  const train: Partial<Omit<ImageTrainConfig, 'model'>> = { ...trainConfigOf(o), lr: o.lr };
  const quiet = { onEvent: () => {}, stop: () => {} };
  const progress = rank === 0 ? { icbm: trainProgress('icbm'), standard: trainProgress('standard') } : { icbm: quiet, standard: quiet };
  let result;
  try {
    result = await trainIcbm(
      { backbone: o.backbone, concepts: o.concepts, method: o.method, conceptLayer: o.conceptLayer, size, train },
      { train: data.train, test: data.test, name: o.dataset },
      {
        outDir: out, resume: !!o.resume, baseline: o.baseline, onEvent: (which, e) => progress[which].onEvent(e),
        ...(group ? { distributed: { group, syncBatchNorm: !!o.syncBatchNorm } } : {}),
      },
    );
  } finally {
    progress.icbm.stop();
    progress.standard.stop();
  }
  if (result === null) return; // not rank 0: rank 0 measures, reports and writes the run
  const report = {
    dataset: o.dataset, backbone: o.backbone, description: result.icbm.description, concepts: o.concepts, method: o.method, conceptLayer: o.conceptLayer,
    trainSize: data.train.labels.length, testSize: data.test.labels.length, epochs: o.epochs, seed: o.seed, metrics: result.metrics,
    icbmEpochs: result.icbm.epochsRun, standardEpochs: result.standard?.epochsRun ?? null, baseline: o.baseline ?? null,
    seconds: result.icbm.seconds + (result.standard?.seconds ?? 0),
  };
  writeBytesAtomically(join(out, 'result.json'), `${JSON.stringify(report, null, 2)}\n`, 'write JSON');
  const text = `${icbmMetricsText(result.metrics)}\n(percent; test set of ${data.test.labels.length} images)\nrun: ${out} (icbm report --run ${out})\n`;
  if (o.json) {
    process.stderr.write(text);
    process.stdout.write(`${JSON.stringify(result.metrics)}\n`);
  } else {
    process.stdout.write(text);
  }
}

export function registerIcbmTrain(icbm: Command): void {
  addDistributedFlags(trainingOptions(
    modelSizeOptions(
      icbm
        .command('train')
        .description('train an ICBM (binary concept layer + linear head) and its standard model; report accuracy, binarity and concept accuracy against BM')
        .option('--backbone <name>', Object.keys(ICBM_BACKBONES).join('|'), oneOf('--backbone', Object.keys(ICBM_BACKBONES) as IcbmBackbone[]), 'resnet')
        .option('--concepts <m>', 'M, the number of concepts', positiveInt('--concepts'), 64)
        .option('--method <spec>', `the concepts' activation: ${BINARY_METHODS}`, conceptMethod, 'htaf:alpha=2,beta=11')
        .option('--concept-layer <design>', `what precedes the binary activation: ${CONCEPT_LAYERS.join('|')}`, oneOf('--concept-layer', CONCEPT_LAYERS), DEFAULT_CONCEPT_LAYER)
        .requiredOption('--dataset <spec>', `${IMAGE_SOURCE_FORMS.join('|')}`, datasetOption)
        .option('--lr <x>', 'learning rate', positiveNumber('--lr'), 1e-3),
      {
        depth: 'wrn: 6n+4; vit: blocks',
        width: 'wrn: widening factor; vit: token width',
        baseWidth: 'resnet/wrn: channels of the first stage (default 16)',
        patchSize: 'vit: patch side',
        heads: 'vit: attention heads',
      },
    )
      .option('--baseline <ckpt>', 'use this standard model (<run>/standard/best.safetensors of an earlier run) instead of training one')
      .option('--out <dir>', 'the run directory (default icbm-out/<backbone>-<method>)')
      .option('--resume', 'continue the run in --out from its last checkpoints')
      .option('--json', 'end with one JSON line {"standard":{..},"icbm":{..},"bm":{..}} on stdout'),
  )).action((o: IcbmTrainCliOptions) => runIcbmTrain(o));
}
