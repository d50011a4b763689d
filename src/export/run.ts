// `htaf export --run DIR`: which exporter a run directory needs, from what its best.safetensors says it
// holds (a tabular MLP of htaf train, an image model of htaf images train) or an ICBM run's settings.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsHeader } from '../io/safetensors.js';
import { exportImageRun, imageRunFiles } from './image.js';
import { exportTabularRun, type ExportResult } from './tabular.js';

export type { ExportResult } from './tabular.js';

/** What a run directory holds: a tabular run, an image run (htaf images train) or an ICBM run. */
export function runKind(runDir: string): 'tabular' | 'image' | 'icbm' {
  const files = imageRunFiles(runDir);
  if (files?.icbm) return 'icbm';
  const best = join(runDir, 'best.safetensors');
  if (!existsSync(best)) throw new Error(`htaf export --run '${runDir}': no best.safetensors there (a run of htaf train --out DIR, htaf images train or htaf icbm train is expected)`);
  const meta = readSafetensorsHeader(best).metadata?.meta ?? '';
  return meta.includes('"kind":"htaf-image-model"') ? 'image' : 'tabular';
}

/** Exports the run in `runDir` (any of htaf train, images train, icbm train) to `out` (default <runDir>/model.htafb). */
export function exportRun(runDir: string, out?: string): ExportResult {
  return runKind(runDir) === 'tabular' ? exportTabularRun(runDir, out) : exportImageRun(runDir, out);
}
