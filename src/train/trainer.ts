// One tabular training run (issue 4): a TabularMlp trained with minibatch Adam or SGD on encoded rows,
// early stopping on the validation metric measured with exact steps, the best weights kept, and the
// final metrics with exact and with smooth steps plus the binarity of the hidden units.
//
// Reproducible: manualSeed(config.seed) before the weights are drawn, and each epoch's batch order is a
// pure function of (seed, epoch) (shuffle.ts), so the same config and data give the same result bit for
// bit on one machine. Training draws nothing else from libtorch's generator (no dropout), so resuming
// needs only the model, the optimizer state and the epoch counters: `outDir/checkpoint.safetensors`
// holds those (and the best weights), written atomically after every epoch, and `resume: true`
// continues from it to the same final result as an uninterrupted run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Adam, SGD } from '../optim/index.js';
import { BinaryActivation, withStepMode, type StepMode } from '../activations/index.js';
import { Tensor } from '../tensor/tensor.js';
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss } from '../tensor/functions.generated.js';
import { fromTypedArray } from '../tensor/creation.js';
import { saveCheckpoint } from '../io/checkpoint.js';
import { manualSeed } from '../core/runtime.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tidy } from '../core/scope.js';
import type { Encoded, Preprocessor, TaskKind } from '../data/tabular_types.js';
import { accuracy, auroc, binarityScore, macroAurocOvr, rmse } from '../metrics/index.js';
import { TabularMlp } from '../models/mlp.js';
import { SHUFFLE_SCHEME, epochPermutation } from './shuffle.js';
import type { Metrics, RunConfig, RunResult } from './types.js';
import { fit } from './fit.js';
import { RunState } from './run_state.js';

export interface TrainData {
  train: Encoded;
  val: Encoded;
  test: Encoded;
  preprocessor: Preprocessor;
  /** Number of classes (2 for binary tasks); ignored for regression. */
  classes: number;
}

export interface EpochEvent {
  epoch: number;
  epochs: number;
  /** Mean training loss of the epoch (over its rows). */
  trainLoss: number;
  /** Validation metrics with exact steps. */
  val: Metrics;
}

export interface BatchEvent {
  model: TabularMlp;
  /** 1-based epoch. */
  epoch: number;
  /** 0-based index of the batch within the epoch. */
  step: number;
}

export interface TrainRunOptions {
  /** Where to write checkpoint.safetensors (every epoch) and best.safetensors (the best weights); created if missing. */
  outDir?: string;
  /** Continue from outDir/checkpoint.safetensors (same config and data shapes); starts afresh when there is none. */
  resume?: boolean;
  /** Called after each epoch, once its checkpoint is written. */
  onEpoch?: (e: EpochEvent) => void;
  /**
   * Called after each batch's backward pass, before the optimizer step: the gradients are on the
   * parameters. Runs inside the batch's scope (tensors it creates are freed unless kept).
   */
  onBatch?: (e: BatchEvent) => void;
}

/** The metric early stopping and model selection use for a task. */
export function primaryMetric(task: TaskKind): { name: 'auroc' | 'rmse' | 'accuracy'; higherIsBetter: boolean } {
  switch (task) {
    case 'binary':
      return { name: 'auroc', higherIsBetter: true };
    case 'multiclass':
      return { name: 'accuracy', higherIsBetter: true };
    case 'regression':
      return { name: 'rmse', higherIsBetter: false };
    default:
      throw new Error(`primaryMetric: task must be binary, multiclass or regression; got ${JSON.stringify(task)}`);
  }
}

// ---- checks ---------------------------------------------------------------------------------------

const CONFIG_KEYS = ['task', 'method', 'hidden', 'epochs', 'lr', 'optimizer', 'batch', 'seed', 'patience'] as const;

function checkConfig(config: RunConfig): RunConfig {
  const bad = (msg: string): never => {
    throw new Error(`trainRun: config.${msg}`);
  };
  if (config === null || typeof config !== 'object') throw new Error('trainRun: config must be an object (RunConfig)');
  for (const k of Object.keys(config)) if (!(CONFIG_KEYS as readonly string[]).includes(k)) bad(`${k} is not a RunConfig key; allowed: ${CONFIG_KEYS.join(', ')}`);
  const posInt = (k: 'epochs' | 'batch') => (Number.isInteger(config[k]) && config[k] > 0) || bad(`${k} must be a positive integer; got ${String(config[k])}`);
  const nonNegInt = (k: 'seed' | 'patience') => (Number.isSafeInteger(config[k]) && config[k] >= 0) || bad(`${k} must be an integer >= 0; got ${String(config[k])}`);
  primaryMetric(config.task);
  if (typeof config.method !== 'string' || config.method === '') bad(`method must be an activation spec such as 'htaf' or 'relu'; got ${String(config.method)}`);
  if (!Array.isArray(config.hidden) || config.hidden.some((h) => !Number.isInteger(h) || h <= 0)) bad(`hidden must be an array of positive integers; got ${JSON.stringify(config.hidden)}`);
  posInt('epochs');
  posInt('batch');
  nonNegInt('seed');
  nonNegInt('patience');
  if (typeof config.lr !== 'number' || !Number.isFinite(config.lr) || config.lr <= 0) bad(`lr must be a finite number > 0; got ${String(config.lr)}`);
  if (config.optimizer !== 'adam' && config.optimizer !== 'sgd') bad(`optimizer must be 'adam' or 'sgd'; got ${JSON.stringify(config.optimizer)}`);
  // A plain copy: the run's own config, JSON-able and safe from later changes by the caller.
  return { task: config.task, method: config.method, hidden: [...config.hidden], epochs: config.epochs, lr: config.lr, optimizer: config.optimizer, batch: config.batch, seed: config.seed, patience: config.patience };
}

function checkData(data: TrainData, task: TaskKind): number {
  if (data === null || typeof data !== 'object') throw new Error('trainRun: data must be { train, val, test, preprocessor, classes }');
  const features = data.train?.features;
  for (const part of ['train', 'val', 'test'] as const) {
    const e = data[part];
    const where = `trainRun: data.${part}`;
    if (!e || !(e.x instanceof Float32Array) || !(e.y instanceof Float32Array)) throw new Error(`${where} must be an Encoded ({ x: Float32Array, y: Float32Array, rows, features })`);
    if (!Number.isInteger(e.rows) || e.rows < 1) throw new Error(`${where} has no rows; every split needs at least one`);
    if (!Number.isInteger(e.features) || e.features < 1) throw new Error(`${where} has no features (features = ${e.features})`);
    if (e.features !== features) throw new Error(`${where} has ${e.features} features but data.train has ${features}`);
    if (e.x.length !== e.rows * e.features) throw new Error(`${where}.x holds ${e.x.length} values, expected rows × features = ${e.rows} × ${e.features}`);
    if (e.y.length !== e.rows) throw new Error(`${where}.y holds ${e.y.length} values, expected one per row (${e.rows})`);
    if (task !== 'regression') {
      for (let i = 0; i < e.rows; i++) {
        const v = e.y[i];
        if (!Number.isInteger(v) || v < 0 || v >= data.classes) throw new Error(`${where}.y[${i}] is ${v}; ${task} targets must be class indices in [0, ${data.classes})`);
      }
    } else {
      for (let i = 0; i < e.rows; i++) if (!Number.isFinite(e.y[i])) throw new Error(`${where}.y[${i}] is ${e.y[i]}; regression targets must be finite`);
    }
  }
  if (task === 'binary' && data.classes !== 2) throw new Error(`trainRun: a binary task needs data.classes = 2; got ${data.classes}`);
  if (task === 'multiclass' && (!Number.isInteger(data.classes) || data.classes < 2)) throw new Error(`trainRun: a multiclass task needs data.classes >= 2; got ${data.classes}`);
  if (!data.preprocessor || typeof data.preprocessor.unscaleTarget !== 'function') throw new Error('trainRun: data.preprocessor must be the fitted Preprocessor (unscaleTarget, toJSON)');
  return features;
}

// ---- evaluation -----------------------------------------------------------------------------------

const EVAL_CHUNK = 8192;

/** The model's outputs on every row of x, in chunks, without gradients: rows × outFeatures, row-major. */
function predict(model: TabularMlp, x: Tensor): Float32Array {
  const rows = x.shape[0];
  const chunks: Float32Array[] = [];
  for (let start = 0; start < rows; start += EVAL_CHUNK) {
    const n = Math.min(EVAL_CHUNK, rows - start);
    chunks.push(tidy(() => noGrad(() => model.call(x.narrow(0, start, n)).contiguous().toTypedArray() as Float32Array)));
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Float32Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function metricsOf(task: TaskKind, out: Float32Array, e: Encoded, classes: number, pre: Preprocessor): Metrics {
  const n = e.rows;
  if (task === 'binary') {
    const predicted = new Float32Array(n);
    for (let i = 0; i < n; i++) predicted[i] = out[i] >= 0 ? 1 : 0;
    return { auroc: auroc(out, e.y), accuracy: accuracy(predicted, e.y) };
  }
  if (task === 'multiclass') {
    const k = classes;
    const probs = new Float64Array(n * k);
    const predicted = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      let arg = 0;
      for (let c = 0; c < k; c++) {
        const v = out[i * k + c];
        if (v > max) {
          max = v;
          arg = c;
        }
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += probs[i * k + c] = Math.exp(out[i * k + c] - max);
      for (let c = 0; c < k; c++) probs[i * k + c] /= sum;
      predicted[i] = arg;
    }
    return { accuracy: accuracy(predicted, e.y), auroc: macroAurocOvr(probs, e.y, k) };
  }
  const pred = new Float64Array(n);
  const target = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pred[i] = pre.unscaleTarget(out[i]);
    target[i] = pre.unscaleTarget(e.y[i]);
  }
  return { rmse: rmse(pred, target) };
}

function evaluate(model: TabularMlp, mode: StepMode, x: Tensor, e: Encoded, task: TaskKind, classes: number, pre: Preprocessor): Metrics {
  model.eval();
  try {
    return withStepMode(model, mode, () => metricsOf(task, predict(model, x), e, classes, pre));
  } finally {
    model.train();
  }
}

/** Binarity (docs/method.md §4) of the hidden activations on x with smooth steps; sign (±1) forms are mapped to 0/1 first. */
function hiddenBinarity(model: TabularMlp, x: Tensor): number {
  let binary = 0;
  let total = 0;
  const removers = model.activations.map((act) =>
    act.registerForwardHook((m, _inputs, output: Tensor) => {
      let v = output.toDtype('float32').contiguous().toTypedArray() as Float32Array;
      if (m instanceof BinaryActivation && m.signed) v = v.map((s) => (s + 1) / 2);
      if (v.length === 0) return;
      binary += binarityScore(v) * v.length;
      total += v.length;
    }),
  );
  try {
    model.eval();
    withStepMode(model, 'smooth', () => predict(model, x));
  } finally {
    model.train();
    for (const r of removers) r();
  }
  return total === 0 ? NaN : binary / total;
}

// ---- the run --------------------------------------------------------------------------------------

interface EpochRecord {
  epoch: number;
  trainLoss: number;
  val: Metrics;
}

/**
 * Trains a TabularMlp on encoded rows and reports its metrics (see the file header): an adapter over the
 * one fit loop (fit.ts) — batches by epochPermutation, the task's loss, selection on the primary
 * validation metric with exact steps.
 * @example const result = await trainRun(config, { train, val, test, preprocessor, classes: 2 }, { outDir: 'runs/churn' });
 */
export async function trainRun(config: RunConfig, data: TrainData, options: TrainRunOptions = {}): Promise<RunResult> {
  config = checkConfig(config);
  const features = checkData(data, config.task);
  const { task } = config;
  const metric = primaryMetric(task);
  const classes = task === 'regression' ? 1 : data.classes;
  const outFeatures = task === 'multiclass' ? classes : 1;
  const dataShape = { features, trainRows: data.train.rows, valRows: data.val.rows, testRows: data.test.rows, classes: task === 'regression' ? 0 : classes };
  const { outDir, resume = false } = options;
  if (resume && outDir === undefined) throw new Error('trainRun: resume needs outDir (where checkpoint.safetensors is)');
  if (outDir !== undefined) mkdirSync(outDir, { recursive: true });
  const runState = new RunState<RunConfig, EpochRecord>(outDir === undefined ? undefined : join(outDir, 'checkpoint.safetensors'), {
    owner: 'trainRun', kind: 'htaf-train-run', version: 1, config, configKeys: CONFIG_KEYS,
    fields: { data: dataShape, shuffle: { scheme: SHUFFLE_SCHEME, seed: config.seed } },
    mismatch: {
      data: (saved, now) => `it was trained on data shaped ${JSON.stringify(saved)}, now ${JSON.stringify(now)}`,
      shuffle: (saved) => `its batches were drawn by '${(saved as { scheme?: string } | undefined)?.scheme}', this version draws them by '${SHUFFLE_SCHEME}'`,
    },
  });

  const owned: Tensor[] = [];
  const keep = (t: Tensor) => (owned.push(t.keep()), t);
  const tensors = (e: Encoded) => {
    const x = keep(fromTypedArray(e.x, [e.rows, e.features]));
    const y = keep(tidy(() => (task === 'multiclass' ? fromTypedArray(e.y).toDtype('int64') : fromTypedArray(e.y, [e.rows, 1]))));
    return { x, y };
  };
  let model: TabularMlp | undefined;
  let optimizer: Adam | SGD | undefined;
  try {
    manualSeed(config.seed);
    const m = (model = new TabularMlp(features, config.hidden, outFeatures, config.method));
    optimizer = config.optimizer === 'adam' ? new Adam(m.parameters(), { lr: config.lr }) : new SGD(m.parameters(), { lr: config.lr });
    const train = tensors(data.train);
    const val = tensors(data.val);
    const test = tensors(data.test);
    const bestPath = outDir === undefined ? undefined : join(outDir, 'best.safetensors');

    const n = data.train.rows;
    const lossOf = (out: Tensor, y: Tensor): Tensor =>
      task === 'binary' ? binaryCrossEntropyWithLogits(out, y) : task === 'multiclass' ? crossEntropy(out, y) : mseLoss(out, y);
    const { state } = await fit<Int32Array, EpochRecord>({
      model: m, optimizer, epochs: config.epochs, runState, resume,
      select: { higherIsBetter: metric.higherIsBetter, patience: config.patience },
      *batches(epoch) {
        const perm = epochPermutation(n, config.seed, epoch);
        for (let start = 0; start < n; start += config.batch) yield perm.subarray(start, Math.min(n, start + config.batch));
      },
      forward(rows) {
        const idx = fromTypedArray(rows, undefined, { dtype: 'int64' });
        return { loss: lossOf(m.call(train.x.indexSelect(0, idx)), train.y.indexSelect(0, idx)), rows: rows.length };
      },
      evaluate(t) {
        const valMetrics = evaluate(m, 'exact', val.x, data.val, task, classes, data.preprocessor);
        return { record: { epoch: t.epoch, trainLoss: t.lossSum / n, val: valMetrics }, value: valMetrics[metric.name] };
      },
      saveBest(weights, s) {
        if (bestPath === undefined) return;
        saveCheckpoint(bestPath, {
          model: weights,
          meta: { epoch: s.bestEpoch, metric: metric.name, value: s.best, config, preprocessor: data.preprocessor.toJSON(), classes: dataShape.classes, features },
        });
      },
      hooks: {
        afterBackward: options.onBatch && ((_rows, epoch, step) => options.onBatch!({ model: m, epoch, step })),
        epochDone: options.onEpoch && (({ epoch, record }) => options.onEpoch!({ epoch, epochs: config.epochs, trainLoss: record.trainLoss, val: record.val })),
      },
    });

    // The reported model: the best epoch's weights (fit left them in the model).
    const evalBoth = (x: Tensor, e: Encoded) => ({
      exact: evaluate(m, 'exact', x, e, task, classes, data.preprocessor),
      smooth: evaluate(m, 'smooth', x, e, task, classes, data.preprocessor),
    });
    const fitted = performance.now();
    const valResult = evalBoth(val.x, data.val);
    const testResult = evalBoth(test.x, data.test);
    const binarity = hiddenBinarity(m, test.x);
    const result: RunResult = {
      config,
      bestEpoch: state.bestEpoch,
      epochsRun: state.epoch,
      val: valResult,
      test: testResult,
      binarity,
      seconds: state.seconds + (performance.now() - fitted) / 1000, // fit's seconds (every session) and the evaluation's
    };
    if (state.stoppedOnNaN) result.stoppedOnNaN = { epoch: state.stoppedOnNaN.epoch };
    return result;
  } finally {
    optimizer?.dispose();
    model?.dispose();
    for (const t of owned) t.dispose();
  }
}

/** A one-line explanation of a NaN stop, for logs and CLIs. */
export function nanStopMessage(result: RunResult): string | undefined {
  if (!result.stoppedOnNaN) return undefined;
  const kept = result.bestEpoch === 0 ? 'the initial weights (no epoch finished)' : `the best weights (epoch ${result.bestEpoch})`;
  return `training stopped at epoch ${result.stoppedOnNaN.epoch}: the training loss became NaN or infinite (lr ${result.config.lr} may be too high); reporting ${kept}`;
}
