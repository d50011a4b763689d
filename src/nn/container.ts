// Containers: Sequential (children run in order, named "0", "1", ... as PyTorch names them) and
// ModuleList (children held by index, run by the owner's own forward).
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

function describe(v: unknown): string {
  return v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}

/** The child at index i (negative counts from the end), or an error naming the container and its length. */
function childAt(owner: Module, kind: string, i: number): Module {
  const list = [...owner.children()];
  const k = Number.isInteger(i) && i < 0 ? i + list.length : i;
  if (!Number.isInteger(k) || k < 0 || k >= list.length) {
    throw new Error(`${kind}.at: index ${i} is out of range for ${list.length} modules`);
  }
  return list[k];
}

/**
 * Runs its modules in order, each on the previous one's output (through call(), so hooks run).
 * `new Sequential(a, b, c)` names the children "0", "1", "2"; `new Sequential({ conv: a, relu: b })` or a
 * Map names them by key.
 */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Record<string, Module> | Map<string, Module>]) {
    super();
    const first = modules[0] as unknown;
    if (modules.length === 1 && !(first instanceof Module) && typeof first === 'object' && first !== null) {
      const entries = first instanceof Map ? [...first.entries()] : Object.entries(first);
      for (const [name, m] of entries) this.#add(name, m, `'${name}'`);
    } else {
      modules.forEach((m, i) => this.#add(String(i), m, `argument ${i}`));
    }
  }

  #add(name: string, m: unknown, where: string): void {
    if (!(m instanceof Module)) throw new Error(`Sequential: ${where} is not a Module (got ${describe(m)})`);
    this.registerModule(name, m);
  }

  get length(): number {
    return [...this.children()].length;
  }

  at(i: number): Module {
    return childAt(this, 'Sequential', i);
  }

  /** Adds a module at the end, named by its index. */
  append(m: Module): this {
    this.#add(String(this.length), m, 'the appended value');
    return this;
  }

  [Symbol.iterator](): IterableIterator<Module> {
    return this.children();
  }

  forward(input: Tensor): Tensor {
    let x: any = input;
    for (const m of this.children()) x = m.call(x);
    return x;
  }
}

/** Holds modules by index so their parameters are registered ("0.weight", ...); it has no forward. */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  get length(): number {
    return [...this.children()].length;
  }

  at(i: number): Module {
    return childAt(this, 'ModuleList', i);
  }

  append(m: Module): this {
    if (!(m instanceof Module)) throw new Error(`ModuleList.append: the value is not a Module (got ${describe(m)})`);
    this.registerModule(String(this.length), m);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  [Symbol.iterator](): IterableIterator<Module> {
    return this.children();
  }

  forward(): never {
    throw new Error('ModuleList has no forward: iterate over it (for (const m of list) x = m.call(x)) in the owner module');
  }
}
