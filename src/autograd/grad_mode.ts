// Grad mode: whether ops record autograd history. libtorch keeps it per thread; all our ops run on the
// JS thread, so switching it around a synchronous function is exact.
import { N } from '../core/native.js';

function withGradMode<T>(enabled: boolean, fn: () => T, name: string): T {
  if (typeof fn !== 'function') throw new Error(`${name}: expected a function, got ${fn === null ? 'null' : typeof fn}`);
  const previous = N.isGradEnabled();
  N.setGradEnabled(enabled);
  try {
    const result = fn();
    if (typeof (result as { then?: unknown })?.then === 'function') {
      throw new Error(`${name}: the function returned a Promise; grad mode cannot span an await`);
    }
    return result;
  } finally {
    N.setGradEnabled(previous);
  }
}

/** Runs fn without recording autograd history (inference, parameter updates). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn, 'noGrad');
}

/** Runs fn with autograd recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn, 'enableGrad');
}

export function isGradEnabled(): boolean {
  return N.isGradEnabled();
}
