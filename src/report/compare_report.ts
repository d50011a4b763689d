// The files of a finished comparison (`htaf compare`, `htaf images compare`): DIR/results.json (the
// results with their table(s) as JSON), results.md and results.csv, each written atomically, and the
// text the CLI prints. The runs and the selection are src/train's (protocol.ts, image_compare.ts).
import { join } from 'node:path';
import type { ResultTable } from '../metrics/summary.js';
import type { CompareRun } from '../train/protocol.js';
import type { ImageCompareRun } from '../train/image_compare.js';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { tableToCSV, tableToJSON, tableToMarkdown, tableToText } from './table.js';

export interface CompareFiles {
  journal: string;
  json: string;
  markdown: string;
  csv: string;
}

export interface CompareReport {
  markdown: string;
  text: string;
  files: CompareFiles;
}

function write(outDir: string, journal: string, json: object, markdown: string, csv: string, text: string): CompareReport {
  const files: CompareFiles = { journal, json: join(outDir, 'results.json'), markdown: join(outDir, 'results.md'), csv: join(outDir, 'results.csv') };
  writeBytesAtomically(files.json, `${JSON.stringify(json, null, 2)}\n`, 'write table');
  writeBytesAtomically(files.markdown, markdown, 'write table');
  writeBytesAtomically(files.csv, csv, 'write table');
  return { markdown, text, files };
}

/** Writes the tabular comparison's results (Table 8 layout: rows are methods). */
export function writeCompareReport(outDir: string, run: CompareRun): CompareReport {
  const { trainingSeconds, ...rest } = run.results;
  return write(outDir, run.journal, { ...rest, table: tableToJSON(run.table), trainingSeconds }, tableToMarkdown(run.table), tableToCSV(run.table), tableToText(run.table));
}

/** Writes the image comparison's results (Table 1 layout: rows are models; exact and smooth steps). */
export function writeImageCompareReport(outDir: string, run: ImageCompareRun): CompareReport {
  const { exact, smooth } = run.tables;
  const both = (render: (t: ResultTable) => string) => `${render(exact)}\n${render(smooth)}`;
  const { trainingSeconds, ...rest } = run.results;
  const json = { ...rest, tables: { exact: tableToJSON(exact), smooth: tableToJSON(smooth) }, trainingSeconds };
  return write(outDir, run.journal, json, both(tableToMarkdown), tableToCSV(exact) + tableToCSV(smooth).split('\n').slice(1).join('\n'), both(tableToText));
}
