// The ICBM report's figures as Vega-Lite specs (rendered by src/report/plot.ts): the class-specificity
// histograms, one panel per class, ICBM against the matched-threshold baseline (the paper's Figure 4 for
// one class, Figure 11 for all), and the histogram of feature outputs, ICBM's smooth concept layer
// against the standard model's ReLU features (Figure 12). Histograms are counted here, so the figures
// show exactly the numbers the tests check.
import { FIGURE_CONFIG, type TopLevelSpec } from './plot.js';

/** Counts of `values` in `bins` equal bins of [lo, hi] (the last bin closed); NaN and values outside are skipped. */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number): { counts: number[]; total: number } {
  if (!Number.isInteger(bins) || bins <= 0) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) throw new Error(`histogram: need finite lo < hi, got [${lo}, ${hi}]`);
  const counts = new Array<number>(bins).fill(0);
  let total = 0;
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    total++;
  }
  return { counts, total };
}

export const ICBM_SERIES = 'ICBM (exact concepts)';
export const BASELINE_SERIES = 'standard model, matched thresholds';

/** One bar of a histogram: [x0, x1) on the x axis, the share of the panel's values there. */
export interface HistogramBar {
  panel: string;
  order: number;
  series: string;
  x0: number;
  x1: number;
  share: number;
  count: number;
}

export interface SpecificityFigureInput {
  classes: readonly string[];
  concepts: number;
  /** q on the test set, K × M, for ICBM and the matched-threshold baseline (absent: no standard model). */
  icbm: Float64Array;
  baseline?: Float64Array;
  bins: number;
  subtitle?: string[];
}

/** A panel title that is unique even when two classes share a name. */
export function classPanelLabel(classes: readonly string[], c: number): string {
  return `${c}: ${classes[c]}`;
}

/**
 * The bars of Figure 11: for each class c, the histogram of q[c][j] over the M nodes; in each bin the
 * ICBM bar takes the left half and the baseline's the right half, so the two read side by side.
 */
export function specificityBars(input: SpecificityFigureInput): HistogramBar[] {
  const { classes, concepts: m, bins } = input;
  const bars: HistogramBar[] = [];
  const width = 1 / bins;
  const series: [string, Float64Array, number][] = [[ICBM_SERIES, input.icbm, 0]];
  if (input.baseline) series.push([BASELINE_SERIES, input.baseline, 1]);
  const part = width * (series.length === 1 ? 0.9 : 0.45);
  for (let c = 0; c < classes.length; c++) {
    for (const [name, q, slot] of series) {
      const { counts, total } = histogram(q.subarray(c * m, (c + 1) * m), bins, 0, 1);
      if (total === 0) continue; // no images of this class: no histogram
      for (let b = 0; b < bins; b++) {
        const x0 = b * width + width * 0.05 + slot * part;
        bars.push({ panel: classPanelLabel(classes, c), order: c, series: name, x0, x1: x0 + part, share: counts[b] / total, count: counts[b] });
      }
    }
  }
  return bars;
}

/** Panels per row of the per-class figure. */
export function specificityColumns(classes: number): number {
  return Math.min(5, classes);
}

export function specificityFigureSpec(input: SpecificityFigureInput): TopLevelSpec {
  const bars = specificityBars(input);
  if (bars.length === 0) throw new Error('class specificity figure: no class has test images');
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { ...FIGURE_CONFIG, view: { ...FIGURE_CONFIG.view, continuousWidth: 190, continuousHeight: 130 }, facet: { spacing: 18 } },
    title: {
      text: 'Class specificity: share of a class’s test images with concept j on, over the nodes j',
      subtitle: input.subtitle ?? [],
    },
    data: { values: bars },
    facet: { field: 'panel', type: 'nominal', title: null, sort: { field: 'order', op: 'min' }, header: { labelFontSize: 13, labelLimit: 200 } },
    columns: specificityColumns(input.classes.length),
    resolve: { axis: { x: 'independent', y: 'independent' } },
    spec: {
      mark: { type: 'bar', binSpacing: 0 },
      encoding: {
        x: { field: 'x0', type: 'quantitative', scale: { domain: [0, 1], nice: false, padding: 0 }, axis: { values: [0, 0.5, 1], format: '~g' }, title: 'q[c][j]' },
        x2: { field: 'x1' },
        y: { field: 'share', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '.0%', tickCount: 3 }, title: 'share of nodes' },
        y2: { datum: 0 },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: input.baseline ? [ICBM_SERIES, BASELINE_SERIES] : [ICBM_SERIES], range: ['#1f77b4', '#ff7f0e'] } },
        tooltip: [{ field: 'panel', title: 'class' }, { field: 'series' }, { field: 'count', title: 'nodes' }],
      },
    },
  } as unknown as TopLevelSpec; // vega-lite checks the spec when compiling
}

export interface OutputsFigureInput {
  /** ICBM's smooth concept outputs g(x) on the test set, and the standard model's ReLU features (empty: none). */
  smooth: Float32Array;
  relu: Float32Array;
  method: string;
  bins: number;
  binarity: { icbm: number; standard?: number };
}

function outputBars(panel: string, values: Float32Array, bins: number, lo: number, hi: number): HistogramBar[] {
  const { counts, total } = histogram(values, bins, lo, hi);
  const width = (hi - lo) / bins;
  return counts.map((n, b) => ({ panel, order: 0, series: panel, x0: lo + b * width, x1: lo + (b + 1) * width, share: total === 0 ? 0 : n / total, count: n }));
}

function finiteMax(values: Float32Array): number {
  let max = -Infinity;
  for (const v of values) if (Number.isFinite(v) && v > max) max = v;
  return max;
}

/** Figure 12: the histogram of all test outputs of the concept layer, ICBM's smooth step against ReLU. */
export function outputsFigureSpec(input: OutputsFigureInput): TopLevelSpec {
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const panel = (title: string, subtitle: string, bars: HistogramBar[], color: string, hi: number) => ({
    title: { text: title, subtitle },
    data: { values: bars },
    mark: { type: 'bar', color },
    encoding: {
      x: { field: 'x0', type: 'quantitative', scale: { domain: [0, hi], nice: false, padding: 0 }, title: 'output value' },
      x2: { field: 'x1' },
      y: { field: 'share', type: 'quantitative', axis: { format: '.0%' }, title: 'share of outputs' },
      y2: { datum: 0 },
      tooltip: [{ field: 'x0', title: 'from', format: '.3g' }, { field: 'x1', title: 'to', format: '.3g' }, { field: 'count', title: 'outputs' }],
    },
  });
  const panels = [
    panel(`(a) ICBM, smooth concepts (${input.method})`, `binarity score ${pct(input.binarity.icbm)} (outputs > 0.99 or < 0.01)`,
      outputBars('icbm', input.smooth, input.bins, 0, 1), '#1f77b4', 1),
  ];
  if (input.relu.length > 0) {
    // ReLU outputs are unbounded: the second panel spans [0, largest output].
    const max = finiteMax(input.relu);
    const hi = max > 0 ? max : 1;
    panels.push(panel('(b) standard model, ReLU features', `binarity score ${pct(input.binarity.standard ?? NaN)}; largest output ${max.toPrecision(3)}`,
      outputBars('relu', input.relu, input.bins, 0, hi), '#ff7f0e', hi));
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { ...FIGURE_CONFIG, view: { ...FIGURE_CONFIG.view, continuousWidth: 360, continuousHeight: 220 } },
    title: { text: 'Feature outputs of the concept layer, all nodes and test images', subtitle: `${input.bins} bins per panel` },
    hconcat: panels,
  } as unknown as TopLevelSpec;
}
