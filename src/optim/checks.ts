// Validation of optimizer and schedule hyperparameters. Every message names the owner (class, and the
// param group where it matters), the option and the offending value, so a bad config fails at once at
// construction instead of as a libtorch error, or as NaNs, many steps later.

/** Shows a value as the user wrote it: NaN, Infinity and undefined stay readable. */
export function show(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  // Objects may hold tensors or be huge: short JSON, else just their keys.
  try {
    const json = JSON.stringify(v);
    if (json !== undefined && json.length <= 120) return json;
  } catch { /* cyclic: fall through */ }
  return typeof v === 'object' ? `an object with keys ${Object.keys(v as object).join(', ') || '(none)'}` : String(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function checkFinite(owner: string, name: string, v: unknown): void {
  if (!isFiniteNumber(v)) throw new Error(`${owner}: ${name} must be a finite number, got ${show(v)}`);
}

export function checkNonNegative(owner: string, name: string, v: unknown): void {
  if (!isFiniteNumber(v) || v < 0) throw new Error(`${owner}: ${name} must be a finite number >= 0, got ${show(v)}`);
}

/** lr may be left out of an optimizer's defaults only if every param group gives one (PyTorch's `required`). */
export function checkLr(owner: string, v: unknown): void {
  if (v === undefined) throw new Error(`${owner}: lr is required (give it in the options or in every param group), got undefined`);
  checkNonNegative(owner, 'lr', v);
}

export function checkBoolean(owner: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new Error(`${owner}: ${name} must be true or false, got ${show(v)}`);
}

/** A number in [0, 1) — Adam's betas; 1 would make the bias correction divide by zero. */
export function checkUnitInterval(owner: string, name: string, v: unknown): void {
  if (!isFiniteNumber(v) || v < 0 || v >= 1) throw new Error(`${owner}: ${name} must be a number in [0, 1), got ${show(v)}`);
}

export function checkPositiveInteger(owner: string, name: string, v: unknown): void {
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw new Error(`${owner}: ${name} must be a positive integer, got ${show(v)}`);
}

export function checkNonNegativeInteger(owner: string, name: string, v: unknown): void {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw new Error(`${owner}: ${name} must be an integer >= 0, got ${show(v)}`);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

/** Rejects keys a config does not have, so a typo such as `weight_decay` is not silently ignored. */
export function checkKnownKeys(owner: string, what: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new Error(`${owner}: unknown ${what} '${key}'; allowed: ${allowed.join(', ')}`);
  }
}
