// Figure 6 of the paper (Appendix F.1): HTAF with α = α_min(β) (Proposition 3.1) for each β; (a) the
// test AUROC with exact steps (and, dotted, with smooth steps) and (b) the binarity score of the hidden
// units, against β on a log axis; the (β, α) pairs are listed in the subtitle. Numbers come from
// src/train/ablate_bounds.ts; this file only lays them out.
import { writePlot, FIGURE_CONFIG, type PlotFiles, type PlotOptions, type TopLevelSpec } from '../plot.js';
import type { BoundAblationResult } from '../../train/ablate_bounds.js';

export interface Figure6Row {
  beta: number;
  alpha: number;
  series: string;
  value: number;
}

const METRIC_NAMES: Record<string, string> = { auroc: 'AUROC', rmse: 'RMSE' };

export function figure6Data(r: BoundAblationResult): { metric: Figure6Row[]; binarity: Figure6Row[] } {
  const name = METRIC_NAMES[r.metric] ?? r.metric;
  const metric: Figure6Row[] = [];
  const binarity: Figure6Row[] = [];
  for (const x of r.rows) {
    if (Number.isFinite(x.test)) metric.push({ beta: x.beta, alpha: x.alpha, series: `${name}, exact steps`, value: x.test });
    if (Number.isFinite(x.testSmooth)) metric.push({ beta: x.beta, alpha: x.alpha, series: `${name}, smooth (HTAF)`, value: x.testSmooth });
    if (Number.isFinite(x.binarity)) binarity.push({ beta: x.beta, alpha: x.alpha, series: 'binarity', value: x.binarity });
  }
  return { metric, binarity };
}

function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) for (const m of [1, 2, 5]) out.push(m * 10 ** e);
  return out.filter((v) => v >= lo / 1.0001 && v <= hi * 1.0001);
}

export function figure6Spec(r: BoundAblationResult, description?: string): TopLevelSpec {
  if (r.rows.length === 0) throw new Error('figure 6: no rows');
  const { metric, binarity } = figure6Data(r);
  const name = METRIC_NAMES[r.metric] ?? r.metric;
  const betas = r.rows.map((x) => x.beta);
  const lo = Math.min(...betas) / 1.5;
  const hi = Math.max(...betas) * 1.5;
  const betaAxis = {
    field: 'beta', type: 'quantitative', title: 'β  (log scale); α = αₘᵢₙ(β)',
    scale: { type: 'log', domain: [lo, hi], nice: false },
    axis: { values: decades(lo, hi), format: '~g' },
  } as const;
  const series = [`${name}, exact steps`, `${name}, smooth (HTAF)`];
  const panel = (rows: Figure6Row[], title: string, subtitle: string, yTitle: string, color: object, unit: boolean) => ({
    title: { text: title, subtitle },
    data: { values: rows },
    mark: { type: 'line', point: { filled: true, size: 60 }, clip: true },
    encoding: {
      x: betaAxis,
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: unit ? { domain: [0, 1] } : { zero: false, padding: 12 } },
      ...color,
      order: { field: 'beta' },
    },
  });
  const metricColor = {
    color: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: ['#1f77b4', '#7fa7cf'] }, legend: { symbolType: 'stroke', orient: 'bottom' } },
    strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: series, range: [[1, 0], [4, 3]] } },
  } as const;
  const binColor = { color: { value: '#d62728' } } as const;
  const c = r.config;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { ...FIGURE_CONFIG, view: { ...FIGURE_CONFIG.view, continuousWidth: 380, continuousHeight: 260 } },
    title: {
      text: 'Figure 6. HTAF at the bound of Proposition 3.1: α = αₘᵢₙ(β)',
      subtitle: [
        `ε = ${r.eps}, δ = ${r.delta}: βₘᵢₙ = ln((1 − ε)/ε) = ${r.betaMin.toFixed(2)}, αₘᵢₙ(β) = atanh(L/β)/δ rounded up as in Table 6`,
        `MLP ${c.hidden.join('-')}, Adam lr ${c.lr}, batch ${c.batch}, ${c.epochs} epochs, seed ${c.seed}${description ? `; ${description}` : ''}`,
        `(β, α): ${r.rows.map((x) => `(${x.beta}, ${x.alpha})`).join(' ')}`,
      ],
    },
    hconcat: [
      panel(metric, `(a) test ${name}`, 'exact steps: H at inference; dotted: HTAF kept', `test ${name}`, metricColor, false),
      panel(binarity, '(b) binarity score', 'share of hidden activations > 0.99 or < 0.01 (test rows)', 'binarity score', binColor, true),
    ],
  } as unknown as TopLevelSpec; // literal types widen through the panel helper; vega-lite checks the spec when compiling
}

/** Writes Figure 6 as `<name>.{svg,png}` (default `figure6_bounds_ablation`). */
export function writeFigure6(outDir: string, r: BoundAblationResult, description?: string, name = 'figure6_bounds_ablation', options?: PlotOptions): Promise<PlotFiles> {
  return writePlot(figure6Spec(r, description), outDir, name, options);
}
