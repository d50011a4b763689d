// Small HTML pieces for the ICBM report: escaping (every string from a run — class names, concept
// names, metric keys — goes through `esc`), data: URIs for embedded figures, the metrics table built
// from whatever the train command recorded, and the page's style sheet. No scripts, no network: the
// page opens from disk.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

export function pngDataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

export function svgDataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** Width and height an SVG document declares (vega writes both), for the <img> that shows it. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('icbm report: figure SVG declares no width and height');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** A number as the report prints it: integers whole, others with 4 decimals; NaN and ±∞ spelled out. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toFixed(1) : v.toFixed(4);
}

export function formatShare(v: number): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : 'n/a';
}

const ROW_LABELS: Record<string, string> = { standard: 'standard model', icbm: 'ICBM', bm: 'BM (median thresholds)', ss: 'SS', ste: 'STE' };

/** "smoothAccuracy" → "smooth accuracy"; "concept_accuracy" → "concept accuracy". */
export function humanizeKey(key: string): string {
  return key.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/\s+/g, ' ').trim().toLowerCase();
}

function cellText(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  const json = JSON.stringify(v);
  return json.length > 120 ? `${json.slice(0, 117)}…` : json;
}

function flatten(value: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
    else out.set(key, v);
  }
}

/** The metrics the train command recorded, as rows (its objects: standard, icbm, bm, ...) and loose values. */
export interface MetricsTable {
  columns: string[];
  rows: { key: string; label: string; cells: Map<string, unknown> }[];
  scalars: [string, unknown][];
}

/**
 * Lays out `run.metrics` without knowing its keys: each top-level object becomes a row (nested objects
 * flattened to dotted keys), the union of their keys the columns in first-seen order; other top-level
 * values are listed apart.
 */
export function metricsTable(metrics: Record<string, unknown>): MetricsTable {
  const columns: string[] = [];
  const rows: MetricsTable['rows'] = [];
  const scalars: [string, unknown][] = [];
  for (const [key, value] of Object.entries(metrics)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const cells = new Map<string, unknown>();
      flatten(value as Record<string, unknown>, '', cells);
      for (const c of cells.keys()) if (!columns.includes(c)) columns.push(c);
      rows.push({ key, label: ROW_LABELS[key] ?? key, cells });
    } else {
      scalars.push([key, value]);
    }
  }
  return { columns, rows, scalars };
}

export function metricsTableHtml(t: MetricsTable): string {
  const parts: string[] = [];
  if (t.rows.length > 0) {
    parts.push('<table class="metrics"><thead><tr><th>model</th>');
    for (const c of t.columns) parts.push(`<th>${esc(humanizeKey(c))}</th>`);
    parts.push('</tr></thead><tbody>');
    for (const r of t.rows) {
      parts.push(`<tr><th scope="row">${esc(r.label)}</th>`);
      for (const c of t.columns) parts.push(`<td>${r.cells.has(c) ? esc(cellText(r.cells.get(c))) : '—'}</td>`);
      parts.push('</tr>');
    }
    parts.push('</tbody></table>');
  }
  if (t.scalars.length > 0) {
    parts.push('<dl class="facts">');
    for (const [k, v] of t.scalars) parts.push(`<dt>${esc(humanizeKey(k))}</dt><dd>${esc(cellText(v))}</dd>`);
    parts.push('</dl>');
  }
  if (parts.length === 0) parts.push('<p class="note">The run recorded no metrics.</p>');
  return parts.join('');
}

export const REPORT_CSS = `
:root { color-scheme: light; }
body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1400px; padding: 16px 28px 48px; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
h3 { margin: 1.6em 0 0.4em; }
nav ol { columns: 2; max-width: 700px; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #d5d5d5; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0.6em 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
figure { margin: 1em 0; }
figure img.figure { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #444; max-width: 1000px; }
.note { color: #555; font-size: 0.92em; }
.node { border-top: 1px solid #e5e5e5; padding-top: 0.4em; }
.groups { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 28px; }
.groups h4 { margin: 0.6em 0 0.2em; }
.grid img { image-rendering: pixelated; max-width: 100%; height: auto; border: 1px solid #ddd; }
.classes { font-size: 0.92em; }
.muted { color: #777; }
`;
