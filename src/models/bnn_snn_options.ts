// Option checks shared by the spiking neurons, SEW-ResNet, Bi-Real Net and the ANN-to-SNN converter:
// each names its owner ('LIFNode', 'SewResNet', 'convertToSnn'), the option and the bad value, so a
// wrong option from a config file or the command line reads as what went wrong. Values are shown by
// showValue (src/core/show.ts); the options object is checked by checkOptionsObject (src/core/options.ts).
import { showValue } from '../core/show.js';

export function positiveInt(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${owner}: ${name} must be a positive integer; got ${showValue(value)}`);
  }
  return value;
}

export function finiteNumber(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${owner}: ${name} must be a finite number; got ${showValue(value)}`);
  return value;
}

export function booleanOption(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new Error(`${owner}: ${name} must be true or false; got ${showValue(value)}`);
  return value;
}

/** A list of `length` positive integers (ResNet stage depths). */
export function positiveIntList(owner: string, name: string, value: unknown, length: number): number[] {
  if (!Array.isArray(value) || value.length !== length || value.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${owner}: ${name} must be ${length} positive integers (blocks per stage); got ${showValue(value)}`);
  }
  return [...value];
}
