// The one fit loop (docs/design.md rule 10). Every trainer — tabular (trainer.ts), images and ICBM
// (image_trainer.ts), the gradient study (gradient_study.ts) — is an adapter that says how to draw an
// epoch's batches, what a batch's loss is, and how an epoch is judged; the loop owns the rest, once:
//   - the step: zero the gradients, forward, the loss; a NaN or infinite loss stops the run before its
//     backward and step, so the weights stay as they were, and the best so far are kept;
//   - the selection rule (selection.ts: a NaN value never wins) and early stopping (patience);
//   - the best weights (a kept snapshot, best.safetensors through the adapter's saveBest);
//   - checkpoints and resume through the one run state (run_state.ts), after every epoch;
//   - hooks per batch (before the forward, after backward with the gradients on the parameters, after
//     the step, and always at the batch's end) and per epoch — gradient probes, firing rates and, later,
//     the distributed all-reduce (distributed_hooks.ts) attach here instead of copying the loop.
// Each batch runs inside one scope (tidy): tensors made in the step and its hooks are freed with it.
import { tidy } from '../core/scope.js';
import type { Module } from '../nn/index.js';
import type { LRScheduler } from '../optim/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { improves } from './selection.js';
import { initialFitState, type AnyOptimizer, type FitState, type RunState } from './run_state.js';
import { disposeWeights, snapshot, type Weights } from './weights.js';

/** What one batch's forward gives the loop. */
export interface StepOutput {
  /** The batch's (mean) loss; the loop calls backward on it. */
  loss: Tensor;
  /** Rows (images) in the batch: the epoch's mean loss weighs batches by them. */
  rows: number;
  /** Called after the optimizer step, still inside the batch's scope: per-batch figures (correct predictions, ...). */
  afterStep?: () => number;
}

/** The epoch's training figures, handed to `evaluate`. */
export interface EpochTraining {
  epoch: number;
  /** Sum over batches of loss × rows, the rows, and the sum of afterStep's figures. */
  lossSum: number;
  rows: number;
  stepSum: number;
  batches: number;
  /** Wall seconds of the epoch's batches, and when they started (performance.now()). */
  seconds: number;
  started: number;
}

/** How an epoch is judged. */
export interface EpochVerdict<R> {
  /** Appended to the state's history. */
  record: R;
  /** The selection value (validation metric); ignored when the fit does not select. */
  value?: number;
  /** Stop after this epoch (recorded), e.g. a NaN in the figures. */
  stopOnNaN?: boolean;
}

export interface FitHooks<B, R> {
  /** Once, after a resume restored the state (or a fresh one began), before the first epoch left. */
  start?(state: FitState<R>, resumed: boolean): void;
  /** Before the epoch's first batch (reseed a generator, read the lr). */
  epochStart?(epoch: number): void;
  /** Before each forward, after zeroGrad, inside the batch's scope. */
  beforeForward?(batch: B, epoch: number, index: number): void;
  /**
   * The batch's loss as the run sees it, before the finiteness check: a distributed run returns the mean
   * over ranks, NaN on every rank when one rank's is not finite, so all ranks take or skip the same steps.
   */
  reduceLoss?(loss: number): number;
  /** After backward, before the optimizer step: the gradients are on the parameters. */
  afterBackward?(batch: B, epoch: number, index: number): void;
  /** After each finished (finite-loss) batch, outside its scope: progress. `index` is 1-based here. */
  batchDone?(e: { epoch: number; batch: number; loss: number; rows: number; lossSum: number; stepSum: number; seen: number; started: number }): void;
  /** Always at a batch's end (finally), NaN or not: free what the batch held. */
  batchEnd?(batch: B): void;
  /** After each epoch, once its checkpoint is written. */
  epochDone?(e: { epoch: number; record: R; improved: boolean; state: FitState<R> }): void;
  /** After a NaN stop was recorded and checkpointed. */
  nanStop?(state: FitState<R>): void;
}

export interface FitSpec<B, R> {
  model: Module;
  optimizer: AnyOptimizer;
  /** Stepped once per epoch after `evaluate` (null/undefined: none). Its state is checkpointed when given (even null). */
  scheduler?: LRScheduler | null;
  epochs: number;
  /**
   * Model selection on `evaluate`'s value: the best epoch's weights are the result, and with patience > 0
   * the run stops after that many epochs without a better value. Undefined: no selection, the last
   * weights are the result.
   */
  select?: { higherIsBetter: boolean; patience?: number };
  /** The epoch's batches, in order (sync or async). */
  batches(epoch: number): Iterable<B> | AsyncIterable<B>;
  /** One batch's forward and loss, inside its scope. */
  forward(batch: B): StepOutput;
  /** Judges the finished epoch (validation, the record). */
  evaluate(t: EpochTraining): EpochVerdict<R>;
  /** What a NaN stop records beside the epoch (the batch, a message); default nothing. */
  nanRecord?(epoch: number, batch: number, state: FitState<R>): Record<string, unknown>;
  /** Writes best.safetensors from the best weights (on every improvement; and at a NaN stop before any epoch won). */
  saveBest?(weights: Weights, state: FitState<R>): void;
  /** Checkpoint and resume (undefined: neither). */
  runState?: Pick<RunState<any, R>, 'save' | 'restore'>; // eslint-disable-line @typescript-eslint/no-explicit-any
  resume?: boolean;
  hooks?: FitHooks<B, R>;
}

export interface FitResult<R> {
  /** The final state; the model holds the best weights (the last ones when the fit selects nothing). */
  state: FitState<R>;
  /** Whether a checkpoint was restored. */
  resumed: boolean;
}

/**
 * Runs the epochs left (all of them, or those after the checkpoint when resuming) and leaves the best
 * weights in the model. Returns the final state.
 */
export async function fit<B, R>(spec: FitSpec<B, R>): Promise<FitResult<R>> {
  const t0 = performance.now();
  const { model, optimizer, scheduler, hooks = {} } = spec;
  const { select } = spec;
  let state: FitState<R> = initialFitState<R>();
  let bestWeights: Weights | undefined;
  let resumed = false;
  try {
    const restored = spec.resume ? spec.runState?.restore(model, optimizer, scheduler) : undefined;
    if (restored) {
      state = restored.state;
      bestWeights = restored.bestWeights;
      resumed = true;
    } else {
      bestWeights = snapshot(model); // epoch 0: the initial weights, until an epoch wins
    }
    hooks.start?.(state, resumed);
    const elapsed = () => state.seconds + (performance.now() - t0) / 1000;
    const save = () => spec.runState?.save(model, optimizer, scheduler, { ...state, seconds: elapsed() }, bestWeights!);

    for (let epoch = state.epoch + 1; state.finished === null && epoch <= spec.epochs; epoch++) {
      hooks.epochStart?.(epoch);
      model.train();
      const started = performance.now();
      let lossSum = 0;
      let stepSum = 0;
      let rows = 0;
      let index = 0;
      let nan = false;
      for await (const batch of spec.batches(epoch)) {
        let loss: number;
        let size = 0;
        let figure = 0;
        try {
          const at = index;
          const r = tidy(() => {
            optimizer.zeroGrad();
            hooks.beforeForward?.(batch, epoch, at);
            const out = spec.forward(batch);
            const own = out.loss.item() as number;
            const v = hooks.reduceLoss ? hooks.reduceLoss(own) : own;
            if (!Number.isFinite(v)) return { v, size: out.rows, figure: 0 };
            out.loss.backward();
            hooks.afterBackward?.(batch, epoch, at);
            optimizer.step();
            return { v, size: out.rows, figure: out.afterStep?.() ?? 0 };
          });
          loss = r.v;
          size = r.size;
          figure = r.figure;
        } finally {
          hooks.batchEnd?.(batch);
        }
        index++;
        if (!Number.isFinite(loss)) {
          nan = true;
          break;
        }
        lossSum += loss * size;
        stepSum += figure;
        rows += size;
        hooks.batchDone?.({ epoch, batch: index, loss, rows: size, lossSum, stepSum, seen: rows, started });
      }
      if (nan) {
        state = { ...state, finished: 'nan', stoppedOnNaN: { epoch, ...spec.nanRecord?.(epoch, index, state) } };
        if (state.bestEpoch === 0) spec.saveBest?.(bestWeights, state); // no epoch won: the initial weights are the best there are
        save();
        hooks.nanStop?.(state);
        break;
      }
      const verdict = spec.evaluate({ epoch, lossSum, rows, stepSum, batches: index, seconds: (performance.now() - started) / 1000, started });
      scheduler?.step();
      state = { ...state, epoch, history: [...state.history, verdict.record] };
      const improved = select !== undefined && verdict.value !== undefined && improves(verdict.value, state.best, select.higherIsBetter);
      if (improved) {
        disposeWeights(bestWeights);
        bestWeights = snapshot(model);
        state = { ...state, bestEpoch: epoch, best: verdict.value! };
        spec.saveBest?.(bestWeights, state);
      }
      if (verdict.stopOnNaN) state = { ...state, finished: 'nan', stoppedOnNaN: { epoch } };
      else if (epoch === spec.epochs) state = { ...state, finished: 'completed' };
      else if (select?.patience && epoch - state.bestEpoch >= select.patience) state = { ...state, finished: 'early-stop' };
      save();
      hooks.epochDone?.({ epoch, record: verdict.record, improved, state });
    }
    // The result: the best epoch's weights (the initial ones when no epoch won), when the fit selects.
    if (select !== undefined) {
      const best = bestWeights;
      tidy(() => model.loadStateDict(best));
    }
    return { state: { ...state, seconds: elapsed() }, resumed };
  } finally {
    disposeWeights(bestWeights);
  }
}
