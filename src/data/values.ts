// How a CSV field's text is read as a value: numbers, missing-value tokens, and the `FILE: row N,
// column 'x': ...` prefix of every message about the data.

/** A decimal number as CSV files write them: `12`, `-0.5`, `.5`, `1e-3`, `+3.` (no thousands separators, no hex). */
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Texts that mean "no value" in a numeric column (case-insensitive): NaN and the infinities, and the
 * usual NA markers. In a column whose other values are numbers they are read as missing values (with a
 * warning naming the column, the count and the first row); in a text column they are ordinary levels.
 */
export const MISSING_TOKENS: readonly string[] = [
  'nan', '-nan', '+nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity',
  'na', 'n/a', '#n/a', 'null', 'none', '?',
];
const MISSING_SET = new Set(MISSING_TOKENS);

/** The finite number a field writes, or undefined (text, empty, NaN/inf tokens, overflow such as 1e999). */
export function parseNumber(field: string): number | undefined {
  if (!NUMBER_RE.test(field)) return undefined;
  const v = Number(field);
  return Number.isFinite(v) ? v : undefined;
}

/** True for a field that reads as a number but overflows float64 (e.g. 1e999): treated like "inf". */
export function isOverflowNumber(field: string): boolean {
  return NUMBER_RE.test(field) && !Number.isFinite(Number(field));
}

/** A NaN/inf/NA-like token (see MISSING_TOKENS), or a number too large for float64. */
export function isMissingToken(field: string): boolean {
  return MISSING_SET.has(field.toLowerCase()) || isOverflowNumber(field);
}

/** `FILE: row N, column 'x': ` (the parts that apply). Row numbers are the file's line numbers (the header is row 1). */
export function where(file: string, row?: number, column?: string): string {
  let s = file;
  const parts: string[] = [];
  if (row !== undefined) parts.push(`row ${row}`);
  if (column !== undefined) parts.push(`column '${column}'`);
  if (parts.length) s += ': ' + parts.join(', ');
  return s + ': ';
}
