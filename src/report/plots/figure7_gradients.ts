// Figure 7 of the paper (Appendix F.2.1): per method, log10 of the mean gradient norm with respect to
// each hidden layer's pre-activations against the epoch (a line per layer; the vanishing threshold
// dashed), and below it the training loss. Numbers come from src/train/gradient_study.ts (its header
// defines the norm); this file only lays them out. Also used per architecture (the paper's Figure 8).
import { writePlot, FIGURE_CONFIG, type PlotFiles, type PlotOptions, type TopLevelSpec } from '../plot.js';
import type { MethodGradients } from '../../train/gradient_study.js';
import { archLabel, formatThreshold } from '../gradients.js';

export interface Figure7Input {
  runs: readonly MethodGradients[];
  threshold: number;
  /** e.g. "churn (4,930 training rows), Adam lr 0.001, batch 128" */
  description?: string;
  /** Title of the loss axis (default 'training loss'), e.g. 'training loss (MSE, scaled target)'. */
  lossTitle?: string;
}

export interface Figure7NormRow {
  method: string;
  layer: string;
  /** 1-based layer index (legend order). */
  index: number;
  epoch: number;
  log10Norm: number;
}

export interface Figure7LossRow {
  method: string;
  epoch: number;
  loss: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function layerLabel(index: number, width: number): string {
  return `layer ${index} (${width})`;
}

/** Rows for the two rows of panels; points whose norm is 0 (log −∞) or NaN are left out and counted. */
export function figure7Data(runs: readonly MethodGradients[]): { norms: Figure7NormRow[]; losses: Figure7LossRow[]; omitted: number } {
  const norms: Figure7NormRow[] = [];
  const losses: Figure7LossRow[] = [];
  let omitted = 0;
  for (const r of runs) {
    for (const e of r.epochs) {
      r.hidden.forEach((w, i) => {
        const v = Math.log10(e.norms[i]);
        if (Number.isFinite(v)) norms.push({ method: r.method, layer: layerLabel(i + 1, w), index: i + 1, epoch: e.epoch, log10Norm: v });
        else omitted++;
      });
      if (Number.isFinite(e.loss)) losses.push({ method: r.method, epoch: e.epoch, loss: e.loss });
    }
  }
  return { norms, losses, omitted };
}

/** Vega-Lite spec: a column per method; top row log10 norms (shared y), bottom row training loss (shared y). */
export function figure7Spec(input: Figure7Input): TopLevelSpec {
  const { runs, threshold } = input;
  if (runs.length === 0) throw new Error('figure 7: no runs');
  const { norms, losses, omitted } = figure7Data(runs);
  const depth = Math.max(...runs.map((r) => r.hidden.length));
  if (depth > PALETTE.length) throw new Error(`figure 7: at most ${PALETTE.length} hidden layers, got ${depth}`);
  const widest = runs.reduce((a, r) => (r.hidden.length > a.hidden.length ? r : a), runs[0]);
  const layerDomain = widest.hidden.map((w, i) => layerLabel(i + 1, w));
  // Runs of one study share an architecture; if not, the legend lists layer indices of the deepest.
  const sameArch = runs.every((r) => archLabel(r.hidden) === archLabel(widest.hidden));
  const maxEpoch = Math.max(...runs.map((r) => r.epochs.length ? r.epochs[r.epochs.length - 1].epoch : 1));
  const showPoints = maxEpoch <= 30;
  const logThreshold = Math.log10(threshold);
  const finiteLogs = norms.map((n) => n.log10Norm);
  const yLo = Math.floor(Math.min(logThreshold - 1, ...finiteLogs));
  const yHi = Math.ceil(Math.max(logThreshold + 1, ...finiteLogs));
  const panelWidth = runs.length > 3 ? 200 : 260;
  const epochAxis = {
    field: 'epoch', type: 'quantitative', title: 'epoch',
    scale: { domain: [1, Math.max(2, maxEpoch)], nice: false },
    axis: { tickMinStep: 1, format: 'd', tickCount: 5 },
  } as const;
  const color = {
    field: 'layer', type: 'nominal', title: 'hidden layer (width):',
    scale: { domain: layerDomain, range: PALETTE.slice(0, layerDomain.length) },
    legend: { symbolType: 'stroke' },
  } as const;
  const line = { type: 'line', point: showPoints, clip: true } as const;

  const normPanel = (r: MethodGradients, first: boolean) => ({
    width: panelWidth,
    title: { text: r.method, subtitle: r.vanishing ? `vanishing from epoch ${r.vanishingEpoch}` : r.stoppedOnNaN ? `NaN at epoch ${r.stoppedOnNaN.epoch}` : 'no vanishing', subtitleColor: r.vanishing ? '#b00' : '#444' },
    layer: [
      {
        data: { values: norms.filter((n) => n.method === r.method) },
        mark: line,
        encoding: {
          x: epochAxis,
          y: {
            field: 'log10Norm', type: 'quantitative', title: first ? 'log₁₀ mean ‖∂ℓ/∂z‖₂' : null,
            scale: { domain: [yLo, yHi], nice: false },
            axis: { minExtent: 36 },
          },
          color,
          order: { field: 'epoch' },
        },
      },
      {
        data: { values: [{ y: logThreshold }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#555', strokeWidth: 1.3 },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
    ],
  });

  const lossPanel = (r: MethodGradients, first: boolean) => ({
    width: panelWidth,
    height: 160,
    data: { values: losses.filter((l) => l.method === r.method) },
    mark: { ...line, color: '#333', point: showPoints ? { color: '#333' } : false },
    encoding: {
      x: epochAxis,
      y: { field: 'loss', type: 'quantitative', title: first ? input.lossTitle ?? 'training loss' : null, scale: { zero: false }, axis: { minExtent: 36 } },
    },
  });

  const arch = sameArch ? `MLP ${archLabel(widest.hidden)}` : 'MLPs';
  const subtitle = [
    `${arch}, no batch norm${input.description ? `; ${input.description}` : ''}`,
    `z: a hidden layer's pre-activations (Linear output); mean over training rows of the per-example gradient norm; dashed: the vanishing threshold ${formatThreshold(threshold)}`
      + (omitted ? `; ${omitted} point(s) with norm 0 (underflow) not drawn` : ''),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { ...FIGURE_CONFIG, view: { ...FIGURE_CONFIG.view, continuousHeight: 220 }, concat: { spacing: 22 } },
    title: { text: 'Figure 7. Gradients with respect to the pre-activations, per layer and epoch', subtitle },
    vconcat: [
      { hconcat: runs.map((r, i) => normPanel(r, i === 0)), resolve: { scale: { y: 'shared' } } },
      { hconcat: runs.map((r, i) => lossPanel(r, i === 0)), resolve: { scale: { y: 'shared' } } },
    ],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}

/** Writes Figure 7 as `<name>.{svg,png}` (default `figure7_gradients`). */
export function writeFigure7(outDir: string, input: Figure7Input, name = 'figure7_gradients', options?: PlotOptions): Promise<PlotFiles> {
  return writePlot(figure7Spec(input), outDir, name, options);
}
