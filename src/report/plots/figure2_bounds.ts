// Figure 2 of the paper: Proposition 3.1's bounds. For ε ∈ (0, 1/2), δ > 0 and L = ln((1 − ε)/ε),
// β > β_min = L and α ≥ α_min(β) = atanh(L/β)/δ make |HTAF(x) − H(x)| ≤ ε for |x| ≥ δ. Left: α_min
// against β; right: β·α_min against β, which falls toward L/δ (≈ 22 for ε = δ = 0.1).
// Numbers come from src/theory; this file only samples them and lays out the figure.
import type { TopLevelSpec } from '../plot.js';
import { FIGURE_CONFIG } from '../plot.js';
import { alphaMin, betaMin, logitBound } from '../../theory/index.js';

export interface BoundParams {
  eps: number;
  delta: number;
}

export const FIGURE2_PARAMS: readonly BoundParams[] = [
  { eps: 0.1, delta: 0.1 },
  { eps: 0.05, delta: 0.1 },
  { eps: 0.1, delta: 0.05 },
];

/** Largest β shown (the end of Table 6's range). */
export const FIGURE2_BETA_MAX = 5000;
/** The first β sampled is β_min·(1 + this). */
const BETA_START = 1e-3;
const PRODUCT_DOMAIN: [number, number] = [0, 100];

export interface Figure2Row {
  series: string;
  beta: number;
  alphaMin: number;
  product: number;
}

export interface Figure2Limit {
  series: string;
  limit: number;
  label: string;
}

export function boundLabel(p: BoundParams): string {
  return `ε = ${p.eps}, δ = ${p.delta}`;
}

/**
 * Samples α_min(β) and β·α_min(β) for each (ε, δ), β from just above β_min to FIGURE2_BETA_MAX,
 * spaced evenly in log(β − β_min) so the blow-up at β_min is resolved; and each limit L/δ.
 */
export function figure2Data(params: readonly BoundParams[] = FIGURE2_PARAMS, points = 300): { rows: Figure2Row[]; limits: Figure2Limit[] } {
  const rows: Figure2Row[] = [];
  const limits: Figure2Limit[] = [];
  for (const p of params) {
    const series = boundLabel(p);
    const b0 = betaMin(p.eps);
    if (!(b0 < FIGURE2_BETA_MAX)) throw new Error(`figure 2: β_min(ε = ${p.eps}) = ${b0} is not below ${FIGURE2_BETA_MAX}`);
    const lo = Math.log(b0 * BETA_START);
    const hi = Math.log(FIGURE2_BETA_MAX - b0);
    for (let k = 0; k < points; k++) {
      const beta = b0 + Math.exp(lo + ((hi - lo) * k) / (points - 1));
      const a = alphaMin(beta, p.eps, p.delta);
      if (Number.isFinite(a) && a > 0) rows.push({ series, beta, alphaMin: a, product: beta * a });
    }
    const limit = logitBound(p.eps) / p.delta;
    limits.push({ series, limit, label: `L/δ = ${limit.toFixed(1)}` });
  }
  return { rows, limits };
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** Vega-Lite spec of Figure 2: α_min(β) and β·α_min(β) side by side, one legend. */
export function figure2Spec(params: readonly BoundParams[] = FIGURE2_PARAMS): TopLevelSpec {
  if (params.length === 0 || params.length > PALETTE.length) throw new Error(`figure 2: between 1 and ${PALETTE.length} (ε, δ) pairs, got ${params.length}`);
  const { rows, limits } = figure2Data(params);
  const labels = params.map(boundLabel);
  const color = {
    field: 'series', type: 'nominal', title: null,
    scale: { domain: labels, range: PALETTE.slice(0, labels.length) },
    legend: { symbolType: 'stroke' },
  } as const;
  const betaAxis = {
    field: 'beta', type: 'quantitative', title: 'β  (log scale)',
    scale: { type: 'log', domain: [1, FIGURE2_BETA_MAX], nice: false },
    // grid lines at 1, 2, 5 per decade; labels where they fit
    axis: { values: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000], labelExpr: "indexof([20, 200, 2000], datum.value) >= 0 ? '' : format(datum.value, 'd')" },
  } as const;
  const betaMins = [...new Set(params.map((p) => p.eps))].map((eps) => ({ beta: betaMin(eps), eps }));
  const betaMinText = betaMins.map((b) => `${b.beta.toFixed(2)} for ε = ${b.eps}`).join(', ');
  const main = params.find((p) => p.eps === 0.1 && p.delta === 0.1) ?? params[0];

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { ...FIGURE_CONFIG, view: { ...FIGURE_CONFIG.view, continuousWidth: 360 } },
    title: {
      text: 'Figure 2. Proposition 3.1: the smallest α for a given β',
      subtitle: `|HTAF(x) − H(x)| ≤ ε for every |x| ≥ δ when β > βₘᵢₙ = L = ln((1 − ε)/ε) and α ≥ αₘᵢₙ(β) = atanh(L/β)/δ`,
    },
    hconcat: [
      {
        title: { text: '(a) αₘᵢₙ(β), log–log', subtitle: `αₘᵢₙ → ∞ as β ↓ βₘᵢₙ (dotted: ${betaMinText})` },
        layer: [
          {
            data: { values: rows },
            mark: { type: 'line', clip: true },
            encoding: {
              x: betaAxis,
              y: {
                field: 'alphaMin', type: 'quantitative', title: 'αₘᵢₙ(β)  (log scale)',
                scale: { type: 'log', domain: [1e-3, 1e2], nice: false },
                axis: { values: [1e-3, 1e-2, 1e-1, 1, 10, 100], format: '~g' },
              },
              color,
            },
          },
          {
            data: { values: betaMins },
            mark: { type: 'rule', strokeDash: [2, 3], color: '#555' },
            encoding: { x: { field: 'beta', type: 'quantitative' } },
          },
        ],
      },
      {
        title: { text: '(b) β·αₘᵢₙ(β) falls toward L/δ', subtitle: `dashed: the limits L/δ (${(logitBound(main.eps) / main.delta).toFixed(2)} for ${boundLabel(main)})` },
        layer: [
          {
            data: { values: rows },
            mark: { type: 'line', clip: true },
            encoding: {
              x: betaAxis,
              y: { field: 'product', type: 'quantitative', title: 'β · αₘᵢₙ(β)', scale: { domain: PRODUCT_DOMAIN, nice: false } },
              color,
            },
          },
          {
            data: { values: limits },
            layer: [
              { mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { y: { field: 'limit', type: 'quantitative' }, color } },
              {
                mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -3, dx: -4, x: 'width', fontSize: 12 },
                encoding: { y: { field: 'limit', type: 'quantitative' }, text: { field: 'label' }, color },
              },
            ],
          },
        ],
      },
    ],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}
