// The one CSV writer of every table htaf writes (results, concept tables, gradient studies, the bound
// ablation, ANN-to-SNN conversion), through csv-stringify: RFC 4180 quoting (a field holding a comma, a
// double quote, a CR or a LF is quoted, its quotes doubled), '\n' after every record.
import { stringify } from 'csv-stringify/sync';

/** One field: text as it is, a number as String() writes it (NaN and Infinity included), null or undefined empty. */
export type CsvCell = string | number | boolean | null | undefined;

function cellText(v: CsvCell): string {
  return v === null || v === undefined ? '' : String(v);
}

/**
 * CSV text: the header line, then one line per row, each ending with '\n'. A caller that wants an
 * empty field for a missing number passes null (numbers are written as String() writes them).
 */
export function csvText(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const records: string[][] = [header.map(cellText)];
  for (const row of rows) records.push(row.map(cellText));
  return stringify(records);
}
