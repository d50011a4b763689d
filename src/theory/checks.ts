// Argument checks shared by the theory functions: each error names the function, the argument and the value.

function show(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value}' (a string)`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return `a ${typeof value}`;
}

/** A finite number (any sign). */
export function finite(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: ${name} must be a finite number, got ${show(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${fn}: ${name} must be a finite number, got ${show(value)}`);
  return value;
}

/** A finite number > 0 (alpha, beta, gamma, delta). */
export function positive(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: ${name} must be a finite number > 0, got ${show(value)}`);
  if (!Number.isFinite(value) || !(value > 0)) throw new RangeError(`${fn}: ${name} must be a finite number > 0, got ${show(value)}`);
  return value;
}

/** The accuracy eps of Proposition 3.1: a number in (0, 1/2). */
export function epsilon(fn: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: eps must be a number in (0, 1/2), got ${show(value)}`);
  if (!(value > 0 && value < 0.5)) throw new RangeError(`${fn}: eps must be a number in (0, 1/2), got ${show(value)}`);
  return value;
}
