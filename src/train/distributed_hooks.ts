// Distributed data parallel training as hooks on the one fit loop (fit.ts), not a copy of it
// (docs/distributed.md). With a DistributedDataParallel around the model:
//   - start: rank 0's weights on every rank (after a resume too), and a check that every rank resumed
//     from the same epoch;
//   - beforeForward: rank 0's buffers (batch norm's running statistics), as PyTorch's broadcast_buffers;
//   - reduceLoss: the batch's loss is the mean over ranks, NaN everywhere when it is NaN on one rank;
//   - afterBackward: the gradients averaged over ranks, in buckets.
// Only rank 0 writes checkpoints (rankZeroWrites); every rank reads them on resume.
import type { DistributedDataParallel } from '../distributed/ddp.js';
import type { FitHooks, FitSpec } from './fit.js';

export function ddpHooks<B, R>(ddp: DistributedDataParallel): FitHooks<B, R> {
  return {
    start(state) {
      ddp.syncModule();
      const { min, max } = ddp.rangeOverRanks(state.epoch);
      if (min !== max) {
        throw new Error(`distributed training: rank ${ddp.processGroup.rank} resumed after epoch ${state.epoch}, but the ranks resumed after epochs ${min} to ${max} ` +
          `(every rank needs rank 0's checkpoint: one shared run folder, or a copy of it on every machine)`);
      }
    },
    beforeForward() {
      if (ddp.broadcastBuffers) ddp.syncBuffers();
    },
    reduceLoss: (loss) => ddp.meanOverRanks(loss),
    afterBackward() {
      ddp.reduceGradients();
    },
  };
}

/** The run state, with writes on rank 0 only. */
export function rankZeroWrites<R>(runState: NonNullable<FitSpec<unknown, R>['runState']>, rank: number): NonNullable<FitSpec<unknown, R>['runState']> {
  if (rank === 0) return runState;
  return { restore: (...a) => runState.restore(...a), save: () => {} };
}

type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Hooks of several features as one: each hook runs in the order given; reduceLoss values pass through each. */
export function combineHooks<B, R>(...all: (FitHooks<B, R> | undefined)[]): FitHooks<B, R> {
  const hooks = all.filter((h): h is FitHooks<B, R> => h !== undefined);
  const out: Record<string, Fn> = {};
  const keys = new Set(hooks.flatMap((h) => Object.keys(h)));
  for (const key of keys) {
    const fns = hooks.map((h) => (h as Record<string, Fn | undefined>)[key]).filter((f): f is Fn => f !== undefined);
    out[key] = key === 'reduceLoss'
      ? (v: number) => fns.reduce((x, f) => f(x), v)
      : (...args: unknown[]) => { for (const f of fns) f(...args); };
  }
  return out as FitHooks<B, R>;
}
