// The bound ablation of the paper's Appendix F.1 (docs/method.md §5, Figure 6): for each β (Table 6's values by
// default), α = α_min(β) from Proposition 3.1 (the least α with |HTAF − H| ≤ ε off (−δ, δ)), rounded up
// as Table 6 prints it (so the pair still satisfies the bound, and the paper's pairs are reproduced);
// one MLP 256-256-128 trained with HTAF(α, β) and Adam 1e-3 through trainRun (same split, seed and
// batches for every β); test AUROC with exact steps (RMSE for regression) and the binarity score of the
// hidden units (smooth steps, test rows).
//
import { alphaMin, betaMin, logitBound, roundUpForTable } from '../theory/index.js';
import { primaryMetric, trainRun, type TrainData } from './trainer.js';
import type { RunConfig, RunResult } from './types.js';
import type { TaskKind } from '../data/tabular_types.js';

/** Table 6's β values (Appendix F.1). */
export const ABLATION_BETAS: readonly number[] = [5, 10, 20, 30, 40, 50, 100, 500, 1000, 5000];
/** The network of Appendix F.1. */
export const ABLATION_HIDDEN: readonly number[] = [256, 256, 128];

export interface BoundPoint {
  beta: number;
  /** α_min(β) = atanh(L/β)/δ, unrounded. */
  alphaMin: number;
  /** The α trained with: α_min rounded up as Table 6 prints it (≥ α_min). */
  alpha: number;
  /** The activation spec trained with, e.g. 'htaf:alpha=2.24,beta=10'. */
  spec: string;
}

/**
 * The (α, β) pairs of the ablation. Throws, naming every offending β, when some β ≤ β_min = ln((1 − ε)/ε)
 * (Proposition 3.1 then holds for no α).
 */
export function boundAblationPlan(betas: readonly number[], eps: number, delta: number): BoundPoint[] {
  if (betas.length === 0) throw new Error('bound ablation: no β given');
  const L = betaMin(eps); // checks eps
  alphaMin(L + 1, eps, delta); // checks delta
  const bad = betas.filter((b) => !(Number.isFinite(b) && b > L));
  if (bad.length) {
    throw new Error(
      `bound ablation: β = ${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} not above β_min = ln((1 − ε)/ε) = ${L.toFixed(4)} for ε = ${eps}: ` +
      'no α makes |HTAF − H| ≤ ε off (−δ, δ) (Proposition 3.1); every β must exceed β_min',
    );
  }
  const seen = new Set<number>();
  return betas.map((beta) => {
    if (seen.has(beta)) throw new Error(`bound ablation: β = ${beta} is listed twice`);
    seen.add(beta);
    const a = alphaMin(beta, eps, delta);
    const alpha = Number(roundUpForTable(a));
    return { beta, alphaMin: a, alpha, spec: `htaf:alpha=${alpha},beta=${beta}` };
  });
}

export interface BoundAblationConfig {
  eps: number;
  delta: number;
  betas: number[];
  task: TaskKind;
  hidden: number[];
  epochs: number;
  lr: number;
  batch: number;
  seed: number;
  /** trainRun's early stopping (0: every epoch runs; the best validation epoch is kept either way). */
  patience: number;
}

export interface BoundAblationRow extends BoundPoint {
  /** 'auroc' for classification, 'rmse' for regression. */
  metric: string;
  /** Test metric with exact steps (Heaviside at inference): Figure 6(a). */
  test: number;
  /** The same with smooth (HTAF) steps. */
  testSmooth: number;
  /** Validation metric with exact steps (model selection). */
  val: number;
  /** Share of hidden activations > 0.99 or < 0.01 (smooth, test rows): Figure 6(b). */
  binarity: number;
  bestEpoch: number;
  epochsRun: number;
  seconds: number;
  stoppedOnNaN?: { epoch: number };
}

export interface BoundAblationResult {
  eps: number;
  delta: number;
  /** β_min = L = ln((1 − ε)/ε). */
  betaMin: number;
  /** L/δ, the limit of β·α_min(β). */
  productLimit: number;
  metric: string;
  config: BoundAblationConfig;
  rows: BoundAblationRow[];
}

export interface BoundAblationOptions {
  /** Called before each run (progress). */
  onStart?: (p: BoundPoint, index: number, total: number) => void;
  onRun?: (row: BoundAblationRow, index: number, total: number) => void;
  onEpoch?: (p: BoundPoint, e: { epoch: number; epochs: number; trainLoss: number }) => void;
  /** The training function (tests may count calls); default trainRun. */
  train?: (config: RunConfig, data: TrainData, options: { onEpoch?: (e: { epoch: number; epochs: number; trainLoss: number }) => void }) => Promise<RunResult>;
}

/** Figure 6's metric for a task. */
export function ablationMetric(task: TaskKind): string {
  return task === 'regression' ? 'rmse' : 'auroc';
}

/** Runs the ablation: one trainRun per β, on the same data, split and seed. */
export async function ablateBounds(data: TrainData, config: BoundAblationConfig, options: BoundAblationOptions = {}): Promise<BoundAblationResult> {
  const plan = boundAblationPlan(config.betas, config.eps, config.delta);
  primaryMetric(config.task); // checks the task
  const metric = ablationMetric(config.task);
  const train = options.train ?? trainRun;
  const rows: BoundAblationRow[] = [];
  for (const [i, p] of plan.entries()) {
    options.onStart?.(p, i, plan.length);
    const runConfig: RunConfig = {
      task: config.task, method: p.spec, hidden: [...config.hidden], epochs: config.epochs, lr: config.lr, optimizer: 'adam',
      batch: config.batch, seed: config.seed, patience: config.patience,
    };
    const r = await train(runConfig, data, { onEpoch: options.onEpoch ? (e) => options.onEpoch!(p, e) : undefined });
    const row: BoundAblationRow = {
      ...p,
      metric,
      test: r.test.exact[metric],
      testSmooth: r.test.smooth[metric],
      val: r.val.exact[metric],
      binarity: r.binarity,
      bestEpoch: r.bestEpoch,
      epochsRun: r.epochsRun,
      seconds: r.seconds,
      ...(r.stoppedOnNaN ? { stoppedOnNaN: r.stoppedOnNaN } : {}),
    };
    rows.push(row);
    options.onRun?.(row, i, plan.length);
  }
  return {
    eps: config.eps, delta: config.delta, betaMin: betaMin(config.eps), productLimit: logitBound(config.eps) / config.delta, metric,
    config: { ...config, betas: [...config.betas], hidden: [...config.hidden] }, rows,
  };
}
