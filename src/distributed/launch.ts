// The worker launcher behind --nproc / --nnodes (docs/distributed.md), torchrun's job: start this node's
// workers with torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT), and HTAF_STORE, the rendezvous: on one machine a FileStore in a fresh temporary folder
// (nothing listens on the network; Gloo's pairs bind to 127.0.0.1), across machines c10d's TCPStore on
// the master. Rank 0's standard output passes through; every worker's standard error passes through with
// a "[rank R]" prefix, and its last lines are kept. When a worker fails, the others are stopped (SIGTERM,
// then SIGKILL after a grace period) and the launch fails naming the rank, how it ended and its last
// words; Ctrl-C (SIGINT) or SIGTERM to the launcher stops every worker.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildGroup } from '../core/child_group.js';
import { LineTail } from '../core/line_tail.js';

export interface LaunchOptions {
  /** Workers on this machine. */
  nproc: number;
  /** Machines (default 1). */
  nnodes?: number;
  /** This machine's index, 0..nnodes-1 (default 0). */
  nodeRank?: number;
  /** Rank 0's machine (default 127.0.0.1); with nnodes > 1 every machine gives the same. */
  masterAddr?: string;
  /** The TCPStore's port on the master (default 29500). */
  masterPort?: number;
  /** Extra environment for every worker. */
  env?: Record<string, string>;
  /** Per-collective timeout of the workers, ms (HTAF_DIST_TIMEOUT_MS; default the process group's). */
  timeoutMs?: number;
  /** After the first failure, how long the other workers get before SIGKILL, ms (default 5000). */
  graceMs?: number;
  /** Lines of standard error kept per worker for the failure message (default 20). */
  lastLines?: number;
  /** Where worker output goes (default: process.stdout / process.stderr). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** A failed launch: which rank failed first, how it ended, and its last lines of standard error. */
export class WorkerFailure extends Error {
  constructor(message: string, readonly rank: number, readonly exitCode: number | null, readonly signal: string | null, readonly lastWords: string[]) {
    super(message);
  }
}

function checkCount(name: string, v: unknown, min: number, max = 4096): number {
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) throw new Error(`launch: ${name} must be an integer in ${min}..${max}; got ${String(v)}`);
  return v as number;
}

/** The environment of each of this node's workers (exported for the tests). */
export function workerEnvs(o: LaunchOptions, store: string): Record<string, string>[] {
  const nnodes = o.nnodes ?? 1;
  const nodeRank = o.nodeRank ?? 0;
  const world = nnodes * o.nproc;
  return Array.from({ length: o.nproc }, (_, local) => ({
    ...o.env,
    RANK: String(nodeRank * o.nproc + local),
    WORLD_SIZE: String(world),
    LOCAL_RANK: String(local),
    LOCAL_WORLD_SIZE: String(o.nproc),
    GROUP_RANK: String(nodeRank),
    MASTER_ADDR: o.masterAddr ?? '127.0.0.1',
    MASTER_PORT: String(o.masterPort ?? 29500),
    HTAF_STORE: store,
    ...(o.timeoutMs !== undefined ? { HTAF_DIST_TIMEOUT_MS: String(o.timeoutMs) } : {}),
  }));
}

/**
 * Runs `script args` as this node's workers and resolves when all exit 0; rejects with a WorkerFailure
 * when one does not (after stopping the others).
 */
export async function launchWorkers(script: string, args: readonly string[], options: LaunchOptions): Promise<void> {
  const nproc = checkCount('nproc', options.nproc, 1);
  const nnodes = checkCount('nnodes', options.nnodes ?? 1, 1);
  const nodeRank = checkCount('nodeRank', options.nodeRank ?? 0, 0, nnodes - 1);
  const port = checkCount('masterPort', options.masterPort ?? 29500, 1, 65535);
  const masterAddr = options.masterAddr ?? '127.0.0.1';
  if (typeof masterAddr !== 'string' || masterAddr === '' || /[\s/]/.test(masterAddr)) throw new Error(`launch: masterAddr must be a host name or address; got ${JSON.stringify(masterAddr)}`);
  const graceMs = options.graceMs ?? 5000;
  const keep = options.lastLines ?? 20;
  const out = options.stdout ?? process.stdout;
  const err = options.stderr ?? process.stderr;

  const storeDir = nnodes === 1 ? mkdtempSync(join(tmpdir(), 'htaf-store-')) : undefined;
  const store = storeDir ? `file://${join(storeDir, 'store')}` : `tcp://${masterAddr.includes(':') ? `[${masterAddr}]` : masterAddr}:${port}`;
  const envs = workerEnvs({ ...options, nproc, nnodes, nodeRank, masterAddr, masterPort: port }, store);

  let failure: WorkerFailure | undefined;
  const group = new ChildGroup(graceMs, (signal) => {
    if (!failure) failure = new WorkerFailure(`launch: stopped by ${signal}; every worker was stopped`, -1, null, signal, []);
  });

  try {
    await Promise.all(envs.map((env) => new Promise<void>((resolve) => {
      const rank = Number(env.RANK);
      const child = group.add(fork(script, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }));
      if (rank === 0) child.stdout!.pipe(out, { end: false });
      else child.stdout!.resume();
      const tail = new LineTail(keep, (line) => err.write(`[rank ${rank}] ${line}\n`));
      child.stderr!.on('data', (chunk: Buffer) => tail.push(chunk));
      child.on('exit', (code, signal) => {
        tail.flush();
        if ((code !== 0 || signal !== null) && !failure) {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          const words = tail.words();
          failure = new WorkerFailure(
            `worker rank ${rank} (pid ${child.pid}) ${how}; the other workers were stopped.` + (words.length ? ` Its last words:\n  ${words.join('\n  ')}` : ' It wrote nothing to stderr.'),
            rank, code, signal, words,
          );
          group.stopAll();
        }
        resolve();
      });
    })));
  } finally {
    group.dispose();
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  }
  if (failure) throw failure;
}

/** The distributed setup torchrun's variables describe, or null when this process was not launched as a worker. */
export function workerEnvironment(env: NodeJS.ProcessEnv = process.env): { rank: number; worldSize: number; localRank: number } | null {
  if (env.RANK === undefined || env.WORLD_SIZE === undefined) return null;
  const rank = Number(env.RANK);
  const worldSize = Number(env.WORLD_SIZE);
  if (!Number.isSafeInteger(rank) || !Number.isSafeInteger(worldSize) || worldSize < 1 || rank < 0 || rank >= worldSize) {
    throw new Error(`htaf: $RANK=${env.RANK} and $WORLD_SIZE=${env.WORLD_SIZE} do not describe a worker (0 <= RANK < WORLD_SIZE)`);
  }
  return { rank, worldSize, localRank: Number(env.LOCAL_RANK ?? rank) };
}
