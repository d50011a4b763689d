// The prompt that names one ICBM concept (docs/method.md §4): the classes whose images mostly switch node j on
// (class specificity q[c][j] >= 0.5) against the rest, and optional candidate concepts; the model is asked
// for the feature that separates the two groups, a short name and the meaning of 0 and 1, as JSON. The text
// depends only on the two groups and the candidates (not on the node number, the time or anything random),
// so it is reproducible and the cache can answer a rerun, and nodes that split the classes alike share one reply.
import type { ChatMessage } from './llm_client.js';

/** A class is in node j's activated group when q[c][j] >= this (docs/method.md §4). */
export const ACTIVATION_THRESHOLD = 0.5;

/** The two groups of classes of one node. */
export interface NodeGroups {
  readonly node: number;
  /** Class indices and names with q[c][j] >= 0.5, in label order. */
  readonly activatedClasses: readonly number[];
  readonly activated: readonly string[];
  /** The other classes with images, in label order (a class without images, NaN in q, is in neither group). */
  readonly unactivatedClasses: readonly number[];
  readonly unactivated: readonly string[];
  /** True when one group is empty: the node does not separate the classes, and is not sent to a model. */
  readonly constant: boolean;
}

function cleanText(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * Splits the classes by node j's class specificity. `q` is K × M row-major (q[c * M + j], as
 * classSpecificity returns it), K = classes.length.
 */
export function nodeGroups(q: Float64Array, classes: readonly string[], numConcepts: number, node: number): NodeGroups {
  const K = classes.length;
  if (!Number.isInteger(numConcepts) || numConcepts <= 0) throw new Error(`nodeGroups: numConcepts must be a positive integer, got ${String(numConcepts)}`);
  if (!(q instanceof Float64Array) || q.length !== K * numConcepts) {
    throw new Error(`nodeGroups: q must be a Float64Array of ${K} classes x ${numConcepts} concepts = ${K * numConcepts} values, got ${q instanceof Float64Array ? q.length : typeof q}`);
  }
  if (!Number.isInteger(node) || node < 0 || node >= numConcepts) throw new Error(`nodeGroups: node must be an integer in [0, ${numConcepts - 1}], got ${String(node)}`);
  const activatedClasses: number[] = [];
  const unactivatedClasses: number[] = [];
  for (let c = 0; c < K; c++) {
    const v = q[c * numConcepts + node];
    if (Number.isNaN(v)) continue; // a class without images belongs to neither group
    (v >= ACTIVATION_THRESHOLD ? activatedClasses : unactivatedClasses).push(c);
  }
  return {
    node,
    activatedClasses,
    activated: activatedClasses.map((c) => cleanText(classes[c])),
    unactivatedClasses,
    unactivated: unactivatedClasses.map((c) => cleanText(classes[c])),
    constant: activatedClasses.length === 0 || unactivatedClasses.length === 0,
  };
}

export const CONCEPT_SYSTEM_PROMPT =
  'You name the binary features (concepts) that an image classifier has learned. Answer with one JSON object and nothing else.';

/** The chat messages that ask a model to name the concept of `groups` (not for a constant node). */
export function conceptMessages(groups: NodeGroups, candidates: readonly string[] = []): ChatMessage[] {
  if (groups.constant) throw new Error(`conceptMessages: node ${groups.node} is constant (one group of classes is empty); there is nothing to name`);
  const list = (names: readonly string[]) => names.map((n) => `- ${n}`).join('\n');
  const cands = [...new Set(candidates.map(cleanText).filter((c) => c !== ''))];
  const parts = [
    'An image classifier has a binary feature that is on (1) for most images of the classes in group A and off (0) for most images of the classes in group B.',
    `Group A (feature = 1):\n${list(groups.activated)}`,
    `Group B (feature = 0):\n${list(groups.unactivated)}`,
  ];
  if (cands.length > 0) parts.push(`Candidate concepts (use one if it fits, or give a better one):\n${list(cands)}`);
  parts.push(
    'Which visual feature separates group A from group B? Reply with JSON of this form:\n' +
      '{"name": "<a short name for the feature, at most 5 words>", "zero": "<what 0 means, a few words>", "one": "<what 1 means, a few words>"}',
  );
  return [
    { role: 'system', content: CONCEPT_SYSTEM_PROMPT },
    { role: 'user', content: parts.join('\n\n') },
  ];
}
