// Naming concepts offline, without an LLM (issue 6): a class × attribute table (a CSV: first column the
// class name, then one 0/1 column per attribute, a header row of attribute names) gives each attribute a
// set of classes; a node's activated classes are {c : q[c][j] >= 0.5} (docs/method.md §4). Each node takes the
// attribute whose class set matches its own best by Jaccard similarity, trying the complement too (node on
// where the attribute is absent), so the meanings of 0 and 1 come out the right way round.
import { classSpecificity } from '../metrics/index.js';
import { readCsv, type RawTable } from '../data/index.js';
import type { ConceptName, IcbmRunData } from './types.js';

/** A class × attribute table, its rows in the run's class order. */
export interface AttributeTable {
  file: string;
  /** The run's class names (row order of `present`). */
  classes: string[];
  attributes: string[];
  /** present[c × A + a] = 1 when class c has attribute a. */
  present: Uint8Array;
}

function at(file: string, line?: number, column?: string): string {
  const parts = [line === undefined ? '' : `row ${line}`, column === undefined ? '' : `column '${column}'`].filter((p) => p !== '');
  return `${file}: ${parts.length ? `${parts.join(', ')}: ` : ''}`;
}

function classKey(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Validates a class × attribute table and, when `classes` is given, puts its rows in that order: every
 * class must have exactly one row (names compared ignoring case and surrounding spaces), and rows for
 * classes not in the run are refused (likely a misspelling). `table` is a CSV read without header
 * detection (readCsv(file, { header: false })): its first row is the header, whose first field (the class
 * column's name) may be anything, even empty; the others name the attributes.
 */
export function attributeTableFrom(table: RawTable, classes?: readonly string[]): AttributeTable {
  const file = table.file;
  if (table.rows.length === 0) throw new Error(`${at(file)}the file is empty (a header row of attribute names, then one row per class)`);
  const headerLine = table.lineOf[0];
  const headerRow = table.rows[0].map((f) => f.trim());
  if (headerRow.length < 2) throw new Error(`${at(file)}needs a class column and at least one attribute column; found ${headerRow.length} column`);
  if (table.rows.length === 1) throw new Error(`${at(file)}has a header but no rows (one row per class)`);
  const attributes = headerRow.slice(1);
  const seenAttr = new Map<string, number>();
  attributes.forEach((a, i) => {
    if (a === '') throw new Error(`${at(file, headerLine)}column ${i + 2} has no name: every attribute column needs one in the header row`);
    if (/^[01]$/.test(a)) throw new Error(`${at(file, headerLine, a)}the first row must name the attributes; found a 0/1 value (is the header row missing?)`);
    const key = a.toLowerCase();
    if (seenAttr.has(key)) throw new Error(`${at(file, headerLine, a)}the attribute is listed twice (columns ${seenAttr.get(key)! + 2} and ${i + 2})`);
    seenAttr.set(key, i);
  });
  const body = { rows: table.rows.slice(1), lineOf: table.lineOf.slice(1) };
  const classColumn = headerRow[0] === '' ? 'column 1' : headerRow[0];
  const rowOf = new Map<string, number>();
  const names: string[] = [];
  const values: Uint8Array[] = [];
  body.rows.forEach((row, r) => {
    const line = body.lineOf[r];
    const name = row[0].trim();
    if (name === '') throw new Error(`${at(file, line, classColumn)}the class name is empty`);
    const key = classKey(name);
    if (rowOf.has(key)) throw new Error(`${at(file, line, classColumn)}class ${JSON.stringify(name)} has a row already (row ${body.lineOf[rowOf.get(key)!]})`);
    rowOf.set(key, r);
    names.push(name);
    values.push(Uint8Array.from(attributes, (a, i) => {
      const v = row[i + 1].trim();
      if (v !== '0' && v !== '1') throw new Error(`${at(file, line, a)}must be 0 or 1 (class ${JSON.stringify(name)} lacks or has the attribute); got ${JSON.stringify(v)}`);
      return v === '1' ? 1 : 0;
    }));
  });

  let order: number[];
  let outClasses: string[];
  if (classes === undefined) {
    order = names.map((_, r) => r);
    outClasses = names;
  } else {
    const missing = classes.filter((c) => !rowOf.has(classKey(c)));
    if (missing.length > 0) {
      throw new Error(`${at(file)}no row for the run's class${missing.length > 1 ? 'es' : ''} ${missing.map((c) => JSON.stringify(c)).join(', ')}; the run's classes are ${classes.map((c) => JSON.stringify(c)).join(', ')}`);
    }
    const wanted = new Set(classes.map(classKey));
    const extra = body.rows.findIndex((row) => !wanted.has(classKey(row[0])));
    if (extra >= 0) {
      throw new Error(`${at(file, body.lineOf[extra], classColumn)}class ${JSON.stringify(names[extra])} is not one of the run's classes (${classes.map((c) => JSON.stringify(c)).join(', ')})`);
    }
    order = classes.map((c) => rowOf.get(classKey(c))!);
    outClasses = [...classes];
  }
  const present = new Uint8Array(order.length * attributes.length);
  order.forEach((r, c) => present.set(values[r], c * attributes.length));
  return { file, classes: outClasses, attributes, present };
}

/** Reads a class × attribute CSV (see attributeTableFrom for the checks); errors name the file, row and column. */
export function readAttributeTable(file: string, classes?: readonly string[]): AttributeTable {
  return attributeTableFrom(readCsv(file, { header: false }), classes);
}

/** The attribute names of a class × attribute CSV (for an LLM prompt's candidate concepts). */
export function candidateAttributes(file: string): string[] {
  return readAttributeTable(file).attributes;
}

/** |A ∩ B| / |A ∪ B| of two 0/1 membership arrays; 0 when both are empty (no evidence of a match). */
export function jaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`jaccard: the sets are over ${a.length} and ${b.length} items; they must be over the same items`);
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) both++;
    if (a[i] || b[i]) either++;
  }
  return either === 0 ? 0 : both / either;
}

/** What a concept is called where an attribute is absent: 'has X' → 'no X', 'is X' → 'is not X', else 'not X'. */
export function negateAttribute(attribute: string): string {
  const a = attribute.trim();
  if (/^has\s/i.test(a)) return `no ${a.slice(4).trim()}`;
  if (/^is\s/i.test(a)) return `is not ${a.slice(3).trim()}`;
  return `not ${a}`;
}

/** A node's best attribute: its index, whether the match is through the complement, and the Jaccard score. */
export interface CandidateMatch {
  node: number;
  attribute: string;
  /** true: the node is on where the attribute is absent. */
  complement: boolean;
  score: number;
}

export interface MatchCandidatesOptions {
  /** Only these nodes (default all). */
  nodes?: readonly number[];
}

/**
 * For each node, the attribute (or its complement) whose class set best matches the node's activated
 * classes {c : q[c][j] >= 0.5} by Jaccard similarity. Classes whose q is NaN (no images) are left out
 * of both sets. Ties go to the attribute listed first, and the attribute itself before its complement.
 * Nodes that separate nothing (no activated class, or every class) and nodes whose best score is 0 get
 * no match. `specificity` is K × M (row-major) with K = table.classes.length.
 */
export function matchCandidates(specificity: ArrayLike<number>, numConcepts: number, table: AttributeTable, options: MatchCandidatesOptions = {}): CandidateMatch[] {
  const where = 'matchCandidates';
  const k = table.classes.length;
  const m = numConcepts;
  if (!Number.isSafeInteger(m) || m < 1) throw new Error(`${where}: numConcepts must be an integer >= 1; got ${m}`);
  if (specificity.length !== k * m) throw new Error(`${where}: specificity must hold K × M = ${k} × ${m} = ${k * m} values (K from ${table.file}'s classes); it has ${specificity.length}`);
  const nodes = options.nodes ?? Array.from({ length: m }, (_, j) => j);
  const na = table.attributes.length;
  const matches: CandidateMatch[] = [];
  for (const j of nodes) {
    if (!Number.isInteger(j) || j < 0 || j >= m) throw new Error(`${where}: node ${j} is not a concept index in [0, ${m})`);
    const known: number[] = [];
    for (let c = 0; c < k; c++) if (!Number.isNaN(specificity[c * m + j])) known.push(c);
    const on = known.map((c) => (specificity[c * m + j] >= 0.5 ? 1 : 0));
    const count = on.reduce<number>((s, v) => s + v, 0);
    if (count === 0 || count === known.length) continue;
    let best: CandidateMatch | null = null;
    for (let a = 0; a < na; a++) {
      const has = known.map((c) => table.present[c * na + a]);
      const lacks = has.map((v) => 1 - v);
      for (const [complement, set] of [[false, has], [true, lacks]] as const) {
        const score = jaccard(on, set);
        if (best === null || score > best.score) best = { node: j, attribute: table.attributes[a], complement, score };
      }
    }
    if (best !== null && best.score > 0) matches.push(best);
  }
  return matches;
}

/** The ConceptName of a match: name = the attribute; one/zero = the attribute and its negation, swapped for a complement. */
export function candidateName(match: CandidateMatch): ConceptName {
  const yes = match.attribute;
  const no = negateAttribute(match.attribute);
  return {
    node: match.node, name: match.attribute, zero: match.complement ? yes : no, one: match.complement ? no : yes,
    source: 'candidates', score: match.score,
  };
}

export interface NameByCandidatesOptions {
  /** Only these nodes (default all). */
  nodes?: readonly number[];
  /** q (K × M); default classSpecificity of the run's training bits. */
  specificity?: ArrayLike<number>;
}

/**
 * Names a run's concepts from a class × attribute CSV (its classes must be the run's): for each node
 * (or the given ones), the best-matching attribute by Jaccard similarity, complements included (see
 * matchCandidates). Nodes without a match are left out of the result.
 */
export function nameByCandidates(run: IcbmRunData, file: string, options: NameByCandidatesOptions = {}): ConceptName[] {
  const table = readAttributeTable(file, run.meta.classes);
  const m = run.meta.concepts;
  const q = options.specificity ?? classSpecificity(run.trainBits, run.trainLabels, m, run.meta.classes.length);
  return matchCandidates(q, m, table, { nodes: options.nodes }).map(candidateName);
}
