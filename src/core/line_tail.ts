// A child process's standard error, line by line: each whole line goes to `onLine` (to pass it on, with a
// prefix) and the last `keep` lines stay for the failure message ("its last words"). Used by the worker
// launcher (src/distributed/launch.ts) and the grid's worker pool (src/train/grid_pool.ts).

export class LineTail {
  readonly lines: string[] = [];
  #partial = '';

  constructor(private readonly keep: number, private readonly onLine: (line: string) => void = () => {}) {}

  /** Takes a chunk of output; whole lines are passed on and kept, a trailing partial line waits. */
  push(chunk: Buffer | string): void {
    const parts = (this.#partial + chunk.toString()).split('\n');
    this.#partial = parts.pop()!;
    for (const line of parts) this.#take(line);
  }

  /** At exit: the partial last line (a process killed mid-write) counts as a line. */
  flush(): void {
    if (this.#partial) this.#take(this.#partial);
    this.#partial = '';
  }

  /** The kept lines that say something. */
  words(): string[] {
    return this.lines.filter((l) => l.trim() !== '');
  }

  #take(line: string): void {
    this.onLine(line);
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.shift();
  }
}
