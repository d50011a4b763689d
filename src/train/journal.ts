// The one journal of grid runs (`htaf compare`, `htaf images compare`): DIR/runs.jsonl, a header line
// naming the command (a hash of its identity: data fingerprints, methods, grid, epochs, seeds, ...), then
// one line per finished run, appended and fsynced. Opening it again needs `resume`; a journal written by
// another command is refused, naming the identity fields that differ; finished runs are not redone.
// A last line cut short by a kill is dropped (json_file.ts); any other bad line is an error naming it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { differingKeys } from './config_diff.js';
import { isGridWorker, runGridPool, serveGrid, type GridJobs } from './grid_pool.js';
import { appendJsonLine, readJsonLines } from './json_file.js';

export const JOURNAL_FILE = 'runs.jsonl';

export interface JournalHeader {
  format: string;
  version: 1;
  hash: string;
  identity: Record<string, unknown>;
}

export interface JournalKind<R> {
  /** Names the command in errors ('compare', 'images compare'). */
  who: string;
  /** The header's format string. */
  format: string;
  /** Does a parsed line look like a run record of this command? */
  isRecord(line: unknown): line is R;
  /** The options to keep the same, for the "different command" message ('data, target, methods, ...'). */
  sameOptions: string;
}

/** The header and the complete run records of a journal file (the header null for an empty file). */
export function readJournalFile<R>(path: string, kind: JournalKind<R>): { header: JournalHeader | null; records: R[] } {
  const lines = readJsonLines(path, kind.who);
  if (lines.length === 0) return { header: null, records: [] };
  const header = lines[0];
  if (header?.format !== kind.format || typeof header.hash !== 'string') {
    throw new Error(`${kind.who}: ${path} is not ${/^[aeiou]/i.test(kind.who) ? 'an' : 'a'} ${kind.who} journal (its first line is not a ${kind.format} header)`);
  }
  const records = lines.slice(1).map((r, i) => {
    if (!kind.isRecord(r)) throw new Error(`${kind.who}: ${path} line ${i + 2} is not a run record`);
    return r;
  });
  return { header, records };
}

export class Journal<R extends { key: string }> {
  readonly #done = new Map<string, R>();

  /** `hash`: of the command's identity (the header's). */
  private constructor(readonly path: string, readonly hash: string) {}

  /**
   * Opens (or starts) the journal at `path` for a command of this identity. In a grid worker (--jobs) it
   * only knows the identity's hash: the parent process alone reads and writes the file.
   */
  static open<R extends { key: string }>(path: string, kind: JournalKind<R>, identity: Record<string, unknown>, resume: boolean): Journal<R> {
    const hash = createHash('sha256').update(JSON.stringify(identity)).digest('hex');
    const journal = new Journal<R>(path, hash);
    if (isGridWorker()) return journal;
    mkdirSync(dirname(path), { recursive: true });
    let header: JournalHeader | null = null;
    if (existsSync(path)) {
      if (!resume) throw new Error(`${kind.who}: ${path} exists (a comparison was started there): add --resume to continue it, or choose another --out`);
      const read = readJournalFile(path, kind);
      header = read.header;
      if (header && header.hash !== hash) {
        const diff = header.identity ? differingKeys(header.identity, identity) : [];
        throw new Error(`${kind.who}: ${path} was written by a different command (differs in: ${diff.join(', ') || 'unknown'}); rerun with the same ${kind.sameOptions}, or choose another --out`);
      }
      for (const r of read.records) journal.#done.set(r.key, r);
    }
    if (!header) appendJsonLine(path, { format: kind.format, version: 1, hash, identity } satisfies JournalHeader);
    return journal;
  }

  has(key: string): boolean {
    return this.#done.has(key);
  }

  /** The finished run of `key` (throws when there is none: callers ask after the grid ran). */
  get(key: string): R {
    const r = this.#done.get(key);
    if (r === undefined) throw new Error(`journal ${this.path}: no finished run '${key}'`);
    return r;
  }

  /**
   * Appends a finished run. It is round-tripped through JSON first, so a fresh run and a resumed one build
   * their tables from the same values. Returns the stored record.
   */
  append(record: R): R {
    const stored = JSON.parse(JSON.stringify(record)) as R;
    appendJsonLine(this.path, stored);
    this.#done.set(stored.key, stored);
    return stored;
  }
}

/**
 * The one grid runner: runs every plan the journal has not finished, in order, appending each result.
 * `run` trains one plan and returns its record; events say where the grid stands. With `jobs.count` > 1
 * the plans run in that many worker processes (grid_pool.ts); in such a worker this serves the parent and
 * never returns.
 */
export async function runGrid<P extends { key: string }, R extends { key: string }>(
  journal: Journal<R>, plans: readonly P[], run: (plan: P) => Promise<R>,
  events: { runStart?(plan: P, done: number, total: number): void; runEnd?(record: R, done: number, total: number): void } = {},
  options: { who?: string; jobs?: GridJobs } = {},
): Promise<void> {
  if (isGridWorker()) return serveGrid(journal.hash, plans, run);
  const total = plans.length;
  let done = plans.filter((p) => journal.has(p.key)).length;
  const todo = plans.filter((p) => !journal.has(p.key));
  if ((options.jobs?.count ?? 1) > 1) {
    let started = done;
    return runGridPool(options.who ?? 'grid', journal.hash, todo, options.jobs!, (r: R) => journal.append(r), {
      runStart: (plan) => events.runStart?.(plan, started++, total),
      runEnd: (stored) => events.runEnd?.(stored, ++done, total),
    });
  }
  for (const plan of todo) {
    events.runStart?.(plan, done, total);
    const stored = journal.append(await run(plan));
    done++;
    events.runEnd?.(stored, done, total);
  }
}
