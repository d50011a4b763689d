// Reading a data file whole, with the messages every image loader gives: the file named, and why it
// could not be read in words a user acts on (no such file, a folder, no permission).
import { readFileSync } from 'node:fs';

/** The bytes of `file`; throws `FILE: cannot read the file (why)` when it cannot be read. */
export function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file'
      : e.code === 'EISDIR' ? 'a folder, not a file'
        : e.code === 'EACCES' ? 'permission denied'
          : e.message;
    throw new Error(`${file}: cannot read the file (${why})`);
  }
}
