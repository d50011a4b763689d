// The Table 3 analog: for one class, its concept nodes sorted by importance |w[c][j]|, each with its name,
// the meaning of 0 and of 1, the head's weight, the class's share q[c][j] and usual bit. Written as
// Markdown, CSV, JSON and aligned text. (src/report/table.ts's writers are for mean (se) result tables
// and do not fit rows of text; the CSV quoting here follows the same RFC 4180 rules.)
import type { ConceptModel } from './explain.js';
import { usualBit } from './explain.js';

/** One node of a class's concept table. */
export interface ConceptTableRow {
  node: number;
  /** The concept's name, or '—' when unnamed. */
  concept: string;
  /** What 0 and 1 mean ('—' when unnamed). */
  zero: string;
  one: string;
  importance: number;
  weight: number;
  /** q[c][j] (NaN when the class had no training images) and the usual bit (q >= 0.5). */
  share: number;
  usualBit: 0 | 1 | null;
}

export interface ConceptTable {
  classIndex: number;
  className: string;
  rows: ConceptTableRow[];
}

export const UNNAMED = '—';

export interface ConceptTableOptions {
  /** Only the k most important nodes (default: all M). */
  topK?: number;
}

/** Table 3 for class c: every node (or the top k) sorted by importance, most important first (ties by node). */
export function conceptTable(model: ConceptModel, c: number, options: ConceptTableOptions = {}): ConceptTable {
  const where = 'conceptTable';
  if (!Number.isInteger(c) || c < 0 || c >= model.numClasses) throw new Error(`${where}: class ${c} is not a class index in [0, ${model.numClasses})`);
  const m = model.numConcepts;
  const k = options.topK ?? m;
  if (!Number.isInteger(k) || k < 1) throw new Error(`${where}: topK must be an integer >= 1; got ${k}`);
  const nodes = Array.from({ length: m }, (_, j) => j).sort((a, b) => model.importance[c * m + b] - model.importance[c * m + a] || a - b).slice(0, k);
  const rows = nodes.map((j): ConceptTableRow => {
    const name = model.names.get(j);
    return {
      node: j, concept: name?.name ?? UNNAMED, zero: name?.zero ?? UNNAMED, one: name?.one ?? UNNAMED,
      importance: model.importance[c * m + j], weight: model.headWeight[c * m + j], share: model.specificity[c * m + j], usualBit: usualBit(model, c, j),
    };
  });
  return { classIndex: c, className: model.classes[c], rows };
}

const HEADER = ['Node', 'Concept', '0', '1', 'Importance', 'Weight', 'Share (q)', 'Usual bit'];

function cells(r: ConceptTableRow, digits: number): string[] {
  return [
    String(r.node), r.concept, r.zero, r.one, r.importance.toFixed(digits), r.weight.toFixed(digits),
    Number.isNaN(r.share) ? 'n/a' : r.share.toFixed(2), r.usualBit === null ? 'n/a' : String(r.usualBit),
  ];
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A Markdown table with a title line naming the class. */
export function conceptTableMarkdown(t: ConceptTable, digits = 3): string {
  const lines = [
    `### Concepts of class ${t.className} (class ${t.classIndex}), by importance`,
    '',
    `| ${HEADER.join(' | ')} |`,
    '|---:|---|---|---|---:|---:|---:|---:|',
    ...t.rows.map((r) => `| ${cells(r, digits).map(mdCell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Aligned plain text for a terminal. */
export function conceptTableText(t: ConceptTable, digits = 3): string {
  const body = t.rows.map((r) => cells(r, digits));
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const numeric = new Set([0, 4, 5, 6, 7]);
  const fmt = (row: string[]) => row.map((s, i) => (numeric.has(i) ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
  const lines = [`Concepts of class ${t.className} (class ${t.classIndex}), by importance`, fmt(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)];
  return `${lines.join('\n')}\n`;
}

function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV, one line per node, full-precision numbers (empty when missing): class,class_name,node,concept,zero,one,importance,weight,share,usual_bit. */
export function conceptTableCsv(t: ConceptTable): string {
  const lines = ['class,class_name,node,concept,zero,one,importance,weight,share,usual_bit'];
  for (const r of t.rows) {
    lines.push([t.classIndex, t.className, r.node, r.concept, r.zero, r.one, r.importance, r.weight, r.share, r.usualBit].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** JSON-able: { classIndex, className, rows } with NaN shares as null. */
export function conceptTableJson(t: ConceptTable): object {
  return {
    classIndex: t.classIndex,
    className: t.className,
    rows: t.rows.map((r) => ({ ...r, share: Number.isNaN(r.share) ? null : r.share })),
  };
}
