// Reading a CSV file a user can trust (issue 4): UTF-8 (a BOM is stripped), the delimiter detected among
// , ; TAB | by consistency over the first records, quoted fields (RFC 4180, through csv-parse), the header
// line detected, and every problem reported as `FILE: row N, column 'x': ...` (N = the file's line).
import { readFileSync } from 'node:fs';
import { parse, type Options as CsvParseOptions } from 'csv-parse/sync';
import type { RawTable } from './tabular_types.js';
import { showValue } from '../core/show.js';
import { parseNumber, where } from './values.js';

/** The delimiters `readCsv` detects, in order of preference when two are equally consistent. */
export const CSV_DELIMITERS: readonly string[] = [',', ';', '\t', '|'];

/** How many records (from the top) the delimiter and header detection look at. */
const SAMPLE_RECORDS = 50;

export interface CsvOptions {
  /** Skip detection: one character (not a quote or a line break). */
  delimiter?: string;
  /** Skip detection: true when the first line is a header, false when it is data (columns then named column1, column2, ...). */
  header?: boolean;
}

/**
 * Reads a CSV file into columns of raw strings. Fields are trimmed (spaces inside quotes are kept);
 * blank lines are skipped; line endings may be LF, CRLF or CR; a UTF-8 BOM is stripped. Throws an
 * Error naming the file (and the row, i.e. the line, and the column where one applies) for: an
 * unreadable or empty file, text that is not UTF-8 (or is UTF-16), a quote never closed, a row whose
 * number of fields differs from the header's, a column name used twice. A column without a name is
 * called columnK, with a warning in `table.warnings`.
 */
export function readCsv(file: string, options: CsvOptions = {}): RawTable {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'a folder, not a file' : e.message;
    throw new Error(`${file}: cannot read the file (${why})`);
  }
  return parseCsv(decodeUtf8(buf, file), file, options);
}

/** The same as `readCsv` on text already in memory; `file` only names it in messages. */
export function parseCsv(text: string, file = '<csv>', options: CsvOptions = {}): RawTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\r\n?/g, '\n');
  if (text.trim() === '') throw new Error(`${file}: the file is empty (no header, no rows)`);

  let delimiter: string;
  if (options.delimiter !== undefined) {
    if (options.delimiter.length !== 1 || '"\n\r'.includes(options.delimiter)) {
      throw new Error(`${file}: delimiter ${JSON.stringify(options.delimiter)} must be one character, not a quote or a line break`);
    }
    delimiter = options.delimiter;
  } else {
    delimiter = detectDelimiter(text);
  }

  const records = parseRecords(text, delimiter, file);
  const warnings: string[] = [];
  const hasHeader = options.header ?? looksLikeHeader(records);
  const width = records[0].fields.length;
  let header: string[];
  if (hasHeader) {
    header = records[0].fields.map((f) => f.trim());
    const seen = new Map<string, number>();
    header.forEach((name, c) => {
      if (name === '') {
        header[c] = `column${c + 1}`;
        warnings.push(`${where(file, records[0].line)}column ${c + 1} has no name; it is called '${header[c]}'`);
      }
    });
    header.forEach((name, c) => {
      const before = seen.get(name);
      if (before !== undefined) {
        throw new Error(`${where(file, records[0].line, name)}the name is used twice (columns ${before + 1} and ${c + 1}); rename one in the header`);
      }
      seen.set(name, c);
    });
  } else {
    header = Array.from({ length: width }, (_, c) => `column${c + 1}`);
    const numeric = records[0].fields.find((f) => parseNumber(f) !== undefined);
    warnings.push(`${file}: no header line found (${numeric !== undefined ? `row ${records[0].line} has the number ${showValue(numeric)}` :
      'row 1 holds values that recur below it'}), so the columns are named column1..column${width}; ` +
      'pass header: true if the first line is a header');
  }
  const data = hasHeader ? records.slice(1) : records;
  for (const r of data) {
    if (r.fields.length === width) continue;
    if (r.fields.length < width) {
      throw new Error(`${where(file, r.line, header[r.fields.length])}the row has ${r.fields.length} fields where the header has ${width} ` +
        `(from column '${header[r.fields.length]}' on, values are missing; a missing value is an empty field between delimiters)`);
    }
    throw new Error(`${where(file, r.line)}the row has ${r.fields.length} fields where the header has ${width} ` +
      `(delimiter ${delimiterName(delimiter)}; quote fields that contain it, e.g. "a${delimiter}b")`);
  }
  const table: RawTable = {
    file,
    header,
    rows: data.map((r) => r.fields),
    lineOf: data.map((r) => r.line),
    delimiter,
    hasHeader,
  };
  if (warnings.length) table.warnings = warnings;
  return table;
}

/** A readable name for a delimiter in messages. */
export function delimiterName(d: string): string {
  return d === '\t' ? 'TAB' : `'${d}'`;
}

function decodeUtf8(buf: Buffer, file: string): string {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    throw new Error(`${file}: the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8`);
  }
  const head = buf.subarray(0, 65536);
  const nul = head.indexOf(0);
  if (nul >= 0) {
    throw new Error(`${where(file, lineAtByte(buf, nul))}the file contains NUL bytes: not a text CSV file (or UTF-16 without a byte order mark; save it as UTF-8)`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    // Find the first invalid byte sequence for the message.
    const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(buf);
    const at = lenient.indexOf('\ufffd');
    const line = at < 0 ? undefined : lenient.slice(0, at).split('\n').length;
    throw new Error(`${where(file, line)}the file is not valid UTF-8 text (Latin-1 or Windows-1252?); save it as UTF-8`);
  }
}

function lineAtByte(buf: Buffer, byte: number): number {
  let line = 1;
  for (let i = 0; i < byte; i++) if (buf[i] === 0x0a) line++;
  return line;
}

interface ParsedRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The first line at or after `line` that holds more than whitespace. */
function firstNonBlankLine(text: string, line: number): number {
  const lines = text.split('\n');
  for (let i = line - 1; i < lines.length; i++) if (lines[i].trim() !== '') return i + 1;
  return line;
}

function parseRecords(text: string, delimiter: string, file: string, limit?: number): ParsedRecord[] {
  const out: ParsedRecord[] = [];
  let cursor = 1; // the line where the next raw chunk starts
  const parseOptions = {
    delimiter,
    record_delimiter: '\n',
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    trim: true,
    raw: true,
    max_record_size: 1 << 24,
    ...(limit !== undefined ? { to: limit } : {}),
    on_record: (rec: { record: string[]; raw: string }) => {
      // raw holds the blank lines skipped before the record, then the record and its line break.
      const raw = rec.raw;
      const lead = /^(?:[ \t\f\v]*\n)*/.exec(raw)![0];
      let skipped = countNewlines(lead);
      if (lead.length === raw.length && skipped > 0) skipped--; // the record itself is a line of empty fields
      out.push({ fields: rec.record, line: cursor + skipped });
      cursor += countNewlines(raw);
      return null;
    },
  } as unknown as CsvParseOptions;
  try {
    parse(text, parseOptions);
  } catch (err) {
    const line = firstNonBlankLine(text, cursor);
    throw new Error(`${where(file, line)}${describeCsvError(err as Error & { code?: string })}`);
  }
  return out;
}

function describeCsvError(err: Error & { code?: string }): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field opened in this row is never closed (no closing " before the end of the file)';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'a quoted field\'s closing " is followed by other characters before the delimiter (inside quotes, write " as "")';
    case 'CSV_MAX_RECORD_SIZE':
      return 'a record longer than 16 MiB (a quote never closed?)';
    default:
      return `cannot parse the CSV: ${err.message}`;
  }
}

/**
 * The delimiter among , ; TAB | that splits the first records into the same number (> 1) of fields;
 * when several do, the one giving the most fields (ties: the order above). When none is consistent,
 * the one whose most common count (> 1) covers the most records, so that the full parse can name the
 * ragged row. Fields are split quote-aware, so a quoted "a,b" does not count.
 */
function detectDelimiter(text: string): string {
  let best: { d: string; fields: number } | undefined;
  let fallback: { d: string; covered: number } | undefined;
  for (const d of CSV_DELIMITERS) {
    let records: ParsedRecord[];
    try {
      records = parseRecords(text, d, '', SAMPLE_RECORDS);
    } catch {
      continue; // a wrong delimiter often leaves quotes in the middle of fields
    }
    if (records.length === 0) continue;
    const counts = records.map((r) => r.fields.length);
    if (counts.every((n) => n === counts[0]) && counts[0] > 1) {
      if (!best || counts[0] > best.fields) best = { d, fields: counts[0] };
      continue;
    }
    const freq = new Map<number, number>();
    for (const n of counts) if (n > 1) freq.set(n, (freq.get(n) ?? 0) + 1);
    for (const covered of freq.values()) {
      if (!fallback || covered > fallback.covered) fallback = { d, covered };
    }
  }
  return best?.d ?? fallback?.d ?? ',';
}

/**
 * The first record is a header unless one of its fields is a number, or every column holds text only
 * and each of the first record's fields recurs in its column below (then it reads as data).
 */
function looksLikeHeader(records: ParsedRecord[]): boolean {
  const first = records[0].fields;
  if (first.some((f) => parseNumber(f) !== undefined)) return false;
  if (records.length === 1) return true;
  const rest = records.slice(1, 1 + 1000);
  for (let c = 0; c < first.length; c++) {
    let recurs = false;
    for (const r of rest) {
      const v = r.fields[c] ?? '';
      if (parseNumber(v) !== undefined) return true;
      if (v === first[c]) recurs = true;
    }
    if (!recurs) return true;
  }
  return false;
}
