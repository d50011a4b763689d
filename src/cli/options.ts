// Parsers for CLI option values: each rejects a bad value with a message naming the option.
import { InvalidArgumentError } from 'commander';
import { TASK_KINDS, type TaskKind } from '../data/index.js';
import { canonicalActivationSpec } from '../activations/index.js';

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got '${value}'`);
    return n;
  };
}

export function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be an integer >= 0, got '${value}'`);
    return n;
  };
}

export function shapeList(name: string) {
  return (value: string): number[] => {
    const dims = value.split(',').map((s) => Number(s.trim()));
    if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new InvalidArgumentError(`${name} must be a comma-separated list of positive integers, got '${value}'`);
    }
    return dims;
  };
}

export function oneOf<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}, got '${value}'`);
    }
    return value as T;
  };
}

/** `--task binary|multiclass|regression`, as every tabular command takes it. */
export const taskOption = oneOf<TaskKind>('--task', TASK_KINDS);

export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a finite number > 0, got '${value}'`);
    return n;
  };
}

export function nonNegativeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a finite number >= 0, got '${value}'`);
    return n;
  };
}

/** A number strictly between 0 and 1 (a share). */
export function fraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !(n > 0 && n < 1)) throw new InvalidArgumentError(`${name} must be a number in (0, 1), got '${value}'`);
    return n;
  };
}

/** An activation spec (registry syntax), returned in its canonical form. */
export function activationSpecOption(value: string): string {
  try {
    return canonicalActivationSpec(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
