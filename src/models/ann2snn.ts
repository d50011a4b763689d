// ANN-to-SNN conversion, the baseline of the paper's Appendix E: a trained ReLU network run as a
// rate-coded network of integrate-and-fire neurons over T time steps.
//
//   calibration  each ReLU's threshold θ = a high percentile (default 99.9 %) of its outputs over some
//                training batches ("data-based normalization", Diehl et al. 2015; the robust percentile
//                of Rueckauer et al. 2017). The percentile is numpy's / torch.quantile's default
//                ('linear'): over the N outputs sorted ascending a[0..N−1], position q·(N−1) with
//                q = percentile/100, interpolated between its two neighbours. 100 is the maximum (max-norm).
//                It is exact over all outputs: a first pass counts them, a second keeps only the top
//                N − floor(q·(N−1)) values of each ReLU.
//   neurons      every ReLU becomes an IF neuron (if_neuron.ts) with threshold θ and reset by subtraction,
//                emitting θ per spike: its average output over T steps approaches clamp(x, 0, θ), the
//                ReLU clipped at θ. Emitting θ, rather than 1 and rescaling the next layer's weights by θ
//                as Diehl et al. write it, is the same network (threshold balancing) without touching a
//                weight.
//   input        direct: the image is the input current at every step (no Poisson spikes).
//   output       the logits averaged over the T steps; the prediction is their argmax.
// Everything between two ReLUs must be linear in inference (conv, linear, batch norm in eval mode,
// average pooling, residual additions), as in the ResNets and WideResNets built with activation 'relu'.
// Max pooling of spike trains is not rate-exact (it passes the larger spike, not the larger rate); a
// model keeps it as it is, which costs some accuracy. Other non-linear activations (GELU, sigmoid,
// binary steps...) are refused.
//
// The ReLUs are found by walking the module tree (instanceof ReLU: the modules activationFactory('relu')
// and nn.ReLU build) and must be called through call(). A ReLU module called at several places in one
// forward (torchvision's BasicBlock reuses its relu) gets one neuron and one threshold per call site.
//
// The original model is not modified: no weight, buffer or module is replaced. The conversion works
// through forward hooks on the ReLUs (a hook's return value replaces the ReLU's output), installed only
// while the converter runs the model and removed afterwards, also on an error; the model runs in eval
// mode without gradients meanwhile, and each module's training flag is restored after.
import { BinaryActivation } from '../activations/index.js';
import { GELU, LeakyReLU, Module, ReLU, SiLU, Sigmoid, Tanh } from '../nn/index.js';
import { Tensor } from '../tensor/tensor.js';
import { cat } from '../tensor/functions.generated.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tidy } from '../core/scope.js';
import { showValue } from '../core/show.js';
import { checkOptionsObject } from '../core/options.js';
import { finiteNumber, positiveInt } from './bnn_snn_options.js';
import { IFNode } from './if_neuron.js';

export interface ConvertOptions {
  /** The percentile (in percent, in (0, 100]) of each ReLU's outputs taken as its threshold (default 99.9). */
  percentile?: number;
  /** The membrane potential at the first step, as a fraction of the threshold, in [0, 1] (default 0). */
  initialMembrane?: number;
}

/** One converted ReLU call site. */
export interface SnnSite {
  /** The ReLU module's dotted path in the model. */
  readonly path: string;
  /** Which call of that module in one forward pass (0 unless the module is reused). */
  readonly call: number;
  /** The IF threshold θ: the percentile of this site's outputs over the calibration data. */
  readonly threshold: number;
  /** How many outputs the percentile was taken over. */
  readonly count: number;
}

export interface SnnAccuracy {
  /** Time steps. */
  T: number;
  /** Top-1 accuracy of the argmax of the logits averaged over T steps. */
  accuracy: number;
  /** Seconds of simulation over all batches for T steps (the T-step run is a prefix of the longest). */
  seconds: number;
}

/** A calibration or evaluation batch: images, or a batch object holding them as x (ImageBatch). */
export type SnnInput = Tensor | { readonly x: Tensor };
export type LabelledBatch = { readonly x: Tensor; readonly y: Tensor };

const OTHER_NONLINEAR = [GELU, SiLU, Sigmoid, Tanh, LeakyReLU, BinaryActivation];

interface Site extends SnnSite {
  readonly neuron: IFNode;
}

/** Runs fn on the model in eval mode without gradients, with each module's training flag restored after. */
function inEval<T>(model: Module, fn: () => T): T {
  const flags = [...model.modules()].map((m) => [m, m.training] as const);
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    for (const [m, training] of flags) m.training = training;
  }
}

/**
 * Calls `onCall(module, site index, input, output)` for every call of each ReLU while fn runs; a
 * non-undefined return replaces the output. Counts the calls per forward (resetCalls starts a forward).
 */
function withReluHooks<T>(
  relus: ReadonlyArray<readonly [string, ReLU]>,
  onCall: (relu: ReLU, call: number, input: Tensor, output: Tensor) => Tensor | void,
  fn: (resetCalls: () => void, callsPerModule: () => number[]) => T,
): T {
  const calls = new Map<ReLU, number>(relus.map(([, r]) => [r, 0]));
  const removers = relus.map(([, relu]) =>
    relu.registerForwardHook((_m, inputs, output) => {
      const k = calls.get(relu)!;
      calls.set(relu, k + 1);
      return onCall(relu, k, inputs[0] as Tensor, output as Tensor);
    }),
  );
  try {
    return fn(
      () => {
        for (const key of calls.keys()) calls.set(key, 0);
      },
      () => relus.map(([, r]) => calls.get(r)!),
    );
  } finally {
    for (const remove of removers) remove();
  }
}

function imagesOf(where: string, item: unknown, i: number): Tensor {
  const x = item instanceof Tensor ? item : item !== null && typeof item === 'object' && (item as { x?: unknown }).x instanceof Tensor ? (item as { x: Tensor }).x : null;
  if (!x) throw new Error(`${where}: batch ${i} must be a Tensor of images or an object with x (a Tensor); got ${showValue(item)}`);
  if (x.isDisposed) throw new Error(`${where}: batch ${i} is a disposed tensor`);
  return x;
}

/** The ReLU modules of a model; refuses a model with other non-linear activations or without ReLUs. */
function findRelus(model: Module): Array<[string, ReLU]> {
  const relus: Array<[string, ReLU]> = [];
  const others: string[] = [];
  for (const [path, m] of model.namedModules()) {
    if (m instanceof ReLU) relus.push([path, m]);
    else if (OTHER_NONLINEAR.some((type) => m instanceof type)) others.push(`${path || '(model)'} (${m.constructor.name})`);
  }
  if (others.length) throw new Error(`convertToSnn: only ReLU networks convert; ${model.constructor.name} also has ${others.join(', ')}`);
  if (relus.length === 0) throw new Error(`convertToSnn: ${model.constructor.name} has no ReLU module (build it with activation 'relu'; a ReLU applied as a function cannot be found)`);
  return relus;
}

/** The percentile by linear interpolation, from the top values sorted descending (top[0] the largest) of n values. */
function percentileFromTop(top: readonly number[], n: number, q: number): number {
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const a = (i: number) => top[n - 1 - i];
  return a(lo) + (pos - lo) * (a(hi) - a(lo));
}

/**
 * Converts a trained ReLU network to a rate-coded IF network (see the header): calibrates one threshold
 * per ReLU call site on the calibration batches (images [B, ...] or { x } batches). The model is not
 * modified.
 */
export function convertToSnn(model: Module, calibrationBatches: Iterable<SnnInput>, options: ConvertOptions = {}): ConvertedSnn {
  if (!(model instanceof Module)) throw new Error(`convertToSnn: model must be a Module; got ${showValue(model)}`);
  const o = checkOptionsObject('convertToSnn', options, ['percentile', 'initialMembrane']);
  const percentile = finiteNumber('convertToSnn', 'percentile', o.percentile ?? 99.9);
  if (!(percentile > 0 && percentile <= 100)) throw new Error(`convertToSnn: percentile must be in (0, 100]; got ${percentile}`);
  const initialMembrane = finiteNumber('convertToSnn', 'initialMembrane', o.initialMembrane ?? 0);
  if (initialMembrane < 0 || initialMembrane > 1) throw new Error(`convertToSnn: initialMembrane must be in [0, 1] (a fraction of the threshold); got ${initialMembrane}`);
  if (calibrationBatches === null || typeof (calibrationBatches as any)?.[Symbol.iterator] !== 'function') {
    throw new Error(`convertToSnn: calibrationBatches must be an array or iterable of image batches; got ${showValue(calibrationBatches)}`);
  }
  const batches = [...calibrationBatches].map((b, i) => imagesOf('convertToSnn', b, i));
  if (batches.length === 0) throw new Error('convertToSnn: calibrationBatches is empty; give at least one batch of training images');
  const relus = findRelus(model);
  const q = percentile / 100;

  // Pass 1: the number of outputs of each call site (module index → counts per call).
  const counts: number[][] = relus.map(() => []);
  const index = new Map<ReLU, number>(relus.map(([, r], i) => [r, i]));
  let callsFirst: number[] | null = null;
  inEval(model, () =>
    withReluHooks(
      relus,
      (relu, call, _x, out) => {
        const c = counts[index.get(relu)!];
        c[call] = (c[call] ?? 0) + out.numel();
      },
      (reset, perModule) => {
        batches.forEach((x, b) => {
          reset();
          tidy(() => void model.call(x));
          const calls = perModule();
          if (callsFirst === null) callsFirst = calls;
          else if (calls.some((n, i) => n !== callsFirst![i])) {
            throw new Error(`convertToSnn: the ReLUs were called a different number of times on batch ${b} than on batch 0 ([${calls.join(', ')}] vs [${callsFirst.join(', ')}]); conversion needs a fixed network`);
          }
        });
      },
    ),
  );
  if (callsFirst!.every((n) => n === 0)) {
    throw new Error(`convertToSnn: none of the ${relus.length} ReLU modules of ${model.constructor.name} ran through call() in forward; they cannot be converted`);
  }

  // Pass 2: the top values each site needs for its percentile, merged batch by batch.
  const need = counts.map((c) => c.map((n) => n - Math.floor(q * (n - 1))));
  const tops: (Tensor | null)[][] = counts.map((c) => c.map(() => null));
  try {
    inEval(model, () =>
      withReluHooks(
        relus,
        (relu, call, _x, out) => {
          const i = index.get(relu)!;
          const k = need[i][call];
          const values = out.detach().flatten();
          const batchTop = values.topk(Math.min(k, values.numel()))[0];
          const prev = tops[i][call];
          const merged = prev ? cat([prev, batchTop]) : batchTop;
          const kept = merged.topk(Math.min(k, merged.numel()))[0].keep();
          prev?.dispose();
          tops[i][call] = kept;
        },
        (reset) => {
          for (const x of batches) {
            reset();
            tidy(() => void model.call(x));
          }
        },
      ),
    );
    const sites: Site[] = [];
    relus.forEach(([path], i) =>
      counts[i].forEach((n, call) => {
        const threshold = percentileFromTop(tops[i][call]!.toFlatArray(), n, q);
        if (!Number.isFinite(threshold)) throw new Error(`convertToSnn: the outputs of ReLU '${path}' (call ${call}) on the calibration data give a threshold of ${threshold}; the model's outputs are not finite`);
        sites.push({ path, call, threshold, count: n, neuron: new IFNode({ vThreshold: threshold, vReset: null, method: 'heaviside' }) });
      }),
    );
    return new ConvertedSnn(model, relus, sites, percentile, initialMembrane);
  } finally {
    for (const row of tops) for (const t of row) t?.dispose();
  }
}

/** A ReLU network run as a rate-coded IF network; made by convertToSnn. */
export class ConvertedSnn {
  /** The original network (unmodified). */
  readonly model: Module;
  /** The percentile the thresholds are. */
  readonly percentile: number;
  /** The initial membrane potential, as a fraction of each threshold. */
  readonly initialMembrane: number;
  readonly #relus: ReadonlyArray<readonly [string, ReLU]>;
  readonly #sites: readonly Site[];
  readonly #byModule: Map<ReLU, Site[]>;

  /** @internal use convertToSnn */
  constructor(model: Module, relus: ReadonlyArray<readonly [string, ReLU]>, sites: readonly Site[], percentile: number, initialMembrane: number) {
    this.model = model;
    this.#relus = relus;
    this.#sites = sites;
    this.percentile = percentile;
    this.initialMembrane = initialMembrane;
    this.#byModule = new Map();
    for (const [path, relu] of relus) this.#byModule.set(relu, sites.filter((s) => s.path === path));
  }

  /** Each converted ReLU call site, in model order, with its threshold. */
  get sites(): SnnSite[] {
    return this.#sites.map(({ path, call, threshold, count }) => ({ path, call, threshold, count }));
  }

  /**
   * Simulates max(Ts) steps on images x and returns the logits averaged over the first T steps for each
   * T in Ts ([B, classes] each, in Ts's order; owned by the current scope). `onStep(t)` is called after
   * each step t = 1..max(Ts) (timing).
   */
  simulate(x: Tensor, Ts: readonly number[], onStep?: (t: number) => void): Tensor[] {
    imagesOf('ConvertedSnn.simulate', x, 0);
    const steps = checkTs('ConvertedSnn.simulate', Ts);
    const horizon = Math.max(...steps);
    const potentials = new Map<Site, Tensor>();
    const sums = new Map<number, Tensor>();
    let total: Tensor | null = null;
    try {
      inEval(this.model, () =>
        withReluHooks(
          this.#relus,
          (relu, call, input) => {
            const site = this.#byModule.get(relu)![call];
            if (!site) throw new Error(`ConvertedSnn: ReLU '${this.#relus.find(([, r]) => r === relu)![0]}' was called more often than during calibration`);
            let v = potentials.get(site);
            if (!v) v = site.neuron.initialPotential(input).add(this.initialMembrane * site.threshold);
            const r = site.neuron.step(input, v);
            potentials.get(site)?.dispose();
            potentials.set(site, r.v.keep());
            return r.spike.mul(site.threshold);
          },
          (reset) => {
            for (let t = 1; t <= horizon; t++) {
              reset();
              const next: Tensor = tidy(() => {
                const logits = this.model.call(x) as Tensor;
                return total ? total.add(logits) : logits.clone();
              }).keep();
              total?.dispose();
              total = next;
              if (steps.includes(t)) sums.set(t, tidy(() => next.clone()).keep());
              onStep?.(t);
            }
          },
        ),
      );
      return steps.map((T) => sums.get(T)!.div(T));
    } finally {
      for (const v of potentials.values()) v.dispose();
      for (const s of sums.values()) s.dispose();
      (total as Tensor | null)?.dispose();
    }
  }

  /** The logits averaged over T steps on images x: [B, classes] (the prediction is their argmax). */
  evaluate(x: Tensor, T: number): Tensor {
    return this.simulate(x, [positiveInt('ConvertedSnn.evaluate', 'T', T)])[0];
  }

  /** Top-1 accuracy and simulation time for each T in Ts over labelled batches ({ x, y }, y int64 labels). */
  accuracyOverT(batches: Iterable<LabelledBatch>, Ts: readonly number[]): SnnAccuracy[] {
    const steps = checkTs('ConvertedSnn.accuracyOverT', Ts);
    const correct = steps.map(() => 0);
    const seconds = steps.map(() => 0);
    let images = 0;
    let i = 0;
    for (const batch of batches) {
      const { x, y } = labelled('ConvertedSnn.accuracyOverT', batch, i++);
      const start = process.hrtime.bigint();
      tidy(() => {
        const logits = this.simulate(x, steps, (t) => {
          steps.forEach((T, k) => {
            if (T === t) seconds[k] += Number(process.hrtime.bigint() - start) / 1e9;
          });
        });
        logits.forEach((l, k) => (correct[k] += l.argmax(1).eq(y).sum().item() as number));
      });
      images += x.shape[0];
    }
    if (images === 0) throw new Error('ConvertedSnn.accuracyOverT: batches is empty');
    return steps.map((T, k) => ({ T, accuracy: correct[k] / images, seconds: seconds[k] }));
  }

  /** The original ReLU network's top-1 accuracy and inference seconds on the same batches (eval mode). */
  annAccuracy(batches: Iterable<LabelledBatch>): { accuracy: number; seconds: number } {
    let correct = 0;
    let images = 0;
    let seconds = 0;
    let i = 0;
    for (const batch of batches) {
      const { x, y } = labelled('ConvertedSnn.annAccuracy', batch, i++);
      const start = process.hrtime.bigint();
      correct += inEval(this.model, () => tidy(() => (this.model.call(x) as Tensor).argmax(1).eq(y).sum().item() as number));
      seconds += Number(process.hrtime.bigint() - start) / 1e9;
      images += x.shape[0];
    }
    if (images === 0) throw new Error('ConvertedSnn.annAccuracy: batches is empty');
    return { accuracy: correct / images, seconds };
  }
}

function checkTs(where: string, Ts: unknown): number[] {
  if (!Array.isArray(Ts) || Ts.length === 0) throw new Error(`${where}: Ts must be a non-empty array of time steps; got ${showValue(Ts)}`);
  Ts.forEach((T, i) => positiveInt(where, `Ts[${i}]`, T));
  return [...Ts];
}

function labelled(where: string, batch: unknown, i: number): LabelledBatch {
  const b = batch as Partial<LabelledBatch> | null;
  if (b === null || typeof b !== 'object' || !(b.x instanceof Tensor) || !(b.y instanceof Tensor)) {
    throw new Error(`${where}: batch ${i} must be { x: images, y: labels } (Tensors); got ${showValue(batch)}`);
  }
  if (b.y.shape.length !== 1 || b.y.shape[0] !== b.x.shape[0]) {
    throw new Error(`${where}: batch ${i} has ${b.x.shape[0]} images but labels of shape [${b.y.shape.join(', ')}]`);
  }
  return b as LabelledBatch;
}
