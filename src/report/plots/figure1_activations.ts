// Figure 1 of the paper: (a) HTAF against the Heaviside step for several (α, β) with the same αβ;
// (b) their gradients on a log scale (Theorem 3.2: tail ≈ C(α, β)·e^(−2α|x|), slope αβ/4 at 0);
// (c) the ratio of HTAF′ to the scaled sigmoid's SS′ with γ = αβ in the tail (docs/method.md §1).
// Numbers come from src/theory; this file only samples them and lays out the figure.
import type { TopLevelSpec } from '../plot.js';
import { FIGURE_CONFIG, powersOfTenAxis } from '../plot.js';
import { htafDerivative, htafValue, slopeAtZero, tailRatioVsScaledSigmoid } from '../../theory/index.js';

export interface HtafParams {
  alpha: number;
  beta: number;
}

/** The paper's pairs with αβ = 22 (docs/method.md §2), plus a heavy-tailed one, in increasing α. */
export const FIGURE1_PAIRS: readonly HtafParams[] = [
  { alpha: 0.5, beta: 44 },
  { alpha: 2, beta: 11 },
  { alpha: 8, beta: 2.75 },
  { alpha: 11, beta: 2 },
];

export const HEAVISIDE_LABEL = 'Heaviside H';

/** Sampling ranges of the three panels. */
export const FIGURE1_RANGES = {
  value: [-2, 2],
  gradient: [-3, 3],
  ratio: [0, 5],
} as const;

/** Lowest gradient shown in panel (b); the curves leave the frame below it. */
const GRADIENT_FLOOR = 1e-30;
/** Band of panel (c)'s log axis. */
const RATIO_DOMAIN: [number, number] = [1e-5, 1e40];

export interface Figure1Row {
  series: string;
  x: number;
  y: number;
  /** drawing order within a series */
  i: number;
}

export interface Figure1Data {
  values: Figure1Row[];
  gradients: Figure1Row[];
  ratios: Figure1Row[];
  slopes: { series: string; x: number; y: number; label: string }[];
}

export function pairLabel(p: HtafParams): string {
  return `α = ${p.alpha}, β = ${p.beta}`;
}

function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => lo + ((hi - lo) * k) / (n - 1));
}

/** Samples HTAF, HTAF′ and HTAF′/SS′ (γ = αβ) for each pair; drops points a log axis cannot show. */
export function figure1Data(pairs: readonly HtafParams[] = FIGURE1_PAIRS, points = 401): Figure1Data {
  const values: Figure1Row[] = [];
  const gradients: Figure1Row[] = [];
  const ratios: Figure1Row[] = [];
  const positive = (y: number) => Number.isFinite(y) && y > 0;
  for (const p of pairs) {
    const series = pairLabel(p);
    grid(FIGURE1_RANGES.value[0], FIGURE1_RANGES.value[1], points).forEach((x, i) => {
      values.push({ series, x, y: htafValue(x, p.alpha, p.beta), i });
    });
    grid(FIGURE1_RANGES.gradient[0], FIGURE1_RANGES.gradient[1], points).forEach((x, i) => {
      const y = htafDerivative(x, p.alpha, p.beta);
      if (positive(y)) gradients.push({ series, x, y, i });
    });
    grid(FIGURE1_RANGES.ratio[0], FIGURE1_RANGES.ratio[1], Math.ceil(points / 2)).forEach((x, i) => {
      const y = tailRatioVsScaledSigmoid(x, p.alpha, p.beta);
      if (positive(y)) ratios.push({ series, x, y, i });
    });
  }
  const [lo, hi] = FIGURE1_RANGES.value;
  [[lo, 0], [0, 0], [0, 1], [hi, 1]].forEach(([x, y], i) => values.push({ series: HEAVISIDE_LABEL, x, y, i }));
  // Theorem 3.2(b): every pair's slope at 0 is αβ/4; label it once per distinct value.
  const slopes = [...new Set(pairs.map((p) => slopeAtZero(p.alpha, p.beta)))].map((s) => ({
    series: 'slope', x: 0, y: s, label: `HTAF′(0) = αβ/4 = ${+s.toFixed(3)}`,
  }));
  return { values, gradients, ratios, slopes };
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** Vega-Lite spec of Figure 1: three panels side by side with one legend. */
export function figure1Spec(pairs: readonly HtafParams[] = FIGURE1_PAIRS): TopLevelSpec {
  if (pairs.length === 0 || pairs.length > PALETTE.length) throw new Error(`figure 1: between 1 and ${PALETTE.length} (α, β) pairs, got ${pairs.length}`);
  const data = figure1Data(pairs);
  const labels = pairs.map(pairLabel);
  const domain = [...labels, HEAVISIDE_LABEL];
  const color = {
    field: 'series', type: 'nominal', title: null,
    scale: { domain, range: [...PALETTE.slice(0, labels.length), '#111'] },
    legend: { symbolType: 'stroke' },
  } as const;
  const strokeDash = {
    field: 'series', type: 'nominal', title: null,
    scale: { domain, range: [...labels.map(() => [1, 0]), [6, 4]] },
  } as const;
  const products = [...new Set(pairs.map((p) => +(p.alpha * p.beta).toPrecision(6)))];
  const gammaText = products.length === 1 ? `γ = αβ = ${products[0]}` : 'γ = αβ for each pair';

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: FIGURE_CONFIG,
    title: {
      text: 'Figure 1. HTAF(x) = σ(β·tanh(αx)): values, gradients, and tails against the scaled sigmoid',
      subtitle: products.length === 1 ? `Every pair has αβ = ${products[0]}, so the same slope at 0; a smaller α gives a heavier gradient tail.` : '',
    },
    hconcat: [
      {
        title: { text: '(a) HTAF against the Heaviside step', subtitle: 'plateaus σ(−β), σ(β): β = 11, 44 lie on the step' },
        data: { values: data.values },
        mark: { type: 'line', clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [...FIGURE1_RANGES.value], nice: false }, axis: { values: [-2, -1, 0, 1, 2], format: '.1~f' } },
          y: { field: 'y', type: 'quantitative', title: 'HTAF(x),  H(x)', scale: { domain: [-0.02, 1.02], nice: false }, axis: { values: [0, 0.25, 0.5, 0.75, 1], format: '.2~f' } },
          color, strokeDash,
          order: { field: 'i', type: 'quantitative' },
        },
      },
      {
        title: { text: '(b) Gradient HTAF′(x), log scale', subtitle: 'tail ≈ C(α, β)·exp(−2α|x|)  (Theorem 3.2a)' },
        layer: [
          {
            data: { values: data.gradients },
            mark: { type: 'line', clip: true },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: 'x', scale: { domain: [...FIGURE1_RANGES.gradient], nice: false }, axis: { values: [-3, -2, -1, 0, 1, 2, 3], format: '.1~f' } },
              y: {
                field: 'y', type: 'quantitative', scale: { type: 'log', domain: [GRADIENT_FLOOR, 1e3], nice: false },
                axis: powersOfTenAxis('HTAF′(x)', -30, 0, 5),
              },
              color, strokeDash,
              order: { field: 'i', type: 'quantitative' },
            },
          },
          {
            data: { values: data.slopes },
            mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 12, color: '#222' },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
      {
        title: { text: '(c) Tail ratio HTAF′(x) / SS′(x), log scale', subtitle: `SS(x) = σ(γx), ${gammaText}: equal slopes at 0` },
        layer: [
          {
            data: { values: data.ratios },
            mark: { type: 'line', clip: true },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: 'x  (x ≥ 0; the ratio is even in x)', scale: { domain: [...FIGURE1_RANGES.ratio], nice: false }, axis: { values: [0, 1, 2, 3, 4, 5], format: '.1~f' } },
              y: {
                field: 'y', type: 'quantitative', scale: { type: 'log', domain: RATIO_DOMAIN, nice: false },
                axis: powersOfTenAxis('HTAF′(x) / SS′(x)', -5, 40, 5),
              },
              color, strokeDash,
              order: { field: 'i', type: 'quantitative' },
            },
          },
          {
            data: { values: [{ y: 1, label: 'ratio 1: HTAF′ = SS′' }] },
            layer: [
              { mark: { type: 'rule', strokeDash: [4, 4], color: '#666' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
              {
                mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -3, fontSize: 12, color: '#444', x: 'width', dx: -4 },
                encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
              },
            ],
          },
        ],
      },
    ],
    resolve: { scale: { color: 'shared', strokeDash: 'shared' } },
  } as TopLevelSpec;
}
