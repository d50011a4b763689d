// The root of Tensor: it holds the native handle. Kept apart from tensor.ts so the generated method
// table (tensor_ops.generated.ts) can sit between the two without an import cycle.
import type { NativeHandle } from '../core/types.js';
import { checkOptionsObject } from '../core/options.js';
import { SHOW, showValue } from '../core/show.js';

export abstract class TensorBase {
  /** The native handle. It stays valid (as a disposed handle) after dispose(), so errors can say so. */
  readonly native: NativeHandle;

  constructor(native: NativeHandle) {
    this.native = native;
  }

  /** How messages show a tensor (showValue): dtype[shape], or <disposed tensor>, as the addon does. */
  [SHOW](): string {
    const t = this as unknown as { isDisposed: boolean; dtype: string; shape: readonly number[] };
    return t.isDisposed ? '<disposed tensor>' : `${t.dtype}[${t.shape.join(', ')}]`;
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

/** "name=value, ..." for an error message, like the addon's. */
export function describeArgs(args: Record<string, unknown>): string {
  return Object.entries(args).map(([k, v]) => `${k}=${showValue(v, { quote: "'" })}`).join(', ');
}

/**
 * Rejects an options argument that is not an object, or that names an option the op does not have. With
 * `args` (the op's other arguments), the message reads like the addon's: `op(self=float32[2, 3], ...): ...`.
 */
export function checkOptions(op: string, options: unknown, allowed: readonly string[], args?: Record<string, unknown>): void {
  checkOptionsObject(args ? `${op}(${describeArgs(args)})` : op, options as object | undefined, allowed);
}
