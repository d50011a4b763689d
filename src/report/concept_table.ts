// Rendering of a concept table (src/concepts/concept_table.ts: Table 3's analog for one class): Markdown,
// CSV (csv.ts), JSON and aligned text.
import type { ConceptTable, ConceptTableRow } from '../concepts/concept_table.js';
import { finiteOrNull } from '../io/json.js';
import { csvText } from './csv.js';

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

/** CSV, one line per node, full-precision numbers (empty when missing): class,class_name,node,concept,zero,one,importance,weight,share,usual_bit. */
export function conceptTableCsv(t: ConceptTable): string {
  const header = ['class', 'class_name', 'node', 'concept', 'zero', 'one', 'importance', 'weight', 'share', 'usual_bit'];
  return csvText(header, t.rows.map((r) => [t.classIndex, t.className, r.node, r.concept, r.zero, r.one, finiteOrNull(r.importance), finiteOrNull(r.weight), finiteOrNull(r.share), r.usualBit]));
}

/** JSON-able: { classIndex, className, rows } with NaN shares as null. */
export function conceptTableJson(t: ConceptTable): object {
  return {
    classIndex: t.classIndex,
    className: t.className,
    rows: t.rows.map((r) => ({ ...r, share: finiteOrNull(r.share) })),
  };
}
