// Gradient studies of the paper's Appendix F.2 (docs/method.md §5): train an MLP per activation (and per
// architecture) and record, per hidden layer and epoch, the mean L2 norm of the gradient of the loss
// with respect to that layer's pre-activations (the output of its Linear, before the activation), and
// the training loss. Figure 7 plots them; Table 7 says, per architecture and method, whether the first
// hidden layer's gradient vanished (fell under a threshold; the paper's value is lost, ours is 1e-6).
//
// Definition (one, used everywhere: tables, figures, the vanishing test). For a batch of B rows, the
// loss is the batch mean of per-row losses, so row i of G = ∂loss/∂z (z: a layer's pre-activations,
// B × width) is (1/B)·∂ℓᵢ/∂zᵢ: rows do not interact in an MLP without batch norm. We report
//   norm(layer, epoch) = mean over the epoch's training rows i of ‖∂ℓᵢ/∂zᵢ‖₂ = mean over rows of B·‖Gᵢ‖₂,
// the average per-example gradient norm: it does not depend on the batch size (‖G‖_F would shrink like
// 1/√B, a mean-loss row like 1/B), and a last, smaller batch weighs by its rows. Norms are taken in
// float64 from the float32 gradient; a gradient that underflowed to exactly 0 gives norm 0 and
// log10 = -Infinity (null in JSON), which counts as vanishing. Logarithms are base 10.
//
// Training goes through the one fit loop (fit.ts): the probe sits on its per-batch hooks, and with
// checkpointDir each run checkpoints through the run state and resumes exactly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Adam } from '../optim/index.js';
import { TabularMlp } from '../models/index.js';
import { binaryCrossEntropyWithLogits, crossEntropy, mseLoss } from '../tensor/functions.generated.js';
import { canonicalActivationSpec } from '../activations/index.js';
import { fromTypedArray } from '../tensor/creation.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import { manualSeed } from '../core/runtime.js';
import { tidy } from '../core/scope.js';
import type { Linear, Module } from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { mulberry32, randomPermutation } from '../data/random.js';
import { fit } from './fit.js';
import { RunState } from './run_state.js';
import type { Encoded, TaskKind } from '../data/tabular_types.js';

/** The paper's threshold for "vanishing" is lost (docs/method.md §5); ours. */
export const DEFAULT_VANISHING_THRESHOLD = 1e-6;

/** Figure 7's methods: three HTAF pairs with αβ = 22, ReLU, and SS with γ = 22. */
export const FIGURE7_METHODS: readonly string[] = ['htaf:alpha=2,beta=11', 'htaf:alpha=8,beta=2.75', 'htaf:alpha=11,beta=2', 'relu', 'ss:gamma=22'];

/** Figure 7's network (Appendix F.2.1). */
export const FIGURE7_HIDDEN: readonly number[] = [256, 256, 128];

/**
 * Table 7's architectures. The paper's seven rows lost their sizes in extraction; it says five hidden
 * layers is where HTAF starts to vanish, and that the last row is the one where it does. Ours: three
 * to five hidden layers of 128 to 1024 units, 256-256-128 first and the five-layer net last.
 */
export const TABLE7_ARCHITECTURES: readonly (readonly number[])[] = [
  [256, 256, 128],
  [512, 512, 256],
  [1024, 512, 256],
  [128, 128, 128, 128],
  [256, 256, 256, 256],
  [512, 256, 256, 128],
  [256, 256, 256, 256, 256],
];

export const GRADIENT_NORM_DEFINITION =
  'norm = mean over training rows of the L2 norm of the gradient of that row\'s loss with respect to the layer\'s pre-activations ' +
  '(the Linear output before the activation), per epoch; log = log10';

/** What the study needs of a model: a Module whose hidden Linears are `linears[0 .. hidden.length - 1]`. */
export interface MlpLike extends Module {
  readonly linears: readonly Linear[];
}

/** Builds the network of one run (default: TabularMlp). */
export type MlpFactory = (inFeatures: number, hidden: number[], outFeatures: number, activation: string) => MlpLike;

export const defaultMlpFactory: MlpFactory = (inFeatures, hidden, outFeatures, activation) =>
  new TabularMlp(inFeatures, hidden, outFeatures, activation);

export interface GradientStudyConfig {
  task: TaskKind;
  /** Output units: 1 for binary and regression, the number of classes for multiclass. */
  outFeatures: number;
  hidden: number[];
  /** Activation specs (src/activations registry), one run each. */
  methods: string[];
  epochs: number;
  /** Adam's learning rate (default 1e-3). */
  lr: number;
  batch: number;
  seed: number;
  /** A run is "vanishing" when its first hidden layer's norm falls under this at some epoch. */
  threshold: number;
}

export interface EpochGradients {
  epoch: number;
  /** Per hidden layer (input side first): mean per-example L2 norm of ∂loss/∂pre-activation. */
  norms: number[];
  /** Mean training loss over the epoch's rows (with the smooth activations the model trains with). */
  loss: number;
}

export interface MethodGradients {
  /** Canonical activation spec. */
  method: string;
  hidden: number[];
  epochs: EpochGradients[];
  /** Some epoch's first-layer norm was under the threshold (or exactly 0). */
  vanishing: boolean;
  /** The first such epoch, or null. */
  vanishingEpoch: number | null;
  /** Smallest first-layer norm over the epochs. */
  minFirstLayerNorm: number;
  /**
   * Set when the training loss became NaN/Inf (no step is taken on it; the epoch is not recorded) or a
   * norm became NaN (that epoch is recorded): training stopped there.
   */
  stoppedOnNaN?: { epoch: number };
  seconds: number;
}

export interface GradientStudyResult {
  threshold: number;
  definition: string;
  config: GradientStudyConfig;
  runs: MethodGradients[];
}

export interface GradientStudyOptions {
  factory?: MlpFactory;
  /** Called after every epoch of every run (progress). */
  onEpoch?: (method: string, e: EpochGradients) => void;
  /** Called after every run (progress); `run.hidden` names the architecture. */
  onRun?: (run: MethodGradients) => void;
  /**
   * Checkpoint every run after each epoch under this folder (one subfolder per architecture and method,
   * through the fit loop's run state), so that `resume` continues an interrupted study exactly.
   */
  checkpointDir?: string;
  /** Continue the runs checkpointed in checkpointDir (needs it). */
  resume?: boolean;
}

/** The checkpoint folder of one run of a study: architecture and method, file-name safe. */
export function gradientRunDir(checkpointDir: string, hidden: readonly number[], method: string): string {
  return join(checkpointDir, `${hidden.join('-')}_${method.replace(/[^A-Za-z0-9.=-]+/g, '_')}`);
}

const CONFIG_KEYS = ['task', 'outFeatures', 'hidden', 'methods', 'epochs', 'lr', 'batch', 'seed', 'threshold'] as const;

// ---- probe ---------------------------------------------------------------------------------------

/**
 * Captures the pre-activations of some Linear layers during one training step and, after backward,
 * sums per-example gradient norms. Usage, inside one step's tidy: `probe.arm()`, forward, backward,
 * `probe.read(batchRows)`; `probe.remove()` when done. Captured outputs are kept (so the model's own
 * scopes do not free them before backward) and disposed by read()/disarm().
 */
export class PreactivationProbe {
  readonly #captured: (Tensor | null)[];
  readonly #removers: (() => void)[] = [];
  #armed = false;

  constructor(layers: readonly Module[]) {
    this.#captured = layers.map(() => null);
    layers.forEach((layer, i) => {
      this.#removers.push(layer.registerForwardHook((_m, _inputs, output: Tensor) => {
        if (!this.#armed || !isGradEnabled() || !output.requiresGrad) return;
        this.#captured[i]?.dispose();
        output.retainGrad();
        this.#captured[i] = output.keep();
      }));
    });
  }

  get layers(): number {
    return this.#captured.length;
  }

  /** Start capturing (the next forward's pre-activations). */
  arm(): void {
    this.disarm();
    this.#armed = true;
  }

  /** Stop capturing and free what was captured. */
  disarm(): void {
    this.#armed = false;
    for (let i = 0; i < this.#captured.length; i++) {
      this.#captured[i]?.dispose();
      this.#captured[i] = null;
    }
  }

  /**
   * After backward: per layer, the sum over the batch's rows of ‖∂ℓᵢ/∂zᵢ‖₂ = rows·‖Gᵢ‖₂ (G: the
   * gradient of the batch-mean loss). Divide by the rows seen to get the mean. Disarms.
   */
  read(rows: number): number[] {
    try {
      const sums = this.#captured.map((t, i) => {
        if (t === null) throw new Error(`gradient probe: layer ${i + 1}'s pre-activation was not captured (forward not run since arm(), or under noGrad)`);
        return tidy(() => {
          const g = t.grad;
          if (g === null) throw new Error(`gradient probe: layer ${i + 1}'s pre-activation has no gradient (backward not run?)`);
          return (g.toDtype('float64').square().sum([1]).sqrt().sum().item() as number) * rows;
        });
      });
      return sums;
    } finally {
      this.disarm();
    }
  }

  /** Removes the hooks and frees anything captured. */
  remove(): void {
    this.disarm();
    for (const r of this.#removers.splice(0)) r();
  }
}

// ---- training --------------------------------------------------------------------------------------

function checkConfig(c: GradientStudyConfig, data: Encoded): void {
  const bad = (what: string) => {
    throw new Error(`gradient study: ${what}`);
  };
  if (!['binary', 'multiclass', 'regression'].includes(c.task)) bad(`task must be binary, multiclass or regression, got '${c.task}'`);
  if (!Number.isInteger(c.outFeatures) || c.outFeatures < 1) bad(`outFeatures must be a positive integer, got ${c.outFeatures}`);
  if (c.hidden.length === 0 || c.hidden.some((h) => !Number.isInteger(h) || h < 1)) bad(`hidden must be a non-empty list of positive integers, got [${c.hidden.join(', ')}]`);
  if (c.methods.length === 0) bad('methods is empty');
  if (!Number.isInteger(c.epochs) || c.epochs < 1) bad(`epochs must be a positive integer, got ${c.epochs}`);
  if (!Number.isInteger(c.batch) || c.batch < 1) bad(`batch must be a positive integer, got ${c.batch}`);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) bad(`lr must be a number > 0, got ${c.lr}`);
  if (!(c.threshold > 0 && Number.isFinite(c.threshold))) bad(`threshold must be a number > 0, got ${c.threshold}`);
  if (!Number.isInteger(c.seed) || c.seed < 0) bad(`seed must be an integer >= 0, got ${c.seed}`);
  if (data.rows < 1 || data.features < 1) bad(`the training data has ${data.rows} rows and ${data.features} features`);
  if (data.x.length !== data.rows * data.features || data.y.length !== data.rows) bad('the training data\'s arrays do not match its rows and features');
}

/**
 * Trains one network with one activation and records its gradient norms and loss per epoch: an adapter
 * over the one fit loop (fit.ts), the probe on its per-batch hooks, no model selection.
 */
export async function trainWithGradientProbe(
  data: Encoded, config: GradientStudyConfig, method: string, options: GradientStudyOptions = {},
): Promise<MethodGradients> {
  checkConfig(config, data);
  const spec = canonicalActivationSpec(method);
  const started = performance.now();
  const hidden = [...config.hidden];
  // Same seed per run: every method starts from the same weights (same shapes draw the same numbers).
  manualSeed(config.seed);
  const model = (options.factory ?? defaultMlpFactory)(data.features, hidden, config.outFeatures, spec);
  const probe = new PreactivationProbe(model.linears.slice(0, hidden.length));
  const optimizer = new Adam([...model.parameters()], { lr: config.lr });
  const x = fromTypedArray(data.x, [data.rows, data.features]).keep();
  const y = (config.task === 'multiclass'
    ? fromTypedArray(data.y, [data.rows]).toDtype('int64')
    : fromTypedArray(data.y, [data.rows, 1])).keep();
  const lossOf = (out: Tensor, target: Tensor): Tensor =>
    config.task === 'binary' ? binaryCrossEntropyWithLogits(out, target) : config.task === 'multiclass' ? crossEntropy(out, target) : mseLoss(out, target);
  // The batch order: one stream over the epochs, the same for every method of a study. A resumed run
  // draws (and drops) the orders of the epochs it already ran, so the stream is where it was.
  const random = mulberry32(config.seed);
  let drawn = 0;
  if (options.resume && options.checkpointDir === undefined) throw new Error('gradient study: resume needs checkpointDir');
  const dir = options.checkpointDir === undefined ? undefined : gradientRunDir(options.checkpointDir, hidden, spec);
  if (dir !== undefined) mkdirSync(dir, { recursive: true });
  const runState = dir === undefined ? undefined : new RunState<GradientStudyConfig & { method: string }, EpochGradients>(join(dir, 'checkpoint.safetensors'), {
    owner: 'gradient study', kind: 'htaf-gradient-run', version: 1, config: { ...config, hidden, method: spec }, configKeys: [...CONFIG_KEYS, 'method'],
    fields: { data: { rows: data.rows, features: data.features } },
    mismatch: { data: (saved, now) => `it was trained on data shaped ${JSON.stringify(saved)}, now ${JSON.stringify(now)}` },
  });
  let sums: number[] = [];
  let stoppedOnNaN: { epoch: number } | undefined;
  let epochs: EpochGradients[] = [];
  try {
    const { state } = await fit<Int32Array, EpochGradients>({
      model, optimizer, epochs: config.epochs, runState, resume: options.resume,
      *batches(epoch) {
        for (; drawn < epoch - 1; drawn++) randomPermutation(data.rows, random);
        const order = randomPermutation(data.rows, random);
        drawn = epoch;
        for (let start = 0; start < data.rows; start += config.batch) yield order.subarray(start, start + Math.min(config.batch, data.rows - start));
      },
      forward(rows) {
        const index = fromTypedArray(rows, [rows.length]).toDtype('int64');
        return { loss: lossOf(model.call(x.indexSelect(0, index)), y.indexSelect(0, index)), rows: rows.length };
      },
      evaluate(t) {
        const norms = sums.map((s) => s / data.rows);
        return { record: { epoch: t.epoch, norms, loss: t.lossSum / data.rows }, stopOnNaN: norms.some((v) => Number.isNaN(v)) };
      },
      hooks: {
        epochStart: () => (sums = new Array<number>(hidden.length).fill(0)),
        beforeForward: () => probe.arm(),
        afterBackward: (rows) => probe.read(rows.length).forEach((v, i) => (sums[i] += v)),
        batchEnd: () => probe.disarm(),
        epochDone: ({ record }) => options.onEpoch?.(spec, record),
      },
    });
    epochs = state.history;
    if (state.stoppedOnNaN) stoppedOnNaN = { epoch: state.stoppedOnNaN.epoch };
  } finally {
    probe.remove();
    optimizer.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
  }
  const first = epochs.map((e) => e.norms[0]);
  const vanishingIndex = first.findIndex((v) => v < config.threshold);
  const finite = first.filter((v) => !Number.isNaN(v));
  const result: MethodGradients = {
    method: spec,
    hidden,
    epochs,
    vanishing: vanishingIndex >= 0,
    vanishingEpoch: vanishingIndex >= 0 ? epochs[vanishingIndex].epoch : null,
    minFirstLayerNorm: finite.length ? Math.min(...finite) : NaN,
    ...(stoppedOnNaN ? { stoppedOnNaN } : {}),
    seconds: (performance.now() - started) / 1000,
  };
  options.onRun?.(result);
  return result;
}

/** Figure 7's study: one run per method on `data` (the training rows), same initial weights and batch order. */
export async function gradientStudy(data: Encoded, config: GradientStudyConfig, options: GradientStudyOptions = {}): Promise<GradientStudyResult> {
  checkConfig(config, data);
  const methods = config.methods.map((m) => canonicalActivationSpec(m));
  const runs: MethodGradients[] = [];
  for (const m of methods) runs.push(await trainWithGradientProbe(data, config, m, options));
  return { threshold: config.threshold, definition: GRADIENT_NORM_DEFINITION, config: { ...config, methods }, runs };
}

// ---- Table 7 ---------------------------------------------------------------------------------------

export interface VanishingTable {
  threshold: number;
  definition: string;
  methods: string[];
  architectures: number[][];
  /** cells[a][m]: the run of architecture a with method m. */
  cells: MethodGradients[][];
}

/** Table 7: every architecture × every method. */
export async function vanishingStudy(
  data: Encoded, config: Omit<GradientStudyConfig, 'hidden'>, architectures: readonly (readonly number[])[], options: GradientStudyOptions = {},
): Promise<VanishingTable> {
  if (architectures.length === 0) throw new Error('gradient study: architectures is empty');
  const studies: GradientStudyResult[] = [];
  for (const hidden of architectures) studies.push(await gradientStudy(data, { ...config, hidden: [...hidden] }, options));
  return {
    threshold: config.threshold,
    definition: GRADIENT_NORM_DEFINITION,
    methods: studies[0].config.methods,
    architectures: architectures.map((a) => [...a]),
    cells: studies.map((s) => s.runs),
  };
}
