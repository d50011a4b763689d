// The root of Tensor: it holds the native handle. Kept apart from tensor.ts so the generated method
// table (tensor_ops.generated.ts) can sit between the two without an import cycle.
import type { NativeHandle } from '../core/types.js';

export abstract class TensorBase {
  /** The native handle. It stays valid (as a disposed handle) after dispose(), so errors can say so. */
  readonly native: NativeHandle;

  constructor(native: NativeHandle) {
    this.native = native;
  }
}

/**
 * Handle of a Tensor argument. Anything else is passed through untouched so the addon can reject it with
 * an error that names the op, the argument and the shapes.
 */
export function h(x: unknown): NativeHandle {
  return (x instanceof TensorBase ? x.native : x) as NativeHandle;
}

/** Handle of an optional Tensor argument. */
export function ho(x: unknown): NativeHandle | null {
  return x === null || x === undefined ? null : h(x);
}

/** Handles of a Tensor-list argument. */
export function hl(xs: unknown): NativeHandle[] {
  return (Array.isArray(xs) ? xs.map(h) : xs) as NativeHandle[];
}

/**
 * One argument as the addon's errors show it: tensors as dtype[shape] (or <disposed tensor>), strings quoted,
 * arrays item by item. Never throws (a garbage handle reads as "object").
 */
export function describeValue(v: unknown, depth = 0): string {
  if (v instanceof TensorBase) {
    try {
      const t = v as unknown as { isDisposed: boolean; dtype: string; shape: readonly number[] };
      return t.isDisposed ? '<disposed tensor>' : `${t.dtype}[${t.shape.join(', ')}]`;
    } catch {
      return 'object';
    }
  }
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '...' : v}'`;
  if (Array.isArray(v)) {
    if (depth > 1) return '[...]';
    const items = v.slice(0, 8).map((x) => describeValue(x, depth + 1));
    if (v.length > 8) items.push(`... (${v.length} items)`);
    return `[${items.join(', ')}]`;
  }
  if (typeof v === 'object') return 'object';
  if (typeof v === 'function') return 'function';
  return String(v);
}

/** "name=value, ..." for an error message, like the addon's. */
export function describeArgs(args: Record<string, unknown>): string {
  return Object.entries(args).map(([k, v]) => `${k}=${describeValue(v)}`).join(', ');
}

/**
 * Rejects an options argument that is not an object, or that names an option the op does not have. With
 * `args` (the op's other arguments), the message reads like the addon's: `op(self=float32[2, 3], ...): ...`.
 */
export function checkOptions(op: string, options: unknown, allowed: readonly string[], args?: Record<string, unknown>): void {
  const head = args ? `${op}(${describeArgs(args)})` : op;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${head}: the options argument must be an object with any of: ${allowed.join(', ')}; got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new Error(`${head}: unknown option '${key}'; allowed: ${allowed.join(', ')}`);
    }
  }
}
