// Module: the base of every layer and model (docs/design.md rule 6). Parameters, buffers and children are
// registered explicitly, by name, so state-dict keys are PyTorch's dotted names (`features.0.weight`).
// Parameters and buffers are kept (no scope frees them); the module owns them until dispose().
import { N } from '../core/native.js';
import { tidy } from '../core/scope.js';
import type { Device } from '../core/types.js';
import { noGrad } from '../autograd/grad_mode.js';
import { Tensor } from '../tensor/tensor.js';

/** A state dict: names (PyTorch's) to tensors. stateDict() returns a Map; loadStateDict also takes a Record. */
export type StateDict = Map<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Called after forward with the module, its arguments and its output; a non-undefined return replaces the output. */
export type ForwardHook = (module: Module, inputs: unknown[], output: any) => unknown;
/** Called before forward with the module and its arguments; a returned array replaces the arguments. */
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | void;

/** Removes the hook it was returned for; call it, or call its remove() (PyTorch's RemovableHandle). Idempotent. */
export type HookRemover = (() => void) & { remove(): void };

function makeRemover(hooks: Map<number, unknown>, id: number): HookRemover {
  const remove = () => {
    hooks.delete(id);
  };
  return Object.assign(remove, { remove });
}

let nextHookId = 0;

function checkName(owner: Module, kind: string, name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new Error(`${owner.constructor.name}.register${kind}: name must be a non-empty string without '.'; got ${JSON.stringify(name)}`);
  }
}

function shapeText(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

export abstract class Module {
  /** Whether the module is in training mode (dropout active, batch norm using batch statistics). */
  training = true;

  // Registration order is state-dict order. A null entry is a slot PyTorch registers as None (a Linear
  // without bias): it has a name but no tensor, and is skipped everywhere.
  readonly #parameters = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #nonPersistent = new Set<string>();
  readonly #modules = new Map<string, Module>();
  readonly #forwardHooks = new Map<number, ForwardHook>();
  readonly #forwardPreHooks = new Map<number, ForwardPreHook>();

  /** The computation. Invoke a module with call() so hooks run and intermediates are freed. */
  abstract forward(...args: any[]): any;

  // ---- registration ------------------------------------------------------------------------------

  #checkFree(kind: string, name: string): void {
    checkName(this, kind, name);
    const taken = this.#parameters.has(name) ? 'a parameter' : this.#buffers.has(name) ? 'a buffer' : this.#modules.has(name) ? 'a submodule' : null;
    if (taken) throw new Error(`${this.constructor.name}.register${kind}: '${name}' is already ${taken} of this module`);
  }

  /**
   * Registers a parameter: keeps it (no scope frees it) and makes it require grad. Returns it, so a
   * layer writes `this.weight = this.registerParameter('weight', empty([out, in]))`. null registers an
   * absent slot (PyTorch's `register_parameter('bias', None)`).
   */
  registerParameter<T extends Tensor | null>(name: string, t: T): T {
    this.#checkFree('Parameter', name);
    if (t !== null) {
      if (!(t instanceof Tensor)) throw new Error(`${this.constructor.name}.registerParameter('${name}'): expected a Tensor or null; got ${typeof t}`);
      t.keep();
      t.requiresGrad_(true);
    }
    this.#parameters.set(name, t);
    return t;
  }

  /**
   * Registers a buffer (state that is not trained: running means, counters): keeps it; it is in the
   * state dict unless persistent is false. null registers an absent slot.
   */
  registerBuffer<T extends Tensor | null>(name: string, t: T, options: { persistent?: boolean } = {}): T {
    this.#checkFree('Buffer', name);
    if (t !== null) {
      if (!(t instanceof Tensor)) throw new Error(`${this.constructor.name}.registerBuffer('${name}'): expected a Tensor or null; got ${typeof t}`);
      t.keep();
    }
    this.#buffers.set(name, t);
    if (options.persistent === false) this.#nonPersistent.add(name);
    return t;
  }

  /** Registers a child module; its parameters appear as `name.<its names>`. Returns it. */
  registerModule<M extends Module>(name: string, m: M): M {
    this.#checkFree('Module', name);
    if (!(m instanceof Module)) throw new Error(`${this.constructor.name}.registerModule('${name}'): expected a Module; got ${m === null ? 'null' : typeof m}`);
    this.#modules.set(name, m);
    return m;
  }

  // ---- traversal ---------------------------------------------------------------------------------

  /** This module's direct children, in registration order. */
  *namedChildren(): IterableIterator<[string, Module]> {
    yield* this.#modules.entries();
  }

  *children(): IterableIterator<Module> {
    yield* this.#modules.values();
  }

  /** Every module in the tree, this one first (named ''), each once, depth first like PyTorch's named_modules. */
  *namedModules(prefix = ''): IterableIterator<[string, Module]> {
    yield* this.#walk(prefix, new Set());
  }

  *#walk(prefix: string, seen: Set<Module>): IterableIterator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.#modules) {
      yield* child.#walk(prefix ? `${prefix}.${name}` : name, seen);
    }
  }

  *modules(): IterableIterator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters with dotted names, each tensor once (a shared parameter keeps its first name). */
  *namedParameters(options: { recurse?: boolean } = {}): IterableIterator<[string, Tensor]> {
    yield* this.#namedMembers((m) => m.#parameters, options.recurse ?? true);
  }

  *parameters(options: { recurse?: boolean } = {}): IterableIterator<Tensor> {
    for (const [, p] of this.namedParameters(options)) yield p;
  }

  *namedBuffers(options: { recurse?: boolean } = {}): IterableIterator<[string, Tensor]> {
    yield* this.#namedMembers((m) => m.#buffers, options.recurse ?? true);
  }

  *buffers(options: { recurse?: boolean } = {}): IterableIterator<Tensor> {
    for (const [, b] of this.namedBuffers(options)) yield b;
  }

  *#namedMembers(members: (m: Module) => Map<string, Tensor | null>, recurse: boolean): IterableIterator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules() : [['', this]];
    for (const [prefix, m] of mods) {
      for (const [name, t] of members(m)) {
        if (t === null || seen.has(t)) continue;
        seen.add(t);
        yield [prefix ? `${prefix}.${name}` : name, t];
      }
    }
  }

  /** Calls fn on every submodule (children first), then on this module, like PyTorch's apply. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.#modules.values()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- modes and gradients -----------------------------------------------------------------------

  /** Sets training mode on this module and every submodule. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.#modules.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode: train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Sets requiresGrad on every parameter (false freezes the module). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Forgets every parameter's gradient (sets it to none, as PyTorch's zero_grad does by default). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Number of parameter elements; trainableOnly counts those that require grad. */
  parameterCount(options: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) {
      if (options.trainableOnly && !p.requiresGrad) continue;
      n += p.shape.reduce((a, b) => a * b, 1);
    }
    return n;
  }

  // ---- invocation --------------------------------------------------------------------------------

  /**
   * Runs forward with the hooks, in a scope: tensors forward creates are freed when it returns, except
   * its output (and kept tensors). State a forward stores on the module across calls must be kept.
   */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    return tidy(() => {
      let inputs: unknown[] = args;
      for (const hook of [...this.#forwardPreHooks.values()]) {
        const replaced = hook(this, inputs);
        if (replaced !== undefined) {
          if (!Array.isArray(replaced)) throw new Error(`${this.constructor.name}: a forward pre-hook must return an array of arguments or undefined; got ${typeof replaced}`);
          inputs = replaced;
        }
      }
      let output = this.forward(...inputs);
      for (const hook of [...this.#forwardHooks.values()]) {
        const replaced = hook(this, inputs, output);
        if (replaced !== undefined) output = replaced;
      }
      return output;
    });
  }

  /**
   * Registers fn(module, inputs, output) to run after every call(). Tensors it creates are freed when
   * the call ends unless it keeps them. Returns a remover.
   */
  registerForwardHook(fn: ForwardHook): HookRemover {
    const id = nextHookId++;
    this.#forwardHooks.set(id, fn);
    return makeRemover(this.#forwardHooks, id);
  }

  /** Whether any forward or forward pre-hook is registered (code that skips call() for speed asks first). */
  hasForwardHooks(): boolean {
    return this.#forwardHooks.size > 0 || this.#forwardPreHooks.size > 0;
  }

  /** Registers fn(module, inputs) to run before every call(). Returns a remover. */
  registerForwardPreHook(fn: ForwardPreHook): HookRemover {
    const id = nextHookId++;
    this.#forwardPreHooks.set(id, fn);
    return makeRemover(this.#forwardPreHooks, id);
  }

  // ---- state dict --------------------------------------------------------------------------------

  /**
   * Parameters and persistent buffers by PyTorch's names, in PyTorch's order. The values are detached
   * handles on the module's own storage (writing into them writes the module), owned by the current scope.
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of m.#parameters) if (p !== null) out.set(key(name), p.detach());
      for (const [name, b] of m.#buffers) if (b !== null && !m.#nonPersistent.has(name)) out.set(key(name), b.detach());
    }
    return out;
  }

  /**
   * Copies the values of `dict` into this module's parameters and buffers, in place and without
   * recording gradients (dtype and device convert as copy_ does). Nothing is copied unless every check
   * passes: with strict (the default) missing and unexpected keys are errors; shape mismatches always are.
   */
  loadStateDict(dict: Map<string, Tensor> | Record<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const source = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = this.#stateTensors();
    const missingKeys = [...own.keys()].filter((k) => !source.has(k));
    const unexpectedKeys = [...source.keys()].filter((k) => !own.has(k));
    const problems: string[] = [];
    for (const [name, target] of own) {
      const src = source.get(name);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) {
        problems.push(`'${name}' is not a Tensor (got ${src === null ? 'null' : typeof src})`);
      } else if (src.isDisposed) {
        problems.push(`'${name}' is a disposed tensor`);
      } else if (src.shape.length !== target.shape.length || src.shape.some((d, i) => d !== target.shape[i])) {
        problems.push(`size mismatch for '${name}': the checkpoint has shape ${shapeText(src)}, this module ${shapeText(target)}`);
      }
    }
    if (strict && missingKeys.length) problems.push(`missing keys: ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
    if (problems.length) {
      throw new Error(`${this.constructor.name}.loadStateDict: nothing was loaded:\n  ${problems.join('\n  ')}`);
    }
    noGrad(() => {
      for (const [name, target] of own) {
        const src = source.get(name);
        if (src !== undefined) target.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** The module's own tensors by state-dict name (not detached): what loadStateDict writes into. */
  #stateTensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of m.#parameters) if (p !== null) out.set(key(name), p);
      for (const [name, b] of m.#buffers) if (b !== null && !m.#nonPersistent.has(name)) out.set(key(name), b);
    }
    return out;
  }

  // ---- devices and memory ------------------------------------------------------------------------

  /**
   * Moves every parameter, gradient and buffer to a device, in place: the Tensor objects stay the same
   * (as PyTorch's `param.data = ...`), so references held by optimizers and fields remain valid.
   */
  to(device: Device): this {
    if (typeof device !== 'string' || !(device === 'cpu' || device.startsWith('cuda'))) {
      throw new Error(`${this.constructor.name}.to: expected a device ('cpu', 'cuda' or 'cuda:N'); got ${JSON.stringify(device)}`);
    }
    const tensors = new Map<Tensor, string>();
    for (const [prefix, m] of this.namedModules()) {
      for (const members of [m.#parameters, m.#buffers]) {
        for (const [name, t] of members) if (t && !tensors.has(t)) tensors.set(t, prefix ? `${prefix}.${name}` : name);
      }
    }
    tidy(() => {
      noGrad(() => {
        for (const [t, name] of tensors) {
          if (t.device === device) continue;
          try {
            N.setData(t.native, t.toDevice(device).native);
            const g = t.grad;
            if (g !== null) t.grad = g.toDevice(device);
          } catch (err) {
            throw new Error(`${this.constructor.name}.to(${JSON.stringify(device)}): moving '${name}' failed: ${(err as Error).message}`);
          }
        }
      });
    });
    return this;
  }

  /** Frees every parameter and buffer of this module and its submodules. The module is unusable after. */
  dispose(): void {
    for (const m of this.modules()) {
      for (const p of m.#parameters.values()) p?.dispose();
      for (const b of m.#buffers.values()) b?.dispose();
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- printing ----------------------------------------------------------------------------------

  /** The text inside the parentheses of this module's summary line (PyTorch's extra_repr). */
  extraRepr(): string {
    return '';
  }

  /** A summary of the tree, laid out like PyTorch's repr. */
  toString(): string {
    const extra = this.extraRepr();
    const lines: string[] = [];
    for (const [name, child] of this.#modules) {
      const text = child.toString().split('\n').join('\n  ');
      lines.push(`(${name}): ${text}`);
    }
    if (lines.length === 0) return `${this.constructor.name}(${extra})`;
    const head = extra ? [extra, ...lines] : lines;
    return `${this.constructor.name}(\n  ${head.join('\n  ')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
