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

/** Rejects an options argument that is not an object, or that names an option the op does not have. */
export function checkOptions(op: string, options: unknown, allowed: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${op}: the options argument must be an object with any of: ${allowed.join(', ')}; got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new Error(`${op}: unknown option '${key}'; allowed: ${allowed.join(', ')}`);
    }
  }
}
