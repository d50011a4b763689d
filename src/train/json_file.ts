// JSON files written atomically: a temporary file in the same folder, fsynced, then renamed over the
// target, so a reader (or a crash) sees the old file or the new one, never half of one.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export function writeJsonAtomically(path: string, value: unknown): void {
  const text = JSON.stringify(value, null, 2) + '\n';
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { unlinkSync(tmp); } catch { /* it may not exist */ }
    throw new Error(`cannot write ${path}: ${(err as Error).message}`);
  }
}
