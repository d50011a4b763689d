// How a value reads in an error message, the same in every layer: `${owner}: ${name} must be ...; got ${showValue(v)}`.
// Numbers as JavaScript prints them (NaN, Infinity, -1e-8), strings quoted and shortened, arrays item
// by item, small plain objects as JSON, other objects by their class, and anything that knows how to
// show itself (a Tensor: float32[2, 3]) through the SHOW method. It never throws.

/** A method `[SHOW](): string` gives an object's own text in messages (Tensor: `float32[2, 3]` or `<disposed tensor>`). */
export const SHOW: unique symbol = Symbol.for('htaf.show');

export interface ShowOptions {
  /**
   * The quote around strings: '"' (the default; the text is JSON-escaped) or "'" (the native addon's
   * style, native/src/op_call.cc, which the tensor ops' TypeScript checks follow: `op(self=float32[2], dim='a')`).
   */
  quote?: '"' | "'";
}

/** Longer strings are cut to this many characters and '...'. */
const MAX_STRING = 40;
/** Arrays show their first items only. */
const MAX_ITEMS = 8;
/** A plain object shows as JSON up to this length, else by its keys. */
const MAX_JSON = 120;

function showString(s: string, quote: '"' | "'"): string {
  const t = s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}...` : s;
  return quote === "'" ? `'${t}'` : JSON.stringify(t);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function show(v: unknown, quote: '"' | "'", depth: number): string {
  if (typeof v === 'string') return showString(v, quote);
  if (typeof v === 'function') return 'function';
  if (typeof v !== 'object' || v === null) return String(v);
  const own = (v as { [SHOW]?: unknown })[SHOW];
  if (typeof own === 'function') {
    try {
      return String(own.call(v));
    } catch {
      return 'object';
    }
  }
  if (Array.isArray(v)) {
    if (depth > 1) return '[...]';
    const items = v.slice(0, MAX_ITEMS).map((x) => show(x, quote, depth + 1));
    if (v.length > MAX_ITEMS) items.push(`... (${v.length} items)`);
    return `[${items.join(', ')}]`;
  }
  if (isPlainObject(v)) {
    try {
      const json = JSON.stringify(v);
      if (json !== undefined && json.length <= MAX_JSON) return json;
    } catch { /* cyclic or a BigInt inside: by its keys */ }
    return `an object with keys ${Object.keys(v).join(', ') || '(none)'}`;
  }
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}

/**
 * A value as an error message shows it: numbers, booleans, null, undefined and bigints as String() writes
 * them; strings quoted (cut after 40 characters); arrays item by item (the first 8, two levels deep);
 * objects with a SHOW method by it; plain objects as JSON when short, else by their keys; other objects
 * by their class name (`Float32Array`, `Linear`); functions as 'function'.
 */
export function showValue(v: unknown, options: ShowOptions = {}): string {
  return show(v, options.quote ?? '"', 0);
}
