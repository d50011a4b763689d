// JSON has no NaN or Infinity (JSON.stringify writes null for them anyway, silently): every results
// file htaf writes makes that explicit, one number or a whole value at a time, by the same rule.

/** A finite number as it is; NaN, ±Infinity, null and undefined as null. */
export function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A JSON-able deep copy of `v` in which every non-finite number is null (finiteOrNull). */
export function toJsonSafe<T>(v: T): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' ? finiteOrNull(x) : x)));
}
