// JSON-lines journals: appended line by line, fsynced, read back dropping a last line cut by a kill.
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

/** Appends one JSON line and fsyncs it: a kill leaves either the whole line or a partial last line (a journal drops it on resume). */
export function appendJsonLine(path: string, value: unknown): void {
  const fd = openSync(path, 'a');
  try {
    const data = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a JSON-lines journal. A last line without its newline (the process was killed while writing it)
 * is cut off the file; any other unreadable line is an error naming `who`, the file and the line.
 */
export function readJsonLines(path: string, who: string): any[] {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    const complete = buf.lastIndexOf(0x0a, got - 1) + 1;
    if (complete < got) ftruncateSync(fd, complete); // a half-written last line
    const lines = buf.subarray(0, complete).toString('utf8').split('\n').slice(0, -1);
    return lines.map((line, i) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`${who}: ${path} line ${i + 1} is not JSON (the journal is damaged; delete it or use another --out)`);
      }
    });
  } finally {
    closeSync(fd);
  }
}
