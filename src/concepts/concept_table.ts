// The Table 3 analog: for one class, its concept nodes sorted by importance |w[c][j]|, each with its name,
// the meaning of 0 and of 1, the head's weight, the class's share q[c][j] and usual bit. Written as
// Markdown, CSV, JSON and aligned text by src/report/concept_table.ts.
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
