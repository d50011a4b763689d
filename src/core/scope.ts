// Scopes free native memory synchronously (docs/design.md rule 4). Every Tensor created while a scope is open
// belongs to it and is disposed when the scope ends, unless it is returned from the scope (it then moves
// to the enclosing scope) or kept with keep(). A scope never spans an await.

/** What a scope needs of a tensor; Tensor implements it. */
export interface Scoped {
  readonly isDisposed: boolean;
  readonly isKept: boolean;
  dispose(): void;
}

const stack: Scope[] = [];

export class Scope {
  private readonly owned: Scoped[] = [];
  private ended = false;

  constructor() {
    stack.push(this);
  }

  /** @internal called by Tensor's constructor */
  adopt(t: Scoped): void {
    this.owned.push(t);
  }

  /**
   * Disposes every tensor created in this scope except those reachable from `result` (arrays, plain
   * objects and Maps are searched) and kept ones; the survivors move to the enclosing scope.
   */
  end(result?: unknown): void {
    if (this.ended) return;
    if (stack[stack.length - 1] !== this) {
      throw new Error('htaf scope: scopes must end in the reverse order they started (an inner scope is still open)');
    }
    stack.pop();
    this.ended = true;
    const survivors = new Set<Scoped>();
    collectTensors(result, survivors, 0);
    const parent = stack[stack.length - 1];
    // One tensor whose dispose() throws (a Tensor built by hand on a bad handle) must not leak the rest.
    let failure: unknown;
    let failed = false;
    for (const t of this.owned) {
      if (t.isKept || t.isDisposed) continue;
      if (survivors.has(t)) {
        parent?.adopt(t);
        continue;
      }
      try {
        t.dispose();
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
    this.owned.length = 0;
    if (failed) throw failure;
  }

  [Symbol.dispose](): void {
    this.end();
  }

  /**
   * @internal Ends this scope and every scope opened after it that was never ended (as when an error skipped
   * their end()), keeping nothing but kept tensors. Leaves the scope stack as it was before this scope began.
   */
  abandon(): void {
    const i = stack.indexOf(this);
    if (i < 0) return;
    while (stack.length > i + 1) stack[stack.length - 1].end();
    this.end();
  }
}

function isScoped(v: unknown): v is Scoped {
  return typeof v === 'object' && v !== null && 'dispose' in v && 'isKept' in v && 'isDisposed' in v;
}

function collectTensors(v: unknown, out: Set<Scoped>, depth: number): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (isScoped(v)) {
    out.add(v);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) collectTensors(x, out, depth + 1);
  } else if (v instanceof Map) {
    for (const x of v.values()) collectTensors(x, out, depth + 1);
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) collectTensors(x, out, depth + 1);
  }
}

/** The innermost open scope, if any. */
export function currentScope(): Scope | undefined {
  return stack[stack.length - 1];
}

export function scopeDepth(): number {
  return stack.length;
}

function isThenable(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Runs fn in a new scope: tensors it creates are freed when it returns, except those in its result.
 * @example const loss = tidy(() => model.forward(x).sub(y).square().mean());
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`tidy: expected a function, got ${fn === null ? 'null' : typeof fn}`);
  const scope = new Scope();
  let result: T;
  try {
    result = fn();
  } catch (err) {
    // Scopes fn opened and the error skipped are ended too, so the original error is the one thrown.
    try {
      scope.abandon();
    } catch {
      // a failure to free (a bad handle) matters less than the error that stopped fn
    }
    throw err;
  }
  if (isThenable(result)) {
    scope.abandon();
    throw new Error('tidy: the function returned a Promise; a scope cannot span an await. Await outside tidy, or tidy each synchronous step.');
  }
  if (currentScope() !== scope) {
    scope.abandon();
    throw new Error('tidy: the function returned with a scope it opened still open (a Scope without end()); its tensors and the result were freed');
  }
  scope.end(result);
  return result;
}
