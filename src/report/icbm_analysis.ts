// The numbers behind the ICBM report, computed once from a run's data (docs/method.md §4): class specificity of
// ICBM's concepts and of the matched-threshold baseline, importance and each class's top-k nodes, each
// node's activated and unactivated classes, and which sample images show each node's two groups. The
// page (icbm_report.ts) and the figures (icbm_figures.ts) only lay these out.
import type { ConceptName, IcbmRunData } from '../concepts/types.js';
import { validateIcbmRun } from '../concepts/run_data.js';
import { binarityScore } from '../metrics/binarity.js';
import { activationShares, binarize, classSpecificity, importance as importanceOf, matchedThresholds, topNodes } from '../metrics/concepts.js';

/** The report's choices (`htaf icbm report` options). */
export interface IcbmReportOptions {
  /** Nodes listed for each class, by importance (default 5). */
  topK?: number;
  /** Every node gets a section when M ≤ maxNodes; otherwise only the classes' top-k nodes, at most this many (default 24). */
  maxNodes?: number;
  /** Sample images shown for each group of a node (default 8). */
  samplesPerGroup?: number;
  /** Bins of the class-specificity histograms on [0, 1] (default 10). */
  specificityBins?: number;
  /** Bins of the feature-output histograms (default 50). */
  outputBins?: number;
}

export const ICBM_REPORT_DEFAULTS = { topK: 5, maxNodes: 24, samplesPerGroup: 8, specificityBins: 10, outputBins: 50 } as const;

/** A class's usual value of a node: q[c][j], the share of its images with z_j = 1 (NaN: no images of c). */
export interface NodeClassShare {
  classIndex: number;
  share: number;
}

/** One node's section: its groups of classes (q ≥ 0.5 activated), importance, name and sample images. */
export interface NodeSummary {
  node: number;
  name?: ConceptName;
  /** The classes with q ≥ 0.5 and those with q < 0.5, most clearly on (off) first; classes without images are in neither. */
  activated: NodeClassShare[];
  unactivated: NodeClassShare[];
  /** The largest |w[c][j]| over the classes, and the class it belongs to. */
  maxImportance: number;
  maxImportanceClass: number;
  /** The classes whose top-k lists hold this node, with its rank there (1 = most important). */
  topOf: { classIndex: number; rank: number; importance: number }[];
  /** Positions in sampleImages whose bit z_j is 1 (activated) or 0 (unactivated), at most samplesPerGroup each. */
  activatedSamples: number[];
  unactivatedSamples: number[];
  /** How many sample images have z_j = 1 and z_j = 0 in all. */
  activatedSampleCount: number;
  unactivatedSampleCount: number;
}

export interface ClassTopNodes {
  classIndex: number;
  nodes: { node: number; importance: number; share: number }[];
}

/** Everything the report shows, as plain numbers. */
export interface IcbmReportModel {
  /** N test, N train, M, K, S (sample images). */
  counts: { test: number; train: number; concepts: number; classes: number; samples: number };
  options: Required<IcbmReportOptions>;
  /**
   * q on the test set, K × M, for ICBM's exact bits and for the matched-threshold baseline (absent when
   * the run recorded no standard model).
   */
  testSpecificity: Float64Array;
  baselineSpecificity?: Float64Array;
  /** Share of (class, node) pairs with q ≤ 0.1 or q ≥ 0.9, over classes with images. */
  classSpecificShare: { icbm: number; baseline?: number };
  /**
   * q for the class groups of the node sections and the top-nodes table, K × M: on the training images,
   * as naming sees them, or on the test images when the run kept no training bits (`groupSet`).
   */
  groupSpecificity: Float64Array;
  groupSet: 'train' | 'test';
  /** |w[c][j]|, K × M. */
  importance: Float64Array;
  topNodes: ClassTopNodes[];
  /** Nodes with a section, in the order shown, and whether that is all M of them. */
  nodes: NodeSummary[];
  allNodesShown: boolean;
  /** Binarity score of ICBM's smooth outputs and of the standard model's ReLU features (test set). */
  binarity: { icbm: number; standard?: number };
  /** Test accuracy of ICBM's recorded predictions. */
  testAccuracy: number;
}

const WHAT = 'icbm report';

function positiveIntOption(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${WHAT}: ${name} must be a positive integer, got ${value}`);
  return value;
}

export function resolveReportOptions(o: IcbmReportOptions = {}): Required<IcbmReportOptions> {
  const d = ICBM_REPORT_DEFAULTS;
  return {
    topK: positiveIntOption('topK', o.topK ?? d.topK),
    maxNodes: positiveIntOption('maxNodes', o.maxNodes ?? d.maxNodes),
    samplesPerGroup: positiveIntOption('samplesPerGroup', o.samplesPerGroup ?? d.samplesPerGroup),
    specificityBins: positiveIntOption('specificityBins', o.specificityBins ?? d.specificityBins),
    outputBins: positiveIntOption('outputBins', o.outputBins ?? d.outputBins),
  };
}

function classSpecificShare(q: Float64Array): number {
  let hit = 0;
  let total = 0;
  for (const v of q) {
    if (Number.isNaN(v)) continue;
    total++;
    if (v <= 0.1 || v >= 0.9) hit++;
  }
  return total === 0 ? NaN : hit / total;
}

/**
 * Up to `limit` of the sample positions whose bit satisfies `want`, taking classes in turn (one image of
 * each class, then a second of each, ...) so a grid shows the group's variety rather than one class.
 */
export function pickSamples(positions: readonly number[], labelOf: (position: number) => number, limit: number): number[] {
  const byClass = new Map<number, number[]>();
  for (const p of positions) {
    const c = labelOf(p);
    const list = byClass.get(c);
    if (list) list.push(p);
    else byClass.set(c, [p]);
  }
  const queues = [...byClass.entries()].sort((a, b) => a[0] - b[0]).map(([, list]) => list);
  const picked: number[] = [];
  for (let round = 0; picked.length < limit; round++) {
    let any = false;
    for (const q of queues) {
      if (round < q.length && picked.length < limit) {
        picked.push(q[round]);
        any = true;
      }
    }
    if (!any) break;
  }
  return picked;
}

/** Computes what the report shows. Throws (naming the field) on run data whose arrays do not fit. */
export function analyzeIcbmRun(run: IcbmRunData, options: IcbmReportOptions = {}): IcbmReportModel {
  const o = resolveReportOptions(options);
  validateIcbmRun(run, WHAT);
  const m = run.meta.concepts;
  const k = run.meta.classes.length;
  const nte = run.testLabels.length;
  const ntr = run.trainLabels.length;
  const s = run.sampleIndices.length;
  const topK = Math.min(o.topK, m);

  const testSpecificity = classSpecificity(run.testBits, run.testLabels, m, k);
  const standard = run.standardTestFeatures.length > 0; // a run may have no standard model
  let baselineSpecificity: Float64Array | undefined;
  if (standard) {
    // Figure 4's baseline: the standard model's features, node j thresholded so its share of ones equals ICBM's.
    const thresholds = matchedThresholds(run.standardTestFeatures, nte, m, activationShares(run.testBits, nte, m));
    baselineSpecificity = classSpecificity(binarize(run.standardTestFeatures, thresholds, nte, m), run.testLabels, m, k);
  }
  // The class groups come from the training images, as naming sees them, when the run kept them.
  const groupSet = ntr > 0 ? 'train' : 'test';
  const groupSpecificity = ntr > 0 ? classSpecificity(run.trainBits, run.trainLabels, m, k) : testSpecificity;
  const importance = importanceOf(run.headWeight, k, m);

  const top: ClassTopNodes[] = [];
  for (let c = 0; c < k; c++) {
    const nodes = Array.from(topNodes(importance, c, topK), (j) => ({ node: j, importance: importance[c * m + j], share: groupSpecificity[c * m + j] }));
    top.push({ classIndex: c, nodes });
  }

  const names = new Map<number, ConceptName>();
  for (const n of run.conceptNames) names.set(n.node, n);

  // Which nodes get a section: all when M is small, else the classes' top nodes by their best importance.
  let shown: number[];
  if (m <= o.maxNodes) {
    shown = Array.from({ length: m }, (_, j) => j);
  } else {
    const best = new Map<number, number>();
    for (const t of top) for (const n of t.nodes) best.set(n.node, Math.max(best.get(n.node) ?? -Infinity, n.importance));
    shown = [...best.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, o.maxNodes).map(([j]) => j);
  }

  const sampleLabel = (p: number) => run.testLabels[run.sampleIndices[p]];
  const nodes = shown.map((j): NodeSummary => {
    const activated: NodeClassShare[] = [];
    const unactivated: NodeClassShare[] = [];
    let maxImportance = -Infinity;
    let maxImportanceClass = 0;
    for (let c = 0; c < k; c++) {
      const q = groupSpecificity[c * m + j];
      if (q >= 0.5) activated.push({ classIndex: c, share: q });
      else if (q < 0.5) unactivated.push({ classIndex: c, share: q });
      if (importance[c * m + j] > maxImportance) {
        maxImportance = importance[c * m + j];
        maxImportanceClass = c;
      }
    }
    activated.sort((a, b) => b.share - a.share || a.classIndex - b.classIndex);
    unactivated.sort((a, b) => a.share - b.share || a.classIndex - b.classIndex);
    const topOf = top.flatMap((t) => t.nodes.flatMap((n, r) => (n.node === j ? [{ classIndex: t.classIndex, rank: r + 1, importance: n.importance }] : [])));
    const on: number[] = [];
    const off: number[] = [];
    for (let p = 0; p < s; p++) (run.testBits[run.sampleIndices[p] * m + j] === 1 ? on : off).push(p);
    return {
      node: j, name: names.get(j), activated, unactivated, maxImportance, maxImportanceClass, topOf,
      activatedSamples: pickSamples(on, sampleLabel, o.samplesPerGroup),
      unactivatedSamples: pickSamples(off, sampleLabel, o.samplesPerGroup),
      activatedSampleCount: on.length,
      unactivatedSampleCount: off.length,
    };
  });

  let correct = 0;
  for (let i = 0; i < nte; i++) if (run.testPredictions[i] === run.testLabels[i]) correct++;
  return {
    counts: { test: nte, train: ntr, concepts: m, classes: k, samples: s },
    options: o,
    testSpecificity,
    baselineSpecificity,
    classSpecificShare: { icbm: classSpecificShare(testSpecificity), baseline: baselineSpecificity && classSpecificShare(baselineSpecificity) },
    groupSpecificity,
    groupSet,
    importance,
    topNodes: top,
    nodes,
    allNodesShown: shown.length === m,
    binarity: {
      icbm: binarityScore(run.testSmooth),
      standard: standard ? binarityScore(run.standardTestFeatures) : undefined,
    },
    testAccuracy: correct / nte,
  };
}
