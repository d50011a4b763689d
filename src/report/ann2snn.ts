// The ANN-to-SNN evaluation (src/train/ann2snn_eval.ts) as Markdown and CSV (csv.ts).
import type { AnnToSnnResult } from '../train/ann2snn_eval.js';
import { csvText } from './csv.js';

/** The Markdown table: one row per model (and T), accuracy in %, inference time and images/s, with a note on the conversion. */
export function annToSnnMarkdown(r: AnnToSnnResult, dataset: string): string {
  return [
    `### ANN-to-SNN conversion on ${dataset} (${r.testImages} test images)`,
    '',
    '| Model | T | Accuracy (%) | Inference time (s) | Images/s |',
    '|---|---:|---:|---:|---:|',
    ...r.rows.map((x) => `| ${x.model} | ${x.T ?? '–'} | ${(x.accuracy * 100).toFixed(1)} | ${x.seconds < 10 ? x.seconds.toFixed(3) : x.seconds.toFixed(1)} | ${x.imagesPerSecond.toFixed(0)} |`),
    '',
    `Thresholds: the ${r.percentile}th percentile of each ReLU's outputs on ${r.calibrationImages} training images; ${r.sites.length} ReLU call sites became IF neurons (reset by subtraction); direct input; logits averaged over T.`,
  ].join('\n');
}

/** CSV: model,T,accuracy,seconds,imagesPerSecond (full precision; T empty for the ANN). */
export function annToSnnCsv(r: AnnToSnnResult): string {
  return csvText(['model', 'T', 'accuracy', 'seconds', 'imagesPerSecond'], r.rows.map((x) => [x.model, x.T, x.accuracy, x.seconds, x.imagesPerSecond]));
}
