// The optimizer base: param groups with per-group hyperparameters, lazily created per-parameter state,
// a step that skips parameters without a gradient, and a saveable state dict — torch.optim.Optimizer's
// semantics. Subclasses validate a group's hyperparameters and update one parameter.
//
// Memory: state tensors are kept (no scope frees them) and owned by the optimizer until dispose().
// step() reads each gradient through a raw native handle and frees it at once, so a training loop's
// live tensor count stays flat however many steps it runs.
import { N } from '../core/native.js';
import { tidy } from '../core/scope.js';
import type { Device, NativeHandle } from '../core/types.js';
import { Tensor } from '../tensor/tensor.js';
import { enableGrad, noGrad } from '../autograd/grad_mode.js';
import { showValue } from '../core/show.js';
import { checkKnownKeys } from '../core/options.js';
import { checkNonNegativeInteger, isPlainObject } from './checks.js';

/** A hyperparameter as groups and state dicts hold it: JSON-able. */
export type HyperValue = number | boolean | readonly number[];

/** Per-parameter state: tensors (kept; the optimizer owns them) and numbers (step counts). */
export type ParamState = { [key: string]: Tensor | number | undefined };

/**
 * One param group: its parameters and its own copy of every hyperparameter. `lr` is mutable (schedules
 * set it); `initialLr` is written by the first LR scheduler attached, as PyTorch's `initial_lr`.
 */
export type ParamGroup<H> = H & { params: Tensor[]; initialLr?: number; name?: string };

/** A param group as the user gives it: parameters plus overrides of the optimizer's defaults. */
export type ParamGroupInput<H> = Partial<H> & { params: Iterable<Tensor> | Tensor; name?: string };

/** What an optimizer is built from: parameters, or param groups. */
export type OptimizerParams<H> = Iterable<Tensor> | Iterable<ParamGroupInput<H>>;

/** A param group in a state dict: parameter indices instead of tensors. */
export type SavedParamGroup = { params: number[]; [key: string]: HyperValue | string | undefined };

/**
 * An optimizer's state in a saveable form, as torch's `optimizer.state_dict()`: parameters are numbered
 * 0, 1, ... across the groups in order; `state[i]` holds parameter i's state (tensors and numbers);
 * `paramGroups` holds each group's hyperparameters (JSON-able) and its parameter indices.
 */
export interface OptimizerStateDict {
  state: Record<number, Record<string, Tensor | number>>;
  paramGroups: SavedParamGroup[];
}

/** Group keys that are not hyperparameters. */
const GROUP_EXTRAS = ['params', 'initialLr', 'name'] as const;

const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

function copyHyper<T>(v: T): T {
  return (Array.isArray(v) ? [...v] : v) as T;
}

export abstract class Optimizer<H extends { lr: number }, S extends ParamState = ParamState> {
  /** The hyperparameters a group gets unless it overrides them (lr is undefined if it was not given). */
  readonly defaults: Readonly<Omit<H, 'lr'> & { lr?: number }>;
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, created at a parameter's first step with a gradient. */
  readonly state = new Map<Tensor, S>();
  #disposed = false;

  /**
   * @param className names this optimizer in error messages
   * @param options the user's defaults (any of builtinDefaults' keys, and lr)
   * @param builtinDefaults every hyperparameter but lr, with the class's default value
   */
  protected constructor(
    protected readonly className: string,
    params: OptimizerParams<H>,
    options: Partial<H>,
    builtinDefaults: Omit<H, 'lr'> & { lr?: number },
  ) {
    if (!isPlainObject(options)) throw new Error(`${className}: options must be an object, got ${showValue(options)}`);
    const known = [...new Set(['lr', ...Object.keys(builtinDefaults)])];
    checkKnownKeys(className, options, known);
    const defaults: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(builtinDefaults)) defaults[k] = copyHyper(v);
    for (const [k, v] of Object.entries(options)) if (v !== undefined) defaults[k] = copyHyper(v);
    this.defaults = Object.freeze(defaults) as Omit<H, 'lr'> & { lr?: number };

    if (params instanceof Tensor) {
      throw new Error(`${className}: params must be an iterable of Tensors or of param groups ({ params, lr?, ... }), got a single Tensor; wrap it in an array`);
    }
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new Error(`${className}: params must be an iterable of Tensors or of param groups ({ params, lr?, ... }), got ${showValue(params)}`);
    }
    const items = [...(params as Iterable<unknown>)];
    if (items.length === 0) throw new Error(`${className}: got an empty parameter list`);
    if (items.every((x) => x instanceof Tensor)) {
      // A plain list is one group that speaks as the optimizer itself: "SGD: lr ...", "SGD: params[2] ...".
      this.addGroup({ params: items as Tensor[] } as unknown as ParamGroupInput<H>, className);
    } else if (items.every(isPlainObject)) {
      for (const group of items) this.addParamGroup(group as ParamGroupInput<H>);
    } else {
      throw new Error(`${className}: params must be all Tensors or all param groups ({ params, lr?, ... }), not a mix`);
    }
  }

  // ---- what a subclass provides -----------------------------------------------------------------

  /** Throws a named error if a group's hyperparameters are invalid (owner prefixes the message). */
  protected abstract checkGroup(group: H, owner: string): void;

  /** Updates one parameter in place from its gradient (a borrowed native handle; do not free it). */
  protected abstract updateParam(param: Tensor, grad: NativeHandle, group: ParamGroup<H>): void;

  /**
   * Checks one parameter's loaded state. The default checks that every state tensor is shaped like the
   * parameter, which holds for elementwise optimizers such as SGD and Adam.
   */
  protected checkState(entry: ParamState, param: Tensor, owner: string): void {
    for (const [k, v] of Object.entries(entry)) {
      if (v instanceof Tensor && !sameShape(v.shape, param.shape)) {
        throw new Error(`${owner}.${k} has shape [${v.shape.join(', ')}], but its parameter has shape [${param.shape.join(', ')}]`);
      }
    }
  }

  /** The state of a parameter, created by init at its first use. */
  protected stateOf(param: Tensor, init: () => S): S {
    let s = this.state.get(param);
    if (s === undefined) {
      s = init();
      this.state.set(param, s);
    }
    return s;
  }

  // ---- public API -------------------------------------------------------------------------------

  /** Adds a param group (e.g. layers unfrozen during fine-tuning); its missing options take the defaults. */
  addParamGroup(group: ParamGroupInput<H>): void {
    this.addGroup(group, `${this.className}: param group ${this.paramGroups.length}`);
  }

  private addGroup(group: ParamGroupInput<H>, owner: string): void {
    if (!isPlainObject(group)) throw new Error(`${owner} must be an object { params, lr?, ... }, got ${showValue(group)}`);
    if (!('params' in group)) throw new Error(`${owner} has no params`);
    checkKnownKeys(owner, group, this.groupKeys(), 'key');
    const raw = group.params;
    if (raw === null || typeof raw !== 'object' || (!(raw instanceof Tensor) && typeof (raw as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
      throw new Error(`${owner}: params must be a Tensor or an iterable of Tensors, got ${showValue(raw)}`);
    }
    const params = raw instanceof Tensor ? [raw] : [...(raw as Iterable<unknown>)];
    if (params.length === 0) throw new Error(`${owner}: params is empty`);
    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(`${owner}: params[${i}] is not a Tensor, got ${showValue(p)}`);
      if (p.isDisposed) throw new Error(`${owner}: params[${i}] is a disposed Tensor`);
      if (!p.isLeaf) throw new Error(`${owner}: params[${i}] is not a leaf tensor (it was computed from others); an optimizer updates leaves`);
      if (seen.has(p)) throw new Error(`${owner}: params[${i}] appears twice in the group`);
      if (this.paramGroups.some((g) => g.params.includes(p))) throw new Error(`${owner}: params[${i}] is already in another param group`);
      seen.add(p);
    });
    const merged: Record<string, unknown> = { ...this.defaults };
    for (const [k, v] of Object.entries(group)) if (k !== 'params' && v !== undefined) merged[k] = copyHyper(v);
    merged.params = params;
    this.checkGroup(merged as unknown as H, owner);
    this.paramGroups.push(merged as unknown as ParamGroup<H>);
  }

  /** Forgets every parameter's gradient (sets it to none, as PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.zeroGrad();
  }

  /**
   * Updates every parameter that has a gradient; those without one are skipped (no state is created).
   * With a closure (which should recompute the loss and call backward), calls it first with grad
   * enabled and returns its result, as PyTorch's step(closure).
   */
  step(): void;
  step<T>(closure: () => T): T;
  step<T>(closure?: () => T): T | undefined {
    this.checkNotDisposed('step');
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      this.paramGroups.forEach((group, i) => {
        // lr and friends are mutable (schedules, users): check them again, it costs nothing.
        this.checkGroup(group, this.groupOwner(i));
        for (const p of group.params) {
          const grad = N.gradOf(p.native);
          if (grad === null) continue;
          try {
            this.updateParam(p, grad, group);
          } finally {
            N.dispose(grad);
          }
        }
      });
    });
    return loss;
  }

  /**
   * The optimizer's state in a saveable form (see OptimizerStateDict). State tensors are copies owned by
   * the current scope: dispose them (or call this in tidy) once saved.
   */
  stateDict(): OptimizerStateDict {
    this.checkNotDisposed('stateDict');
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const saved: SavedParamGroup = { params: [] };
      for (const [k, v] of Object.entries(group)) if (k !== 'params' && v !== undefined) saved[k] = copyHyper(v as HyperValue | string);
      saved.params = group.params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      return saved;
    });
    const state: Record<number, Record<string, Tensor | number>> = {};
    noGrad(() => {
      for (const [p, s] of this.state) {
        const entry: Record<string, Tensor | number> = {};
        for (const [k, v] of Object.entries(s)) {
          if (v instanceof Tensor) entry[k] = v.clone();
          else if (typeof v === 'number') entry[k] = v;
        }
        state[index.get(p)!] = entry;
      }
    });
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from stateDict() (of an optimizer of the same class over parameters of the
   * same shapes, grouped the same way). Hyperparameters come from the dict; state tensors are copied
   * (cast to each parameter's float dtype and device), so the caller still owns the dict's tensors.
   * All or nothing: on any error this optimizer is unchanged.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    this.checkNotDisposed('loadStateDict');
    const owner = `${this.className}: loadStateDict`;
    if (!isPlainObject(stateDict) || !Array.isArray(stateDict.paramGroups) || !isPlainObject(stateDict.state)) {
      throw new Error(`${owner}: expected { state, paramGroups } as stateDict() returns, got ${showValue(stateDict)}`);
    }
    if (stateDict.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`${owner}: the state dict has ${stateDict.paramGroups.length} param groups, this optimizer has ${this.paramGroups.length}`);
    }
    const paramOfIndex = new Map<number, Tensor>();
    const groups = stateDict.paramGroups.map((saved, gi) => {
      const where = `${owner}: param group ${gi}`;
      if (!isPlainObject(saved) || !Array.isArray(saved.params)) throw new Error(`${where} must be an object with a params array, got ${showValue(saved)}`);
      const current = this.paramGroups[gi];
      if (saved.params.length !== current.params.length) {
        throw new Error(`${where} has ${saved.params.length} params in the state dict and ${current.params.length} in this optimizer`);
      }
      saved.params.forEach((id, j) => {
        checkNonNegativeInteger(where, `params[${j}]`, id);
        if (paramOfIndex.has(id)) throw new Error(`${where}: parameter index ${id} appears twice in the state dict`);
        paramOfIndex.set(id, current.params[j]);
      });
      checkKnownKeys(where, saved, this.groupKeys(), 'key');
      const merged: Record<string, unknown> = { ...this.defaults };
      for (const [k, v] of Object.entries(saved)) if (k !== 'params' && v !== undefined) merged[k] = copyHyper(v);
      this.checkGroup(merged as unknown as H, where);
      return merged;
    });

    const created: Tensor[] = [];
    const state = new Map<Tensor, S>();
    try {
      for (const [key, entry] of Object.entries(stateDict.state)) {
        const where = `${owner}: state[${key}]`;
        const param = paramOfIndex.get(Number(key));
        if (param === undefined) throw new Error(`${where} belongs to no parameter: no param group lists index ${key}`);
        if (!isPlainObject(entry)) throw new Error(`${where} must be an object, got ${showValue(entry)}`);
        const loaded: ParamState = {};
        for (const [k, v] of Object.entries(entry)) {
          if (v instanceof Tensor) {
            if (v.isDisposed) throw new Error(`${where}.${k} is a disposed Tensor`);
            loaded[k] = v;
          } else if (typeof v === 'number' && Number.isFinite(v)) {
            loaded[k] = v;
          } else if (v !== null && v !== undefined) {
            // null is allowed: PyTorch's state dicts hold None for an unset momentum buffer.
            throw new Error(`${where}.${k} must be a Tensor or a finite number, got ${showValue(v)}`);
          }
        }
        this.checkState(loaded, param, where);
        const copy: ParamState = {};
        for (const [k, v] of Object.entries(loaded)) {
          if (v instanceof Tensor) {
            const t = copyStateTensor(v, param);
            created.push(t);
            copy[k] = t;
          } else {
            copy[k] = v;
          }
        }
        state.set(param, copy as S);
      }
    } catch (err) {
      for (const t of created) t.dispose();
      throw err;
    }

    this.disposeState();
    for (const [p, s] of state) this.state.set(p, s);
    groups.forEach((merged, gi) => {
      const group = this.paramGroups[gi] as Record<string, unknown>;
      for (const k of Object.keys(group)) if (k !== 'params' && !(k in merged)) delete group[k];
      for (const [k, v] of Object.entries(merged)) if (k !== 'params') group[k] = v;
    });
  }

  /** Frees the state tensors. The optimizer cannot step afterwards; the parameters are not touched. */
  dispose(): void {
    this.disposeState();
    this.#disposed = true;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  // ---- internals --------------------------------------------------------------------------------

  private groupKeys(): string[] {
    return [...new Set<string>([...GROUP_EXTRAS, 'lr', ...Object.keys(this.defaults)])];
  }

  /** How errors name group i once built: one group speaks as the optimizer. */
  private groupOwner(i: number): string {
    return this.paramGroups.length === 1 ? this.className : `${this.className}: param group ${i}`;
  }

  private checkNotDisposed(what: string): void {
    if (this.#disposed) throw new Error(`${this.className}: ${what}() was called after dispose()`);
  }

  private disposeState(): void {
    for (const s of this.state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.state.clear();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** A kept copy of a loaded state tensor on the parameter's device, in its dtype when both are floats. */
function copyStateTensor(v: Tensor, param: Tensor): Tensor {
  return noGrad(() =>
    tidy(() => {
      let t = v.detach();
      if (FLOAT_DTYPES.has(param.dtype) && FLOAT_DTYPES.has(t.dtype) && t.dtype !== param.dtype) t = t.toDtype(param.dtype);
      if (t.device !== param.device) t = t.toDevice(param.device as Device);
      return t.clone().keep();
    }),
  );
}
