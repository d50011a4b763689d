// Grid points in parallel (`htaf compare --jobs N`, `htaf images compare --jobs N`; docs/distributed.md,
// "Grids in parallel"). The grid's points are independent runs, so N worker processes each train one point
// at a time while the parent alone owns the journal:
//
//   parent: opens the journal, forks N workers (the same program and arguments, HTAF_GRID_WORKER set)
//   worker: rebuilds the same grid (the same command), checks in with its identity hash, then trains
//           the points the parent sends, one at a time, and sends each finished record back
//   parent: appends each record as it arrives (one writer: the journal stays one valid file), sends the
//           next unfinished point, and when none is left disconnects the workers, which then exit
//
// A run's result depends only on its configuration (seeded), and the table is built from the journal by
// key, so the table is the same bit for bit as with --jobs 1 at the same threads per run. A worker that
// dies or fails stops the others (SIGTERM, then SIGKILL) and the error names the grid point it was
// running and its last lines of standard error; the finished points are in the journal, so --resume
// continues. Ctrl-C stops every worker.
import { fork } from 'node:child_process';
import { ChildGroup } from '../core/child_group.js';
import { LineTail } from '../core/line_tail.js';
import { applyWorkerThreads, threadEnv, threadsPerWorker } from '../core/thread_env.js';

const WORKER_ENV = 'HTAF_GRID_WORKER';

export interface GridJobs {
  /** Worker processes (1: the grid runs in this process). */
  count: number;
  /** Intra-op threads per worker (default: this machine's cores / count, at least 1). */
  threads?: number;
  /**
   * The program the workers run (default: this one, process.argv[1], with process.argv.slice(2)). It must
   * reach the same runGrid call with the same grid: the workers rebuild the grid by running it.
   */
  script?: string;
  args?: string[];
  /** After the first failure, how long the other workers get before SIGKILL, ms (default 5000). */
  graceMs?: number;
}

type ToWorker = { type: 'run'; key: string };
type FromWorker =
  | { type: 'ready'; hash: string }
  | { type: 'record'; key: string; record: unknown }
  | { type: 'failed'; key: string; message: string };

/** Whether this process is a grid worker started by runGridPool. */
export function isGridWorker(): boolean {
  return process.env[WORKER_ENV] !== undefined && typeof process.send === 'function';
}

/**
 * In a worker: trains the points the parent sends and sends back their records; when the parent
 * disconnects (the grid is done), the process exits. Never returns: the command's own code after the grid
 * (the table, the files) is the parent's job.
 */
export function serveGrid<P extends { key: string }, R>(hash: string, plans: readonly P[], run: (plan: P) => Promise<R>): Promise<never> {
  applyWorkerThreads();
  const byKey = new Map(plans.map((p) => [p.key, p]));
  const send = (m: FromWorker): void => void process.send!(m);
  let queue = Promise.resolve();
  process.on('message', (m: ToWorker) => {
    queue = queue.then(async () => {
      const plan = byKey.get(m.key);
      if (!plan) return send({ type: 'failed', key: m.key, message: `this worker's grid has no point '${m.key}'` });
      try {
        send({ type: 'record', key: m.key, record: await run(plan) });
      } catch (err) {
        send({ type: 'failed', key: m.key, message: (err as Error)?.stack ?? String(err) });
      }
    });
  });
  process.on('disconnect', () => void queue.then(() => process.exit(0)));
  send({ type: 'ready', hash });
  return new Promise<never>(() => {});
}

/**
 * In the parent: trains `todo` in `jobs.count` workers. `hash` is the journal's identity hash (a worker
 * whose grid differs is refused); `append` stores a finished record (the journal) and returns it;
 * `events` say where the grid stands. Rejects naming the grid point of the first worker that failed.
 */
export async function runGridPool<P extends { key: string }, R extends { key: string }>(
  who: string, hash: string, todo: readonly P[], jobs: GridJobs, append: (record: R) => R,
  events: { runStart?(plan: P): void; runEnd?(record: R): void },
): Promise<void> {
  const count = Math.min(jobs.count, todo.length);
  if (count === 0) return;
  const threads = threadsPerWorker(jobs.count, jobs.threads);
  const script = jobs.script ?? process.argv[1];
  const args = jobs.args ?? process.argv.slice(2);
  let next = 0;
  let failure: Error | undefined;
  const group = new ChildGroup(jobs.graceMs ?? 5000, (signal) => {
    failure ??= new Error(`${who}: stopped by ${signal}; every worker was stopped (the finished runs are in the journal: --resume continues)`);
  });
  const fail = (message: string, lastWords: string[] = []) => {
    failure ??= new Error(`${who}: ${message}; the other workers were stopped (the finished runs are in the journal: --resume continues)`
      + (lastWords.length ? `. Its last words:\n  ${lastWords.join('\n  ')}` : ''));
    group.stopAll();
  };

  try {
    await Promise.all(Array.from({ length: count }, (_, w) => new Promise<void>((resolve) => {
      const child = group.add(fork(script, args, {
        env: { ...process.env, ...threadEnv(threads), [WORKER_ENV]: String(w) },
        execArgv: process.execArgv,
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      }));
      const tail = new LineTail(20);
      child.stderr!.on('data', (chunk: Buffer) => tail.push(chunk));
      let running: P | undefined;
      const dispatch = () => {
        if (failure || group.stopping) return;
        running = next < todo.length ? todo[next++] : undefined;
        if (running === undefined) return void child.disconnect();
        events.runStart?.(running);
        child.send({ type: 'run', key: running.key } satisfies ToWorker);
      };
      child.on('message', (m: FromWorker) => {
        if (failure) return;
        if (m.type === 'ready') {
          if (m.hash !== hash) return fail(`worker ${w} built a different grid than this process (the program or its data changed between them)`);
          return dispatch();
        }
        if (!running || m.key !== running.key) return fail(`worker ${w} answered for grid point '${m.key}', which it was not running`);
        if (m.type === 'failed') return fail(`grid point '${running.key}' failed in worker ${w}: ${m.message}`);
        const stored = append(m.record as R);
        running = undefined;
        events.runEnd?.(stored);
        dispatch();
      });
      child.on('exit', (code, signal) => {
        tail.flush();
        if (!failure && (running !== undefined || code !== 0 || signal !== null)) {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          const where = running ? `while running grid point '${running.key}'` : 'before taking a grid point';
          fail(`worker ${w} (pid ${child.pid}) ${how} ${where}`, tail.words());
        }
        resolve();
      });
    })));
  } finally {
    group.dispose();
  }
  if (failure) throw failure;
}
