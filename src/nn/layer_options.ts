// Argument checks the layers share, so a bad constructor argument fails at construction with a message
// naming the layer, the option and the value (not later, inside a native op).
import type { DType, Device } from '../core/types.js';

/** Rejects a non-object options argument or an option the layer does not have (naming both). */
export { checkOptions } from '../tensor/tensor_base.js';

/** Where and in what type a layer creates its parameters (PyTorch's factory_kwargs). */
export interface FactoryOptions {
  dtype?: DType;
  device?: Device;
}

export const FACTORY_KEYS = ['dtype', 'device'] as const;

export function checkPositiveInt(layer: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${layer}: ${name} must be a positive integer; got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkNonNegativeInt(layer: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`${layer}: ${name} must be a non-negative integer; got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * An int-or-tuple argument (kernel size, stride...) as exactly n ints, each checked (`min` 1 for sizes,
 * 0 for padding). One int repeats n times, as PyTorch's _pair does.
 */
export function ntuple(layer: string, name: string, value: number | readonly number[], n: number, min: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(n).fill(value) : Array.isArray(value) ? [...value] : null;
  if (list === null || list.length !== n || list.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < min)) {
    throw new Error(`${layer}: ${name} must be an integer >= ${min} or a list of ${n} such integers; got ${JSON.stringify(value)}`);
  }
  return list;
}

/** Formats an int tuple the way PyTorch's repr shows it: (3, 3). */
export function tupleText(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}
