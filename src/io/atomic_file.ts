// Files written atomically: a temporary file in the same folder, fsynced, then renamed over the target,
// so a reader (or a crash) sees the old file or the new one, never half of one. Every file htaf writes
// (checkpoints, results, tables, figures) goes through here.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `path` through a temporary file in the same folder (`<path>.tmp-<pid>-<random>`): written,
 * fsynced, then renamed over `path`, so readers see the old file or the new one, never a partial one.
 * The temporary file is removed if anything fails. `write` gets the open file descriptor.
 */
export function writeFileAtomically(path: string, what: string, write: (fd: number) => void): void {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    write(fd);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { unlinkSync(tmp); } catch { /* it may not exist */ }
    const e = err as NodeJS.ErrnoException;
    if (e?.code !== undefined && e?.syscall !== undefined) throw new Error(`${what}: cannot write ${path}: ${e.message}`);
    throw err;
  }
  // Make the rename itself durable. Some file systems cannot fsync a directory; the file is written anyway.
  try {
    const dfd = openSync(dirname(path), 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* best effort */ }
}

/** Writes text (UTF-8) or bytes to `path` atomically; `what` names the caller in errors. */
export function writeBytesAtomically(path: string, data: string | Uint8Array, what: string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  writeFileAtomically(path, what, (fd) => {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
  });
}
