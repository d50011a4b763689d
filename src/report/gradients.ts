// The gradient studies' text outputs (Figure 7's summary, Table 7, their CSVs): rendering only; the
// studies themselves are src/train/gradient_study.ts.
import { DEFAULT_VANISHING_THRESHOLD, type MethodGradients, type VanishingTable } from '../train/gradient_study.js';
import { csvText, type CsvCell } from './csv.js';

export const archLabel = (hidden: readonly number[]): string => hidden.join('-');

/** log10 of a norm; -Infinity for 0, NaN for NaN. */
export const log10Norm = (v: number): number => Math.log10(v);

function fmtLog(v: number): string {
  return Number.isNaN(v) ? 'nan' : v === -Infinity ? '-inf' : v.toFixed(2);
}

function fmtNum(v: number, digits = 4): string {
  return Number.isNaN(v) ? 'nan' : !Number.isFinite(v) ? String(v) : Number(v.toPrecision(digits)).toString();
}

function mdTable(header: string[], rows: string[][]): string[] {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)];
}

export function gradientStatus(run: MethodGradients): string {
  return run.vanishing ? 'vanishing' : run.stoppedOnNaN ? 'nan' : 'ok';
}

/** 1e-6 rather than 0.000001. */
export function formatThreshold(t: number): string {
  return t !== 0 && (Math.abs(t) < 1e-3 || Math.abs(t) >= 1e5) ? t.toExponential() : String(t);
}

export function thresholdLine(threshold: number): string {
  return `vanishing: the first hidden layer's mean gradient norm falls under ${formatThreshold(threshold)} (log10 ${fmtLog(Math.log10(threshold))}) at some epoch; ` +
    `the paper's threshold is lost, ${formatThreshold(DEFAULT_VANISHING_THRESHOLD)} is our default`;
}

/** One row per run and layer: log10 norm at the first and last epoch and its minimum; loss at both ends. */
export function gradientSummaryMarkdown(study: { threshold: number; runs: MethodGradients[] }, title?: string): string[] {
  const rows: string[][] = [];
  for (const r of study.runs) {
    const e0 = r.epochs[0];
    const e1 = r.epochs[r.epochs.length - 1];
    r.hidden.forEach((w, i) => {
      const logs = r.epochs.map((e) => Math.log10(e.norms[i]));
      const minLog = logs.some(Number.isNaN) ? NaN : Math.min(...logs);
      rows.push([
        r.method, `${i + 1} (${w})`, fmtLog(Math.log10(e0.norms[i])), fmtLog(Math.log10(e1.norms[i])), fmtLog(minLog),
        i === 0 ? gradientStatus(r) : '', i === 0 ? fmtNum(e0.loss) : '', i === 0 ? fmtNum(e1.loss) : '',
      ]);
    });
  }
  return [
    ...(title ? [`### ${title}`, ''] : []),
    thresholdLine(study.threshold),
    '',
    ...mdTable(['method', 'layer (width)', 'log10 norm, epoch 1', 'log10 norm, last', 'min log10 norm', 'first layer', 'loss, epoch 1', 'loss, last'], rows),
  ];
}

/** CSV: one line per architecture, method, epoch and layer. */
export function gradientCsv(runs: readonly MethodGradients[]): string {
  const rows: CsvCell[][] = [];
  for (const r of runs) {
    for (const e of r.epochs) {
      r.hidden.forEach((w, i) => {
        rows.push([archLabel(r.hidden), r.method, e.epoch, i + 1, w, e.norms[i], Math.log10(e.norms[i]), e.loss]);
      });
    }
  }
  return csvText(['architecture', 'method', 'epoch', 'layer', 'width', 'mean_grad_norm', 'log10_mean_grad_norm', 'train_loss'], rows);
}

/** Table 7 as Markdown: architectures × methods, "vanishing"/"ok" (min log10 first-layer norm), the threshold in the header. */
export function vanishingTableMarkdown(t: VanishingTable): string[] {
  const rows = t.architectures.map((a, ai) => [
    archLabel(a),
    ...t.cells[ai].map((r) => `${gradientStatus(r)} (${fmtLog(Math.log10(r.minFirstLayerNorm))})`),
  ]);
  return [
    `Table 7: vanishing gradients, threshold ${formatThreshold(t.threshold)} on the first hidden layer's mean gradient norm`,
    thresholdLine(t.threshold),
    'cells: status (smallest log10 first-layer norm over the epochs)',
    '',
    ...mdTable([`hidden layers \\ method (threshold ${formatThreshold(t.threshold)})`, ...t.methods], rows),
  ];
}

export function vanishingTableCsv(t: VanishingTable): string {
  const rows: CsvCell[][] = [];
  t.architectures.forEach((a, ai) => {
    for (const r of t.cells[ai]) {
      rows.push([
        archLabel(a), r.method, t.threshold, gradientStatus(r), r.vanishingEpoch,
        r.minFirstLayerNorm, Math.log10(r.minFirstLayerNorm), r.epochs[r.epochs.length - 1]?.loss ?? NaN,
      ]);
    }
  });
  return csvText(['architecture', 'method', 'threshold', 'status', 'vanishing_epoch', 'min_first_layer_norm', 'log10_min_first_layer_norm', 'final_loss'], rows);
}

/** The gradient study's JSON goes through the one NaN → null helper (src/io/json.ts); re-exported for the public API. */
