// Option checks shared by the spiking neurons, SEW-ResNet, Bi-Real Net and the ANN-to-SNN converter:
// each names its owner ('LIFNode', 'SewResNet', 'convertToSnn'), the option and the bad value, so a
// wrong option from a config file or the command line reads as what went wrong.

/** How a value reads in an error message. */
export function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  if (Array.isArray(v)) return `[${v.map(shown).join(', ')}]`;
  if (typeof v === 'object') return v.constructor?.name ?? 'object';
  return typeof v;
}

/** The options object (undefined reads as {}), with only the allowed keys. */
export function optionsObject<T extends object>(owner: string, options: T | undefined, allowed: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`${owner}: options must be an object with keys ${allowed.join(', ')}; got ${shown(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`${owner}: unknown option '${key}'; allowed: ${allowed.join(', ')}`);
  }
  return options;
}

export function positiveInt(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${owner}: ${name} must be a positive integer; got ${shown(value)}`);
  }
  return value;
}

export function finiteNumber(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${owner}: ${name} must be a finite number; got ${shown(value)}`);
  return value;
}

export function booleanOption(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new Error(`${owner}: ${name} must be true or false; got ${shown(value)}`);
  return value;
}

/** A list of `length` positive integers (ResNet stage depths). */
export function positiveIntList(owner: string, name: string, value: unknown, length: number): number[] {
  if (!Array.isArray(value) || value.length !== length || value.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${owner}: ${name} must be ${length} positive integers (blocks per stage); got ${shown(value)}`);
  }
  return [...value];
}
