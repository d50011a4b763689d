// The paper's figures that htaf can draw from theory alone, by name.
import { writePlot, type PlotFiles, type PlotOptions } from '../plot.js';
import { figure1Spec } from './figure1_activations.js';
import { figure2Spec } from './figure2_bounds.js';

export { figure1Data, figure1Spec, FIGURE1_PAIRS, FIGURE1_RANGES, pairLabel } from './figure1_activations.js';
export type { HtafParams, Figure1Data, Figure1Row } from './figure1_activations.js';
export { figure2Data, figure2Spec, FIGURE2_PARAMS, FIGURE2_BETA_MAX, boundLabel } from './figure2_bounds.js';
export type { BoundParams, Figure2Row, Figure2Limit } from './figure2_bounds.js';

/** Writes Figure 1 (HTAF, its gradients, the tail ratio against SS) as `figure1_activations.{svg,png}`. */
export function writeFigure1(outDir: string, options?: PlotOptions): Promise<PlotFiles> {
  return writePlot(figure1Spec(), outDir, 'figure1_activations', options);
}

/** Writes Figure 2 (Proposition 3.1's α_min and β·α_min against β) as `figure2_bounds.{svg,png}`. */
export function writeFigure2(outDir: string, options?: PlotOptions): Promise<PlotFiles> {
  return writePlot(figure2Spec(), outDir, 'figure2_bounds', options);
}
