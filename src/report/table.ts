// Result tables like the paper's Table 8: rows are methods, columns are (dataset, metric) pairs, cells are
// "mean (standard error)" over repeated runs, e.g. "0.828 (0.004)". Written as Markdown, CSV, JSON and
// aligned text for a terminal; files are written atomically.
import { finiteOrNull } from '../io/json.js';
import { csvText } from './csv.js';

// The table's data (summaries, columns, rows) lives in src/metrics/summary.ts, below src/train, which builds tables.
import { formatMeanSe, metricLabel, type ResultColumn, type ResultRow, type ResultTable } from '../metrics/summary.js';

export { summarize, formatMeanSe, metricLabel } from '../metrics/summary.js';
export type { Summary, ResultColumn, ResultRow, ResultTable } from '../metrics/summary.js';

function columnTitle(c: ResultColumn): string {
  return `${c.dataset} ${metricLabel(c.metric)}`;
}

function cellText(t: ResultTable, row: ResultRow, c: ResultColumn): string {
  const s = row.cells[c.key];
  return s ? formatMeanSe(s.mean, s.se, t.digits ?? 3) : '';
}

function bestRowKeys(t: ResultTable, c: ResultColumn): Set<string> {
  if (c.higherIsBetter === undefined) return new Set();
  const digits = t.digits ?? 3;
  const shown = t.rows
    .map((r) => ({ key: r.key, mean: r.cells[c.key]?.mean }))
    .filter((x): x is { key: string; mean: number } => x.mean !== undefined && Number.isFinite(x.mean))
    .map((x) => ({ key: x.key, v: Number(x.mean.toFixed(digits)) }));
  if (shown.length < 2) return new Set();
  const best = c.higherIsBetter ? Math.max(...shown.map((x) => x.v)) : Math.min(...shown.map((x) => x.v));
  return new Set(shown.filter((x) => x.v === best).map((x) => x.key));
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** A Markdown table: Method (rowHeader) | <dataset> <METRIC> ...; the best mean per column in bold (ties all bold). */
export function tableToMarkdown(t: ResultTable): string {
  const lines: string[] = [];
  if (t.title) lines.push(`### ${t.title}`, '');
  lines.push(`| ${mdEscape(t.rowHeader ?? 'Method')} | ${t.columns.map((c) => mdEscape(columnTitle(c))).join(' | ')} |`);
  lines.push(`|---|${t.columns.map(() => '---:').join('|')}|`);
  const best = new Map(t.columns.map((c) => [c.key, bestRowKeys(t, c)]));
  for (const r of t.rows) {
    const cells = t.columns.map((c) => {
      const text = cellText(t, r, c);
      return best.get(c.key)!.has(r.key) && text !== '' ? `**${text}**` : text;
    });
    lines.push(`| ${mdEscape(r.label)} | ${cells.join(' | ')} |`);
  }
  if (t.notes?.length) lines.push('', ...t.notes);
  return `${lines.join('\n')}\n`;
}

/** Aligned plain text for a terminal (no Markdown markup). */
export function tableToText(t: ResultTable): string {
  const header = [t.rowHeader ?? 'Method', ...t.columns.map(columnTitle)];
  const body = t.rows.map((r) => [r.label, ...t.columns.map((c) => cellText(t, r, c))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells: string[]) => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ').trimEnd();
  const lines = [...(t.title ? [t.title] : []), fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)];
  if (t.notes?.length) lines.push(...t.notes);
  return `${lines.join('\n')}\n`;
}

/**
 * CSV in long form, one line per (method, column): method,label,dataset,metric,mean,se,n,cell — full
 * precision numbers (empty when missing) and the formatted cell.
 */
export function tableToCSV(t: ResultTable): string {
  const rows = t.rows.flatMap((r) => t.columns.filter((c) => r.cells[c.key]).map((c) => {
    const s = r.cells[c.key]!;
    return [r.key, r.label, c.dataset, c.metric, finiteOrNull(s.mean), finiteOrNull(s.se), s.n, cellText(t, r, c)];
  }));
  return csvText(['method', 'label', 'dataset', 'metric', 'mean', 'se', 'n', 'cell'], rows);
}

/** JSON-able: { title, digits, columns, rows: [{ key, label, cells: { colKey: { mean, se, sd, n, text } } }] } (NaN → null). */
export function tableToJSON(t: ResultTable): object {
  const num = finiteOrNull;
  return {
    ...(t.title ? { title: t.title } : {}),
    digits: t.digits ?? 3,
    columns: t.columns.map((c) => ({ ...c })),
    rows: t.rows.map((r) => ({
      key: r.key,
      label: r.label,
      cells: Object.fromEntries(
        t.columns.filter((c) => r.cells[c.key]).map((c) => {
          const s = r.cells[c.key]!;
          return [c.key, { mean: num(s.mean), se: num(s.se), sd: num(s.sd), n: s.n, text: cellText(t, r, c) }];
        }),
      ),
    })),
    ...(t.notes?.length ? { notes: [...t.notes] } : {}),
  };
}
