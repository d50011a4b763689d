// `htaf export --format onnx`: the run exported as htaf's own .htafb (to a temporary folder), then that
// file's graph converted to ONNX (onnx.ts), so both formats always hold the same network.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBytesAtomically } from '../io/atomic_file.js';
import { htafbToOnnx } from './onnx.js';
import { exportRun } from './run.js';

export interface OnnxExportResult {
  out: string;
  /** Bytes of the ONNX file, of the .htafb the same run exports to, and of the run's best.safetensors. */
  bytes: number;
  htafbBytes: number;
  checkpointBytes: number;
}

/** Exports the run in `runDir` as an ONNX model to `out` (default <runDir>/model.onnx). */
export function exportRunAsOnnx(runDir: string, out = join(runDir, 'model.onnx')): OnnxExportResult {
  const tmp = mkdtempSync(join(tmpdir(), 'htaf-onnx-'));
  try {
    const r = exportRun(runDir, join(tmp, 'model.htafb'));
    const onnx = htafbToOnnx(new Uint8Array(readFileSync(r.out)));
    writeBytesAtomically(out, onnx, 'htaf export --format onnx');
    return { out, bytes: statSync(out).size, htafbBytes: r.bytes, checkpointBytes: r.checkpointBytes };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
