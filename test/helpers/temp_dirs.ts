// One temporary root folder per test file, removed when the file's tests end, and a fresh empty folder
// under it for each test that writes files (the image data tests write many small ones).
import { after } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDirs {
  /** The root folder (a test may name paths under it that do not exist). */
  root: string;
  /** A new empty folder under root: d0, d1, ... */
  newDir: () => string;
}

/** Makes the root under the system's temp folder (named prefix + random) and removes it after the file's tests. */
export function tempDirs(prefix: string): TempDirs {
  const root = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(root, { recursive: true, force: true }));
  let folders = 0;
  const newDir = (): string => {
    const d = join(root, `d${folders++}`);
    mkdirSync(d);
    return d;
  };
  return { root, newDir };
}
