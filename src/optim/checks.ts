// Validation of optimizer and schedule hyperparameters. Every message names the owner (class, and the
// param group where it matters), the option and the offending value, so a bad config fails at once at
// construction instead of as a libtorch error, or as NaNs, many steps later. Values are shown by
// showValue (src/core/show.ts); unknown keys are refused by checkKnownKeys (src/core/options.ts).
import { showValue } from '../core/show.js';

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function checkFinite(owner: string, name: string, v: unknown): void {
  if (!isFiniteNumber(v)) throw new Error(`${owner}: ${name} must be a finite number, got ${showValue(v)}`);
}

export function checkNonNegative(owner: string, name: string, v: unknown): void {
  if (!isFiniteNumber(v) || v < 0) throw new Error(`${owner}: ${name} must be a finite number >= 0, got ${showValue(v)}`);
}

/** lr may be left out of an optimizer's defaults only if every param group gives one (PyTorch's `required`). */
export function checkLr(owner: string, v: unknown): void {
  if (v === undefined) throw new Error(`${owner}: lr is required (give it in the options or in every param group), got undefined`);
  checkNonNegative(owner, 'lr', v);
}

export function checkBoolean(owner: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new Error(`${owner}: ${name} must be true or false, got ${showValue(v)}`);
}

/** A number in [0, 1) — Adam's betas; 1 would make the bias correction divide by zero. */
export function checkUnitInterval(owner: string, name: string, v: unknown): void {
  if (!isFiniteNumber(v) || v < 0 || v >= 1) throw new Error(`${owner}: ${name} must be a number in [0, 1), got ${showValue(v)}`);
}

export function checkPositiveInteger(owner: string, name: string, v: unknown): void {
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw new Error(`${owner}: ${name} must be a positive integer, got ${showValue(v)}`);
}

export function checkNonNegativeInteger(owner: string, name: string, v: unknown): void {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new Error(`${owner}: ${name} must be an integer >= 0, got ${showValue(v)}`);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}
