// The ICBM report (`htaf icbm report`): one self-contained HTML page about an ICBM run — the run and its
// metrics, class specificity against the matched-threshold baseline (Figures 4/11), the concept layer's
// outputs against ReLU (Figure 12), each class's most important nodes, and for each node its two groups
// of classes with sample images of each (Figure 5a). Figures are SVGs and image grids PNGs, embedded as
// data: URIs, so the page opens from disk with no network; the same figures are written as PNG files
// beside it. Numbers come from icbm_analysis.ts; this file lays them out.
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { IcbmRunData } from '../concepts/types.js';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { analyzeIcbmRun, type IcbmReportModel, type IcbmReportOptions, type NodeClassShare, type NodeSummary } from './icbm_analysis.js';
import { outputsFigureSpec, specificityFigureSpec } from './icbm_figures.js';
import { esc, formatNumber, formatShare, metricsTable, metricsTableHtml, pngDataUri, REPORT_CSS, svgDataUri, svgSize } from './icbm_html.js';
import { imageGridPng } from './image_grid.js';
import { renderSvg, svgToPng } from './plot.js';

export type { IcbmReportOptions } from './icbm_analysis.js';
export { ICBM_REPORT_DEFAULTS } from './icbm_analysis.js';

export interface IcbmReportRenderOptions extends IcbmReportOptions {
  /** PNG pixels per SVG pixel for the figure files (default 2). */
  pngScale?: number;
}

/** One image of the report, as written to `figures/<name>.png`. */
export interface IcbmReportFigure {
  name: string;
  png: Buffer;
}

export interface IcbmReport {
  html: string;
  figures: IcbmReportFigure[];
  model: IcbmReportModel;
}

/** What writeIcbmReport wrote. */
export interface IcbmReportFiles {
  html: string;
  figures: string[];
}

/** File names (without .png) of the figures, as the report writes them. */
export const ICBM_FIGURE_NAMES = { specificity: 'figure11_class_specificity', outputs: 'figure12_feature_outputs' } as const;

export function nodeGridName(node: number, group: 'activated' | 'unactivated', concepts: number): string {
  return `node_${String(node).padStart(String(concepts - 1).length, '0')}_${group}`;
}

interface Rendered {
  svg: string;
  png: Buffer;
}

function figureHtml(fig: Rendered, alt: string, caption: string): string {
  const { width, height } = svgSize(fig.svg);
  return `<figure><img class="figure" src="${svgDataUri(fig.svg)}" width="${width}" height="${height}" alt="${esc(alt)}">` +
    `<figcaption>${caption}</figcaption></figure>`;
}

function nodeLabel(run: IcbmRunData, model: IcbmReportModel, node: number, link: boolean): string {
  const name = run.conceptNames.find((n) => n.node === node);
  const text = `node ${node}${name ? ` — ${esc(name.name)}` : ''}`;
  return link && model.nodes.some((n) => n.node === node) ? `<a href="#node-${node}">${text}</a>` : text;
}

function classList(run: IcbmRunData, list: NodeClassShare[]): string {
  if (list.length === 0) return '<span class="muted">none</span>';
  return list.map((x) => `${esc(run.meta.classes[x.classIndex])} <span class="muted">(${formatShare(x.share)})</span>`).join(', ');
}

function runFacts(run: IcbmRunData, model: IcbmReportModel): string {
  const m = run.meta;
  const facts: [string, string][] = [
    ['dataset', m.dataset], ['backbone', m.backbone], ['method', m.method], ['concept layer', m.conceptLayer],
    ['concepts M', String(m.concepts)], ['classes K', `${m.classes.length}: ${m.classes.join(', ')}`],
    ['images', `${m.imageShape.join(' × ')} (C × H × W); ${model.counts.train} train, ${model.counts.test} test, ${model.counts.samples} kept for the grids`],
    ['seed', String(m.seed)], ['created', m.createdAt],
  ];
  return `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

function topNodesHtml(run: IcbmRunData, model: IcbmReportModel): string {
  const k = Math.max(...model.topNodes.map((t) => t.nodes.length));
  const head = Array.from({ length: k }, (_, r) => `<th>#${r + 1}</th>`).join('');
  const rows = model.topNodes.map((t) => {
    const cells = t.nodes.map((n) =>
      `<td>${nodeLabel(run, model, n.node, true)}<br><span class="muted">|w| ${formatNumber(n.importance)}; on in ${formatShare(n.share)}</span></td>`).join('');
    return `<tr><th scope="row">${esc(run.meta.classes[t.classIndex])}</th>${cells}</tr>`;
  });
  return `<table class="top-nodes"><thead><tr><th>class</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

async function nodeHtml(run: IcbmRunData, model: IcbmReportModel, n: NodeSummary, figures: IcbmReportFigure[]): Promise<string> {
  const classes = run.meta.classes;
  const parts: string[] = [`<article class="node" id="node-${n.node}"><h3>${nodeLabel(run, model, n.node, false)}</h3>`];
  if (n.name) {
    const score = n.name.score !== undefined ? `, Jaccard ${formatNumber(n.name.score)}` : '';
    parts.push(`<p class="meaning">0: ${esc(n.name.zero)} / 1: ${esc(n.name.one)} <span class="muted">(named by ${esc(n.name.source)}${score})</span></p>`);
  } else {
    parts.push('<p class="muted">Not named yet (htaf icbm name).</p>');
  }
  const topOf = n.topOf.length === 0 ? ''
    : `; among the top ${model.options.topK} of ${n.topOf.map((t) => `${esc(classes[t.classIndex])} (#${t.rank})`).join(', ')}`;
  parts.push(`<p>Importance: largest |w| ${formatNumber(n.maxImportance)}, for ${esc(classes[n.maxImportanceClass])}${topOf}.</p>`);
  parts.push('<div class="groups">');
  for (const group of ['activated', 'unactivated'] as const) {
    const list = group === 'activated' ? n.activated : n.unactivated;
    const samples = group === 'activated' ? n.activatedSamples : n.unactivatedSamples;
    const total = group === 'activated' ? n.activatedSampleCount : n.unactivatedSampleCount;
    const bit = group === 'activated' ? 1 : 0;
    const rule = group === 'activated' ? 'q ≥ 0.5' : 'q < 0.5';
    parts.push(`<div class="group ${group}"><h4>${group === 'activated' ? 'Activated' : 'Unactivated'} group (${rule}): ${list.length} classes</h4>`);
    parts.push(`<p class="classes">${classList(run, list)}</p>`);
    if (samples.length === 0) {
      parts.push(`<p class="note">No sample image has z<sub>${n.node}</sub> = ${bit}.</p>`);
    } else {
      const png = await imageGridPng(run.sampleImages, run.meta.imageShape, samples, { columns: Math.min(samples.length, 8) });
      figures.push({ name: nodeGridName(n.node, group, run.meta.concepts), png });
      const shown = samples.map((p) => classes[run.testLabels[run.sampleIndices[p]]]);
      parts.push(`<figure class="grid"><img src="${pngDataUri(png)}" alt="${esc(`test images with z${n.node} = ${bit}: ${shown.join(', ')}`)}">` +
        `<figcaption>Test images with z<sub>${n.node}</sub> = ${bit}: ${samples.length} of ${total} sample images; ${esc(shown.join(', '))}</figcaption></figure>`);
    }
    parts.push('</div>');
  }
  parts.push('</div></article>');
  return parts.join('');
}

/** Renders the report page and its figures in memory. Throws (naming the field) on inconsistent run data. */
export async function renderIcbmReport(run: IcbmRunData, options: IcbmReportRenderOptions = {}): Promise<IcbmReport> {
  const model = analyzeIcbmRun(run, options);
  const scale = options.pngScale ?? 2;
  const meta = run.meta;
  const figures: IcbmReportFigure[] = [];
  const render = async (name: string, spec: Parameters<typeof renderSvg>[0]): Promise<Rendered> => {
    const svg = await renderSvg(spec);
    const png = await svgToPng(svg, scale);
    figures.push({ name, png });
    return { svg, png };
  };
  const share = model.classSpecificShare;
  const specificity = await render(ICBM_FIGURE_NAMES.specificity, specificityFigureSpec({
    classes: meta.classes, concepts: meta.concepts, icbm: model.testSpecificity, baseline: model.baselineSpecificity,
    bins: model.options.specificityBins,
    subtitle: [
      `${meta.dataset}, ${meta.backbone}, ${meta.method}; M = ${meta.concepts}; ${model.counts.test} test images`,
      `share of (class, node) pairs with q ≤ 0.1 or q ≥ 0.9: ICBM ${formatShare(share.icbm)}` +
        (share.baseline !== undefined ? `, matched-threshold baseline ${formatShare(share.baseline)}` : '; no standard model recorded, no baseline'),
    ],
  }));
  const outputs = await render(ICBM_FIGURE_NAMES.outputs, outputsFigureSpec({
    smooth: run.testSmooth, relu: run.standardTestFeatures, method: meta.method, bins: model.options.outputBins, binarity: model.binarity,
  }));

  const title = `ICBM report: ${meta.dataset}, ${meta.backbone}, ${meta.method}`;
  const nodesNote = model.allNodesShown
    ? `All ${meta.concepts} nodes.`
    : `${model.nodes.length} of ${meta.concepts} nodes: the classes’ top-${model.options.topK} nodes, by their largest importance (raise --max-nodes for more).`;
  const body: string[] = [
    `<header><h1>ICBM report</h1><p class="subtitle">${esc(`${meta.dataset} · ${meta.backbone} · ${meta.method} · M = ${meta.concepts}`)}</p></header>`,
    '<nav><ol><li><a href="#run">Run</a></li><li><a href="#metrics">Metrics</a></li><li><a href="#specificity">Class specificity</a></li>' +
      '<li><a href="#outputs">Feature outputs</a></li><li><a href="#top-nodes">Top nodes per class</a></li><li><a href="#nodes">Nodes</a></li></ol></nav>',
    `<section id="run"><h2>Run</h2>${runFacts(run, model)}</section>`,
    `<section id="metrics"><h2>Metrics</h2>${metricsTableHtml(metricsTable(run.metrics))}` +
      `<p class="note">As recorded by htaf icbm train. For ICBM and BM, accuracy is with exact binary concepts; smooth accuracy keeps the smooth step. ` +
      `ICBM’s recorded test predictions here: accuracy ${formatNumber(model.testAccuracy)} on ${model.counts.test} images; ` +
      `binarity of its smooth outputs ${formatNumber(model.binarity.icbm)}.</p></section>`,
    '<section id="specificity"><h2>Class specificity (Figures 4 and 11)</h2>' +
      '<p>q[c][j] is the share of class c’s test images whose concept j is on. Concepts that are class-specific pile up at 0 and 1. ' +
      (model.baselineSpecificity
        ? 'The baseline binarizes the standard model’s features node by node, each at the threshold that gives it the same share of ones as ICBM’s node.</p>'
        : 'The run recorded no standard model, so there is no matched-threshold baseline.</p>') +
      figureHtml(specificity, 'class specificity histograms per class', 'One panel per class; bars: share of the M nodes whose q falls in the bin.') + '</section>',
    '<section id="outputs"><h2>Feature outputs (Figure 12)</h2>' +
      figureHtml(outputs, 'histograms of feature outputs',
        'All outputs of the concept layer over the test images: ICBM’s smooth step before binarization' +
        (run.standardTestFeatures.length > 0 ? ', and the standard model’s ReLU features at the same layer.' : '; the run recorded no standard model to compare with.')) + '</section>',
    `<section id="top-nodes"><h2>Top-${model.options.topK} nodes per class</h2>` +
      `<p>Importance of node j for class c is |w[c][j]| of the linear head. “On in” is q[c][j] on the ${model.groupSet === 'train' ? 'training' : 'test'} images.</p>${topNodesHtml(run, model)}</section>`,
    `<section id="nodes"><h2>Nodes (Figure 5a)</h2><p>${esc(nodesNote)} Class groups from the ${model.groupSet === 'train' ? 'training' : 'test'} images (q ≥ 0.5: activated); ` +
      `sample images from the test set, by their exact bit.</p>`,
  ];
  for (const n of model.nodes) body.push(await nodeHtml(run, model, n, figures));
  body.push('</section>');
  const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title><style>${REPORT_CSS}</style></head>\n<body>\n${body.join('\n')}\n</body></html>\n`;
  return { html, figures, model };
}

const NODE_GRID_FILE = /^node_\d+_(activated|unactivated)\.png$/;

/**
 * Writes `<outDir>/index.html` and `<outDir>/figures/<name>.png` (creating the folders), each file
 * atomically; node grids left from an earlier report that this one does not draw are removed, so the
 * folder matches the page.
 */
export async function writeIcbmReport(run: IcbmRunData, outDir: string, options: IcbmReportRenderOptions = {}): Promise<IcbmReportFiles> {
  const report = await renderIcbmReport(run, options);
  const figDir = join(outDir, 'figures');
  try {
    await mkdir(figDir, { recursive: true });
  } catch (err) {
    throw new Error(`icbm report: cannot create ${figDir}: ${(err as Error).message}`);
  }
  const figures: string[] = [];
  for (const f of report.figures) {
    const path = join(figDir, `${f.name}.png`);
    writeBytesAtomically(path, f.png, 'icbm report');
    figures.push(path);
  }
  const written = new Set(report.figures.map((f) => `${f.name}.png`));
  for (const name of await readdir(figDir)) {
    if (NODE_GRID_FILE.test(name) && !written.has(name)) await unlink(join(figDir, name));
  }
  const html = join(outDir, 'index.html');
  writeBytesAtomically(html, report.html, 'icbm report');
  return { html, figures };
}
