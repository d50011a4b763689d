// Figures: a Vega-Lite spec, compiled by vega-lite to a Vega spec, rendered headless to SVG by vega
// (renderer 'none', no browser, no canvas), rasterized to PNG by sharp (librsvg). No SVG is written by
// hand: a figure module builds data and a spec, and `writePlot` turns it into files.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { withFigureTextMetrics } from './text_metrics.js';

export type { TopLevelSpec } from 'vega-lite';

/** The files one figure was written to. */
export interface PlotFiles {
  svg: string;
  png: string;
}

export interface PlotOptions {
  /** PNG pixels per SVG pixel (default 2, for sharp text on high-density screens and in print). */
  pngScale?: number;
  /** Who writes the figure, for errors (default 'plot'): a command names itself and its folder, `htaf gradients --out 'DIR'`. */
  owner?: string;
}

/** Fonts the SVG asks for, most wanted first (DejaVu Sans has every Greek letter and the prime ′). */
export const FIGURE_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/**
 * Shared look of htaf's figures: a white background, readable font sizes, light grid lines.
 * A figure's spec spreads it into its own `config`.
 */
export const FIGURE_CONFIG = {
  background: 'white',
  padding: 12,
  font: FIGURE_FONT,
  title: { fontSize: 17, fontWeight: 'bold', anchor: 'start', offset: 12, subtitleFontSize: 13, subtitleColor: '#444' },
  axis: {
    titleFontSize: 14, titleFontWeight: 'normal', labelFontSize: 12, titleColor: '#222', labelColor: '#333',
    gridColor: '#e6e6e6', domainColor: '#888', tickColor: '#888',
  },
  legend: {
    titleFontSize: 13, titleFontWeight: 'normal', labelFontSize: 13, symbolStrokeWidth: 2.5, symbolSize: 260,
    labelLimit: 400, orient: 'bottom', direction: 'horizontal', columnPadding: 18,
  },
  header: { labelFontSize: 14, titleFontSize: 14 },
  view: { stroke: '#888', continuousWidth: 300, continuousHeight: 240 },
  concat: { spacing: 36 },
  line: { strokeWidth: 2.2 },
} as const;

const SUPERSCRIPT: Record<string, string> = {
  '−': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};

/**
 * Axis properties for a log scale labelled 10ⁿ at the given exponents (a Vega expression writes the
 * superscripts), e.g. `logAxis('HTAF′(x)', -30, 0, 5)` labels 10⁻³⁰, 10⁻²⁵, …, 10⁰.
 */
export function powersOfTenAxis(title: string, fromExp: number, toExp: number, stepExp = 1) {
  const values: number[] = [];
  for (let e = fromExp; e <= toExp; e += stepExp) values.push(Number(`1e${e}`));
  let expr = "format(round(log(datum.value) / LN10), 'd')";
  for (const [digit, sup] of Object.entries(SUPERSCRIPT)) expr = `replace(${expr}, /${digit}/g, '${sup}')`;
  return { title, values, labelExpr: `'10' + ${expr}`, grid: true };
}

/** Renders a Vega-Lite spec to an SVG document (a string, vega's SVG renderer output). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  let vgSpec;
  try {
    vgSpec = compile(spec).spec;
  } catch (err) {
    throw new Error(`plot: invalid Vega-Lite spec: ${(err as Error).message}`);
  }
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  try {
    return await withFigureTextMetrics(() => view.toSVG());
  } finally {
    view.finalize();
  }
}

/** Rasterizes an SVG document to PNG bytes, `scale` PNG pixels per SVG pixel. */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  if (!(scale > 0 && scale <= 8)) throw new Error(`plot: pngScale must be in (0, 8], got ${scale}`);
  return sharp(Buffer.from(svg), { density: 72 * scale }).png({ compressionLevel: 9, palette: true }).toBuffer();
}

/**
 * Renders `spec` and writes `<outDir>/<name>.svg` and `<outDir>/<name>.png` (creating `outDir`),
 * each atomically. Returns the two paths.
 */
export async function writePlot(spec: TopLevelSpec, outDir: string, name: string, options: PlotOptions = {}): Promise<PlotFiles> {
  const owner = options.owner ?? 'plot';
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`${owner}: figure name must be a plain file name, got '${name}'`);
  const scale = options.pngScale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new Error(`${owner}: pngScale must be in (0, 8], got ${scale}`);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (err) {
    throw new Error(`${owner}: cannot create output directory ${outDir}: ${(err as Error).message}`);
  }
  const svg = await renderSvg(spec);
  const png = await svgToPng(svg, scale);
  const files = { svg: join(outDir, `${name}.svg`), png: join(outDir, `${name}.png`) };
  // Atomically (src/io/atomic_file.ts), so a reader never sees half a figure.
  writeBytesAtomically(files.svg, svg, owner);
  writeBytesAtomically(files.png, png, owner);
  return files;
}
