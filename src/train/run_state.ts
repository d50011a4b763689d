// The one run state every trainer checkpoints through (docs/design.md rule 10): after each epoch the
// fit loop writes `checkpoint.safetensors` (model, optimizer, the schedule, the fit state — epoch, best
// epoch and value, history, seconds, how it finished — the best weights, and the identity of the run:
// its kind and version, its config and what the trainer says its data was), atomically. `resume`
// restores all of it after checking that the identity matches, so a resumed run ends where an
// uninterrupted one would, bit for bit, provided the trainer draws its randomness as a function of
// (seed, epoch) (each trainer's file says how it does).
import { existsSync } from 'node:fs';
import { tidy } from '../core/scope.js';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import type { Module } from '../nn/index.js';
import type { LRScheduler, LRSchedulerStateDict, Optimizer, OptimizerStateDict } from '../optim/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { configDiff } from './config_diff.js';
import type { Weights } from './weights.js';

export type Finished = 'completed' | 'early-stop' | 'nan';

/** Where a fit stands after its last completed epoch: what is checkpointed beside the tensors. */
export interface FitState<R> {
  /** Last completed epoch (0 before the first). */
  epoch: number;
  /** The epoch whose weights are the best so far (0: the initial weights). */
  bestEpoch: number;
  /** The selection value of bestEpoch (null before any epoch won). */
  best: number | null;
  history: R[];
  /** Training seconds over every session of the run. */
  seconds: number;
  finished: Finished | null;
  /** Set by a NaN stop: the epoch, and whatever else the trainer records (batch, message). */
  stoppedOnNaN?: { epoch: number } & Record<string, unknown>;
}

export const initialFitState = <R>(): FitState<R> => ({ epoch: 0, bestEpoch: 0, best: null, history: [], seconds: 0, finished: null });

/** What identifies a run: a checkpoint is resumed only when all of it matches. */
export interface RunIdentity<C extends object> {
  /** Names the trainer in errors ('trainRun'). */
  owner: string;
  kind: string;
  version: number;
  config: C;
  /** The config fields compared on resume (configDiff). */
  configKeys: readonly (keyof C & string)[];
  /**
   * Further fields stored at the top of the meta (data shape, shuffle scheme, ...). On resume each is
   * compared as JSON; a mismatch gives `mismatch[key](checkpointValue, nowValue)` as the reason.
   */
  fields?: Record<string, unknown>;
  mismatch?: Record<string, (saved: unknown, now: unknown) => string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizer = Optimizer<any, any>;

type Meta<C, R> = FitState<R> & { kind: string; version: number; config: C; scheduler?: LRSchedulerStateDict | null; bestWeights: Record<string, Tensor> } & Record<string, unknown>;

const STATE_KEYS = ['epoch', 'bestEpoch', 'best', 'history', 'seconds', 'finished', 'stoppedOnNaN'] as const;

export class RunState<C extends object, R> {
  constructor(readonly path: string | undefined, readonly identity: RunIdentity<C>) {}

  /**
   * The saved state and best weights (kept; the caller owns them), after loading the model, optimizer
   * and schedule; undefined when there is no checkpoint at `path`.
   */
  restore(model: Module, optimizer: AnyOptimizer, scheduler?: LRScheduler | null): { state: FitState<R>; bestWeights: Weights } | undefined {
    const { path, identity: id } = this;
    if (path === undefined || !existsSync(path)) return undefined;
    return tidy(() => {
      const ck = loadCheckpoint<OptimizerStateDict, Meta<C, R>>(path);
      const meta = ck.meta;
      if (!meta || meta.kind !== id.kind || meta.version !== id.version) throw new Error(`${id.owner}: ${path} is not a checkpoint of ${id.owner} (version ${id.version})`);
      const diff = configDiff(id.configKeys, meta.config, id.config);
      if (diff.length) throw new Error(`${id.owner}: cannot resume from ${path}: the config differs (${diff.join('; ')})`);
      // A field with a mismatch message is checked even when absent now (a run's worldSize is written only
      // when it is above 1: a checkpoint of 2 processes resumed by 1 has it, the resuming run not).
      const fields: Record<string, unknown> = id.fields ?? {};
      for (const k of new Set([...Object.keys(fields), ...Object.keys(id.mismatch ?? {})])) {
        const now = fields[k];
        if (JSON.stringify(meta[k]) !== JSON.stringify(now)) {
          const why = id.mismatch?.[k]?.(meta[k], now) ?? `its ${k} was ${JSON.stringify(meta[k])}, now ${JSON.stringify(now)}`;
          throw new Error(`${id.owner}: cannot resume from ${path}: ${why}`);
        }
      }
      model.loadStateDict(ck.model);
      if (!ck.optimizer) throw new Error(`${id.owner}: ${path} holds no optimizer state`);
      optimizer.loadStateDict(ck.optimizer);
      if (scheduler && meta.scheduler) scheduler.loadStateDict(meta.scheduler);
      const bestWeights: Weights = new Map();
      for (const [k, t] of Object.entries(meta.bestWeights)) bestWeights.set(k, t.clone().keep());
      const state = Object.fromEntries(STATE_KEYS.filter((k) => meta[k] !== undefined).map((k) => [k, meta[k]])) as unknown as FitState<R>;
      return { state, bestWeights };
    });
  }

  /** Writes the checkpoint atomically (nothing without a path). */
  save(model: Module, optimizer: AnyOptimizer, scheduler: LRScheduler | null | undefined, state: FitState<R>, bestWeights: Weights): void {
    const { path, identity: id } = this;
    if (path === undefined) return;
    const meta = {
      kind: id.kind, version: id.version, config: id.config, ...id.fields, ...state,
      ...(scheduler !== undefined ? { scheduler: scheduler?.stateDict() ?? null } : {}),
      bestWeights: Object.fromEntries(bestWeights),
    };
    tidy(() => saveCheckpoint(path, { model: model.stateDict(), optimizer: optimizer.stateDict(), meta }));
  }
}
