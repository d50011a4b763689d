// Argument checks shared by the theory functions: each error names the function, the argument and the
// value (shown by showValue, src/core/show.ts).
import { showValue } from '../core/show.js';

/** A finite number (any sign). */
export function finite(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: ${name} must be a finite number, got ${showValue(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${fn}: ${name} must be a finite number, got ${showValue(value)}`);
  return value;
}

/** A finite number > 0 (alpha, beta, gamma, delta). */
export function positive(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: ${name} must be a finite number > 0, got ${showValue(value)}`);
  if (!Number.isFinite(value) || !(value > 0)) throw new RangeError(`${fn}: ${name} must be a finite number > 0, got ${showValue(value)}`);
  return value;
}

/** The accuracy eps of Proposition 3.1: a number in (0, 1/2). */
export function epsilon(fn: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: eps must be a number in (0, 1/2), got ${showValue(value)}`);
  if (!(value > 0 && value < 0.5)) throw new RangeError(`${fn}: eps must be a number in (0, 1/2), got ${showValue(value)}`);
  return value;
}
