// Test-time evaluation of an image classifier (issue 5, docs/method.md §3): accuracy with exact steps (every binary
// activation the Heaviside step H, as HTAF and SS models are meant to run at inference) and, beside it,
// with smooth steps (the training form), in eval mode without gradients; the images per second of the
// exact pass; and what each binary layer does at test time, read by forward hooks during the exact pass:
//   share of ones   DHN/BNN: the share of a BinaryActivation's outputs that are 1 (or +1 in the sign form)
//   firing rate     SNN: the mean of a LIF neuron layer's spike output over time steps, images and units
// A model without binary activations (the standard network) is evaluated once: its two accuracies agree.
import { BinaryActivation, withStepMode, type StepMode } from '../activations/index.js';
import { Module } from '../nn/index.js';
import { SpikingNeuron } from '../models/index.js';
import { Tensor } from '../tensor/tensor.js';
import { evalBatches, type ChannelStats, type ImageBatch, type ImageDataset } from '../data/images/index.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tidy } from '../core/scope.js';

/** What one binary layer did at test time (exact steps). */
export interface LayerActivity {
  /** The module's dotted path in the model ('block1.layer.0.act1', 'layer1.0.sn1'). */
  path: string;
  /** 'share-of-ones' for a binary activation (DHN/BNN), 'firing-rate' for a spiking neuron layer (SNN). */
  kind: 'share-of-ones' | 'firing-rate';
  /** The share of ones / the mean spike rate, in [0, 1]. */
  value: number;
  /** How many outputs it averages (time steps × images × units). */
  outputs: number;
}

export interface ImageEvalResult {
  /** Top-1 accuracy with exact steps. */
  accuracy: number;
  /** Top-1 accuracy with smooth steps (the training form); equals accuracy when the model has no binary activation. */
  smoothAccuracy: number;
  images: number;
  /** Images per second of the exact-steps pass (batching, standardization and the forward pass). */
  imagesPerSecond: number;
  /** Per binary layer, in model order (empty for the standard network). */
  layers: LayerActivity[];
}

export interface ImageEvalOptions {
  /** Per-channel standardization the model was trained with. */
  stats: ChannelStats;
  /** Images per forward pass (default 128). */
  batchSize?: number;
  /** Record per-layer share of ones / firing rates during the exact pass (default true). */
  layers?: boolean;
  /** Also measure the smooth-steps accuracy (default true). */
  smooth?: boolean;
}

/** Correct top-1 predictions of logits [B, K] against labels [B] (int64). */
export function countCorrect(logits: Tensor, y: Tensor): number {
  return tidy(() => logits.argmax(1).eq(y).sum().item() as number);
}

/** The layers whose outputs are binary at test time: spiking neuron layers, and binary activations not inside one. */
export function binaryLayers(model: Module): { path: string; module: Module; kind: LayerActivity['kind'] }[] {
  const all = [...model.namedModules()];
  const neurons = all.filter(([, m]) => m instanceof SpikingNeuron);
  const inside = (path: string) => neurons.some(([p]) => p === '' || path.startsWith(`${p}.`));
  const out: { path: string; module: Module; kind: LayerActivity['kind'] }[] = [];
  for (const [path, m] of all) {
    if (m instanceof SpikingNeuron) out.push({ path, module: m, kind: 'firing-rate' });
    else if (m instanceof BinaryActivation && !inside(path)) out.push({ path, module: m, kind: 'share-of-ones' });
  }
  return out;
}

/** Top-1 accuracy over a dataset in one step mode; optional per-layer activity. The model is left as it was. */
function pass(model: Module, dataset: ImageDataset, o: Required<Pick<ImageEvalOptions, 'stats' | 'batchSize'>>, mode: StepMode, probe: boolean): { correct: number; seconds: number; layers: LayerActivity[] } {
  const layers = probe ? binaryLayers(model) : [];
  const sums = layers.map(() => ({ ones: 0, outputs: 0 }));
  const removers = layers.map((l, i) =>
    l.module.registerForwardHook((m, _inputs, output: Tensor) => {
      if (!(output instanceof Tensor) || output.numel() === 0) return;
      const sum = tidy(() => output.sum(null, false, { dtype: 'float64' }).item() as number);
      const n = output.numel();
      // The sign form's outputs are ±1: the share of +1 is (sum/n + 1)/2.
      sums[i].ones += m instanceof BinaryActivation && m.signed ? (sum + n) / 2 : sum;
      sums[i].outputs += n;
    }),
  );
  const wasTraining = model.training;
  model.eval();
  const t0 = performance.now();
  let correct = 0;
  try {
    withStepMode(model, mode, () => {
      for (const batch of evalBatches(dataset, o.batchSize, o.stats) as Iterable<ImageBatch>) {
        try {
          correct += tidy(() => noGrad(() => countCorrect(model.call(batch.x), batch.y)));
        } finally {
          batch.x.dispose();
          batch.y.dispose();
        }
      }
    });
  } finally {
    model.train(wasTraining);
    for (const r of removers) r();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    correct,
    seconds,
    layers: layers.map((l, i) => ({ path: l.path, kind: l.kind, value: sums[i].outputs ? sums[i].ones / sums[i].outputs : NaN, outputs: sums[i].outputs })),
  };
}

/**
 * Evaluates an image classifier on a dataset: exact-steps accuracy, smooth-steps accuracy, images/s and
 * per-layer share of ones / firing rates (see the file header).
 * @example const r = evaluateImageModel(model, source.test, { stats });
 */
export function evaluateImageModel(model: Module, dataset: ImageDataset, options: ImageEvalOptions): ImageEvalResult {
  if (!(model instanceof Module)) throw new Error(`evaluateImageModel: model must be a Module; got ${model === null ? 'null' : typeof model}`);
  if (!dataset || !(dataset.labels instanceof Int32Array)) throw new Error('evaluateImageModel: dataset must be an ImageDataset ({ images, labels, channels, height, width, classes, source })');
  const n = dataset.labels.length;
  if (n === 0) throw new Error(`evaluateImageModel: ${dataset.source} holds no images`);
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new Error(`evaluateImageModel: batchSize must be a positive integer; got ${String(batchSize)}`);
  const o = { stats: options.stats, batchSize };
  const exact = pass(model, dataset, o, 'exact', options.layers ?? true);
  const hasBinary = [...model.modules()].some((m) => m instanceof BinaryActivation);
  const smooth = hasBinary && (options.smooth ?? true) ? pass(model, dataset, o, 'smooth', false).correct : exact.correct;
  return {
    accuracy: exact.correct / n,
    smoothAccuracy: smooth / n,
    images: n,
    imagesPerSecond: n / Math.max(exact.seconds, 1e-9),
    layers: exact.layers,
  };
}

/** The per-layer activity as aligned text lines ('  layer1.0.sn1  firing rate 0.123'). */
export function layerActivityLines(layers: readonly LayerActivity[]): string[] {
  if (layers.length === 0) return [];
  const w = Math.max(...layers.map((l) => l.path.length));
  return layers.map((l) => `  ${l.path.padEnd(w)}  ${l.kind === 'firing-rate' ? 'firing rate' : 'share of ones'} ${Number.isFinite(l.value) ? l.value.toFixed(4) : 'n/a'}`);
}
