// The LR scheduler base: PyTorch's _LRScheduler bookkeeping (initialLr written into each param group by
// the first scheduler, baseLrs read from it, lastEpoch = number of step() calls, the initial step at
// construction) with each schedule computed in closed form from (baseLr, epoch). PyTorch's schedulers
// mostly update lr recursively from the group's current lr; the closed forms agree with them at every
// step up to rounding (test/golden/fixtures/optim.json checks it) and make a resumed run independent of
// what the lr was when the state dict was loaded.
import { showValue } from '../core/show.js';
import { checkKnownKeys } from '../core/options.js';
import { checkFinite, checkNonNegative, checkNonNegativeInteger, isPlainObject } from './checks.js';

/** What a scheduler needs of an optimizer: its param groups' mutable lr. Every Optimizer is one. */
export interface SchedulableOptimizer {
  readonly paramGroups: Array<{ lr: number; initialLr?: number }>;
}

/** A schedule's own hyperparameters: JSON-able numbers. */
export type ScheduleConfig = { [key: string]: number | number[] };

/** A scheduler's state in a saveable (JSON) form, as PyTorch's scheduler.state_dict(). */
export type LRSchedulerStateDict = {
  type: string;
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  [key: string]: unknown;
};

const BOOKKEEPING_KEYS = ['type', 'lastEpoch', 'baseLrs', 'lastLr'];

function copyConfig<C extends ScheduleConfig>(c: C): C {
  const out: ScheduleConfig = {};
  for (const [k, v] of Object.entries(c)) out[k] = Array.isArray(v) ? [...v] : v;
  return out as C;
}

export abstract class LRScheduler<C extends ScheduleConfig = ScheduleConfig> {
  readonly optimizer: SchedulableOptimizer;
  /** Each group's lr before any schedule: its initialLr. */
  baseLrs: number[];
  #lastEpoch = -1;
  #lastLr: number[] = [];
  protected config: C;

  /**
   * A subclass validates its options into `config`, calls this, sets any fields of its own, then calls
   * initialStep() (TypeScript cannot set fields before super(), so the base cannot take the first step).
   */
  protected constructor(
    protected readonly className: string,
    optimizer: SchedulableOptimizer,
    config: C,
  ) {
    if (typeof optimizer !== 'object' || optimizer === null || !Array.isArray(optimizer.paramGroups) || optimizer.paramGroups.length === 0) {
      throw new Error(`${className}: optimizer must be an Optimizer (an object with paramGroups), got ${showValue(optimizer)}`);
    }
    this.checkConfig(config, className);
    this.optimizer = optimizer;
    this.config = copyConfig(config);
    optimizer.paramGroups.forEach((group, i) => {
      // As PyTorch's group.setdefault('initial_lr', group['lr']): a second scheduler on the same
      // optimizer (as SequentialLR's parts are) starts from the same base, not from the first's output.
      if (group.initialLr === undefined) {
        checkNonNegative(`${className}: param group ${i}`, 'lr', group.lr);
        group.initialLr = group.lr;
      }
      checkNonNegative(`${className}: param group ${i}`, 'initialLr', group.initialLr);
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  // ---- what a subclass provides -----------------------------------------------------------------

  /** Throws a named error for an invalid config. */
  protected abstract checkConfig(config: C, owner: string): void;

  /** Each group's lr at an epoch (0 = right after construction). May step sub-schedulers. */
  protected abstract lrsAt(epoch: number): number[];

  protected initialStep(): void {
    this.step(0);
  }

  // ---- public API -------------------------------------------------------------------------------

  /** How many times step() was called since construction (PyTorch's last_epoch). */
  get lastEpoch(): number {
    return this.#lastEpoch;
  }

  /**
   * Advances the schedule by one and sets each group's lr. Call it after optimizer.step(). With an
   * epoch, jumps to that epoch instead (PyTorch's step(epoch), which uses the closed form too).
   */
  step(epoch?: number): void {
    const next = epoch ?? this.#lastEpoch + 1;
    checkNonNegativeInteger(`${this.className}: step`, 'epoch', next);
    const lrs = this.lrsAt(next);
    this.applyLrs(lrs);
    this.#lastEpoch = next;
    this.#lastLr = lrs;
  }

  /** The lr this scheduler last set, one per param group. */
  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  /** A JSON-able snapshot: the bookkeeping and the schedule's own options. */
  stateDict(): LRSchedulerStateDict {
    return { type: this.className, ...copyConfig(this.config), lastEpoch: this.#lastEpoch, baseLrs: [...this.baseLrs], lastLr: this.getLastLr() };
  }

  /**
   * Restores a stateDict() snapshot, options included (as PyTorch does), and sets each group's lr to the
   * restored last lr, so a resumed run continues identically whether the optimizer's state was loaded
   * before or after this. All or nothing.
   */
  loadStateDict(stateDict: LRSchedulerStateDict): void {
    const owner = `${this.className}: loadStateDict`;
    if (!isPlainObject(stateDict)) throw new Error(`${owner}: expected an object as stateDict() returns, got ${showValue(stateDict)}`);
    if (stateDict.type !== undefined && stateDict.type !== this.className) {
      throw new Error(`${owner}: the state dict is a ${showValue(stateDict.type)}'s, not a ${this.className}'s`);
    }
    const configKeys = Object.keys(this.config);
    checkKnownKeys(owner, stateDict, [...BOOKKEEPING_KEYS, ...configKeys], 'key');
    checkNonNegativeInteger(owner, 'lastEpoch', stateDict.lastEpoch);
    const groups = this.optimizer.paramGroups.length;
    for (const key of ['baseLrs', 'lastLr'] as const) {
      const v = stateDict[key];
      if (!Array.isArray(v) || v.length !== groups) throw new Error(`${owner}: ${key} must be an array of ${groups} numbers (one per param group), got ${showValue(v)}`);
      v.forEach((x, i) => checkFinite(owner, `${key}[${i}]`, x));
    }
    const config = copyConfig(this.config);
    for (const k of configKeys) if (stateDict[k] !== undefined) (config as ScheduleConfig)[k] = stateDict[k] as number | number[];
    this.checkConfig(copyConfig(config), owner);

    this.config = copyConfig(config);
    this.baseLrs = [...stateDict.baseLrs];
    this.#lastEpoch = stateDict.lastEpoch;
    this.#lastLr = [...stateDict.lastLr];
    this.applyLrs(this.#lastLr);
  }

  private applyLrs(lrs: number[]): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = lrs[i];
    });
  }
}

/** A schedule given by a closed form of (baseLr, epoch), applied to every group. */
export abstract class ClosedFormLR<C extends ScheduleConfig> extends LRScheduler<C> {
  protected abstract lrAt(baseLr: number, epoch: number): number;

  protected lrsAt(epoch: number): number[] {
    return this.baseLrs.map((base) => this.lrAt(base, epoch));
  }
}

/** Reads a schedule's options object: rejects unknown keys, fills defaults. */
export function readOptions<T extends object>(owner: string, options: unknown, defaults: T): T {
  if (!isPlainObject(options)) throw new Error(`${owner}: options must be an object, got ${showValue(options)}`);
  checkKnownKeys(owner, options, Object.keys(defaults));
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = Array.isArray(v) ? [...v] : v;
  return out as T;
}
