// Explaining one prediction of an ICBM from its concept bits (docs/method.md §4, Figure 5b): the head's logits, and
// for the predicted and the true class the image's bits on that class's most important nodes against the
// class's usual bits, the disagreeing concepts named where names exist. Concept intervention (switching
// one bit and reading the head again) is what CBMs need annotations for; here it needs only the head.
// Pure arithmetic on the run's arrays: no model, no tensors.
import { classSpecificity, importance as importanceOf, topNodes } from '../metrics/index.js';
import type { ConceptName, IcbmRunData } from './types.js';

/** What explanations and concept tables read: the linear head, the class specificity, the names. */
export interface ConceptModel {
  /** K and M. */
  readonly numClasses: number;
  readonly numConcepts: number;
  /** The head h: weight K × M (row-major) and bias K. */
  readonly headWeight: ArrayLike<number>;
  readonly headBias: ArrayLike<number>;
  /** |w[c][j]| (K × M). */
  readonly importance: Float64Array;
  /** q[c][j] (K × M): share of class-c training images with concept j on; NaN rows for classes without images. */
  readonly specificity: ArrayLike<number>;
  /** Class names, indexed by label. */
  readonly classes: readonly string[];
  /** Concept names by node (nodes without a name are absent). */
  readonly names: ReadonlyMap<number, ConceptName>;
}

/** The parts a ConceptModel is built from (what a run holds). */
export interface ConceptModelParts {
  headWeight: ArrayLike<number>;
  headBias: ArrayLike<number>;
  /** q (K × M), e.g. classSpecificity(trainBits, trainLabels, M, K). */
  specificity: ArrayLike<number>;
  classes: readonly string[];
  conceptNames?: readonly ConceptName[];
}

/** Builds a ConceptModel from its parts, checking that the shapes agree (K from classes, M from the head). */
export function conceptModel(parts: ConceptModelParts): ConceptModel {
  const where = 'conceptModel';
  const k = parts.classes?.length;
  if (!Array.isArray(parts.classes) || k < 1) throw new Error(`${where}: classes must be a non-empty array of class names`);
  if (parts.headBias?.length !== k) throw new Error(`${where}: headBias must hold K = ${k} values (one per class); it has ${parts.headBias?.length}`);
  const total = parts.headWeight?.length;
  if (!(total > 0) || total % k !== 0) throw new Error(`${where}: headWeight must hold K × M values with K = ${k}; it has ${total}`);
  const m = total / k;
  if (parts.specificity?.length !== k * m) throw new Error(`${where}: specificity must hold K × M = ${k} × ${m} = ${k * m} values; it has ${parts.specificity?.length}`);
  for (let c = 0; c < k; c++) {
    if (!Number.isFinite(parts.headBias[c])) throw new Error(`${where}: headBias[${c}] is ${parts.headBias[c]}; it must be finite`);
  }
  const names = new Map<number, ConceptName>();
  for (const n of parts.conceptNames ?? []) {
    if (!Number.isInteger(n.node) || n.node < 0 || n.node >= m) throw new Error(`${where}: concept name for node ${n.node} is out of range (M = ${m})`);
    names.set(n.node, n);
  }
  return {
    numClasses: k, numConcepts: m, headWeight: parts.headWeight, headBias: parts.headBias,
    importance: importanceOf(parts.headWeight, k, m), specificity: parts.specificity, classes: parts.classes, names,
  };
}

/** The ConceptModel of a run: its head, q from its training bits, its class and concept names. */
export function conceptModelFromRun(run: IcbmRunData): ConceptModel {
  const k = run.meta.classes.length;
  const m = run.meta.concepts;
  return conceptModel({
    headWeight: run.headWeight, headBias: run.headBias, specificity: classSpecificity(run.trainBits, run.trainLabels, m, k),
    classes: run.meta.classes, conceptNames: run.conceptNames,
  });
}

/** A class's usual bit for node j: 1 when q[c][j] >= 0.5 (the activated group of docs/method.md §4), null when q is NaN. */
export function usualBit(model: ConceptModel, c: number, j: number): 0 | 1 | null {
  const q = model.specificity[c * model.numConcepts + j];
  return Number.isNaN(q) ? null : q >= 0.5 ? 1 : 0;
}

function checkBitsFor(where: string, model: ConceptModel, bits: ArrayLike<number>): void {
  if (bits === null || typeof bits !== 'object' || bits.length !== model.numConcepts) {
    throw new Error(`${where}: bits must hold one 0/1 value per concept (M = ${model.numConcepts}); got ${bits === null || typeof bits !== 'object' ? String(bits) : `${bits.length} values`}`);
  }
  for (let j = 0; j < bits.length; j++) {
    if (bits[j] !== 0 && bits[j] !== 1) throw new Error(`${where}: bits[${j}] is ${bits[j]}; concept bits must be 0 or 1`);
  }
}

function checkClass(where: string, what: string, model: ConceptModel, c: number): void {
  if (!Number.isInteger(c) || c < 0 || c >= model.numClasses) throw new Error(`${where}: ${what} ${c} is not a class index in [0, ${model.numClasses})`);
}

function checkNode(where: string, model: ConceptModel, node: number): void {
  if (!Number.isInteger(node) || node < 0 || node >= model.numConcepts) throw new Error(`${where}: node ${node} is not a concept index in [0, ${model.numConcepts})`);
}

/** The head's logits b + W z for bits z (length M). */
export function headLogits(model: ConceptModel, bits: ArrayLike<number>): number[] {
  checkBitsFor('headLogits', model, bits);
  return logitsOf(model, bits);
}

function logitsOf(model: ConceptModel, bits: ArrayLike<number>): number[] {
  const m = model.numConcepts;
  const out: number[] = [];
  for (let c = 0; c < model.numClasses; c++) {
    let s = model.headBias[c];
    for (let j = 0; j < m; j++) if (bits[j] === 1) s += model.headWeight[c * m + j];
    out.push(s);
  }
  return out;
}

/** The first index of the largest logit (as torch.argmax on CPU). */
function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function softmax(logits: readonly number[]): number[] {
  const top = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** One node as evidence for one class. */
export interface NodeEvidence {
  node: number;
  /** The concept's name, when known. */
  name: ConceptName | null;
  /** |w[c][j]| and w[c][j]. */
  importance: number;
  weight: number;
  /** The image's bit z_j. */
  bit: 0 | 1;
  /** q[c][j] and the class's usual bit (q >= 0.5); null when the class had no training images. */
  share: number;
  usualBit: 0 | 1 | null;
  /** The image's bit differs from the class's usual bit. */
  disagrees: boolean;
}

/** A class's top-k nodes for one image. */
export interface ClassEvidence {
  classIndex: number;
  className: string;
  logit: number;
  /** Most important first. */
  nodes: NodeEvidence[];
  /** The nodes (of `nodes`) where the image's bit is not the class's usual bit. */
  disagreeing: number[];
}

export interface Explanation {
  predicted: number;
  predictedName: string;
  /** The head's logits and their softmax, per class. */
  logits: number[];
  probabilities: number[];
  /** Class names, indexed by label (for printing the logits). */
  classes: readonly string[];
  /** The true class when given, and whether the prediction is right. */
  trueLabel: number | null;
  trueName: string | null;
  correct: boolean | null;
  topK: number;
  predictedClass: ClassEvidence;
  /** The true class's evidence, when a true class is given and differs from the prediction. */
  trueClass: ClassEvidence | null;
}

/** A class's top-k nodes by importance with the image's bits against the class's usual bits. */
export function classEvidence(model: ConceptModel, bits: ArrayLike<number>, c: number, topK = 5): ClassEvidence {
  const where = 'classEvidence';
  checkBitsFor(where, model, bits);
  checkClass(where, 'class', model, c);
  return evidenceOf(model, bits, c, topK, logitsOf(model, bits)[c]);
}

function evidenceOf(model: ConceptModel, bits: ArrayLike<number>, c: number, topK: number, logit: number): ClassEvidence {
  const m = model.numConcepts;
  const nodes = topNodes(model.importance, c, topK, m).map((j): NodeEvidence => {
    const usual = usualBit(model, c, j);
    const bit = bits[j] === 1 ? 1 : 0;
    return {
      node: j, name: model.names.get(j) ?? null, importance: model.importance[c * m + j], weight: model.headWeight[c * m + j],
      bit, share: model.specificity[c * m + j], usualBit: usual, disagrees: usual !== null && usual !== bit,
    };
  });
  return { classIndex: c, className: model.classes[c], logit, nodes, disagreeing: nodes.filter((n) => n.disagrees).map((n) => n.node) };
}

export interface ExplainOptions {
  /** The image's true class, when known. */
  trueLabel?: number;
  /** Nodes per class (default 5). */
  topK?: number;
}

/**
 * Explains one image from its concept bits z (length M): the predicted class (argmax of the head's
 * logits, first on ties), the logits, and for the predicted class (and the true class when given and
 * different) the top-k nodes by importance with the image's bit, the class's usual bit and whether they
 * disagree (Figure 5b).
 */
export function explainBits(model: ConceptModel, bits: ArrayLike<number>, options: ExplainOptions = {}): Explanation {
  const where = 'explainBits';
  checkBitsFor(where, model, bits);
  const topK = options.topK ?? 5;
  if (!Number.isInteger(topK) || topK < 1) throw new Error(`${where}: topK must be an integer >= 1; got ${topK}`);
  const trueLabel = options.trueLabel ?? null;
  if (trueLabel !== null) checkClass(where, 'trueLabel', model, trueLabel);
  const logits = logitsOf(model, bits);
  const predicted = argmax(logits);
  return {
    predicted, predictedName: model.classes[predicted], logits, probabilities: softmax(logits), classes: model.classes,
    trueLabel, trueName: trueLabel === null ? null : model.classes[trueLabel], correct: trueLabel === null ? null : trueLabel === predicted,
    topK,
    predictedClass: evidenceOf(model, bits, predicted, topK, logits[predicted]),
    trueClass: trueLabel === null || trueLabel === predicted ? null : evidenceOf(model, bits, trueLabel, topK, logits[trueLabel]),
  };
}

/** The head's reading before and after switching one concept. */
export interface Intervention {
  node: number;
  name: ConceptName | null;
  from: 0 | 1;
  to: 0 | 1;
  /** The bits after the switch (a copy). */
  bits: Uint8Array;
  before: { logits: number[]; predicted: number; predictedName: string };
  after: { logits: number[]; predicted: number; predictedName: string };
  /** The prediction changed. */
  changed: boolean;
}

/**
 * Concept intervention: sets concept `node` to `value` (default: flips it) and reads the head again.
 * The input bits are not changed. Setting a bit to the value it already has is allowed (nothing changes).
 */
export function intervene(model: ConceptModel, bits: ArrayLike<number>, node: number, value?: 0 | 1): Intervention {
  const where = 'intervene';
  checkBitsFor(where, model, bits);
  checkNode(where, model, node);
  if (value !== undefined && value !== 0 && value !== 1) throw new Error(`${where}: value must be 0 or 1; got ${value}`);
  const from = bits[node] === 1 ? 1 : 0;
  const to = value ?? (from === 1 ? 0 : 1);
  const after = Uint8Array.from(bits);
  after[node] = to;
  const lb = logitsOf(model, bits);
  const la = logitsOf(model, after);
  const pb = argmax(lb);
  const pa = argmax(la);
  return {
    node, name: model.names.get(node) ?? null, from, to, bits: after,
    before: { logits: lb, predicted: pb, predictedName: model.classes[pb] },
    after: { logits: la, predicted: pa, predictedName: model.classes[pa] },
    changed: pa !== pb,
  };
}

// ---- text for the CLI ---------------------------------------------------------------------------

function num(v: number, digits = 3): string {
  return Number.isNaN(v) ? 'n/a' : v.toFixed(digits);
}

function signed(v: number, digits = 3): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
}

/** A bit in words: the concept's meaning of that value when named, else 0/1. */
function bitText(name: ConceptName | null, bit: 0 | 1 | null): string {
  if (bit === null) return '?';
  if (name === null) return String(bit);
  return `${bit} (${bit === 1 ? name.one : name.zero})`;
}

function evidenceText(e: ClassEvidence, role: string): string[] {
  const rows = e.nodes.map((n) => [
    String(n.node), n.name?.name ?? '—', num(n.importance), signed(n.weight), bitText(n.name, n.bit), bitText(n.name, n.usualBit), num(n.share, 2), n.disagrees ? 'DIFFERS' : '',
  ]);
  const header = ['node', 'concept', 'importance', 'weight', 'image', `usual for ${e.className}`, 'q', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}`;
  const lines = [`${role} ${e.className} (class ${e.classIndex}, logit ${num(e.logit)}): top ${e.nodes.length} nodes by importance`, line(header), ...rows.map(line)];
  if (e.disagreeing.length === 0) {
    lines.push(`  The image agrees with ${e.className}'s usual bits on all ${e.nodes.length} nodes.`);
  } else {
    const parts = e.nodes.filter((n) => n.disagrees).map((n) => {
      const label = n.name ? `'${n.name.name}'` : `node ${n.node}`;
      return `${label} (image ${bitText(n.name, n.bit)}, usually ${bitText(n.name, n.usualBit)})`;
    });
    lines.push(`  Disagrees with ${e.className}'s usual bits on ${e.disagreeing.length} of ${e.nodes.length}: ${parts.join('; ')}`);
  }
  return lines;
}

/** Plain text of an explanation, for the terminal (`htaf icbm explain`). */
export function formatExplanation(e: Explanation): string {
  const verdict = e.correct === null ? '' : e.correct ? ' (correct)' : ` — true class ${e.trueName} (class ${e.trueLabel})`;
  const ranked = e.logits.map((_, c) => c).sort((a, b) => e.logits[b] - e.logits[a] || a - b).slice(0, 3);
  const lines = [
    `Prediction: ${e.predictedName} (class ${e.predicted}, p = ${num(e.probabilities[e.predicted])})${verdict}`,
    `Highest logits: ${ranked.map((c) => `${e.classes[c]} ${num(e.logits[c])}`).join(', ')}`,
    '',
    ...evidenceText(e.predictedClass, 'Predicted class'),
  ];
  if (e.trueClass !== null) lines.push('', ...evidenceText(e.trueClass, 'True class'));
  return `${lines.join('\n')}\n`;
}

/** Plain text of an intervention, for the terminal (`htaf icbm explain --flip NODE`). */
export function formatIntervention(i: Intervention): string {
  const label = i.name ? `node ${i.node} '${i.name.name}'` : `node ${i.node}`;
  const change = i.changed
    ? `the prediction changes from ${i.before.predictedName} to ${i.after.predictedName}`
    : `the prediction stays ${i.after.predictedName}`;
  const delta = i.after.logits[i.before.predicted] - i.before.logits[i.before.predicted];
  return `Intervention: ${label} set from ${bitText(i.name, i.from)} to ${bitText(i.name, i.to)}: ${change}` +
    ` (logit of ${i.before.predictedName} ${signed(delta)}, ${num(i.before.logits[i.before.predicted])} → ${num(i.after.logits[i.before.predicted])}).\n`;
}
