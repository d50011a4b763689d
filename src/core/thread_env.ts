// Threads of worker processes (the --nproc launcher, the grid's --jobs pool): how many each gets, the
// environment that gives a worker that many threads of every pool, and the worker's side of it.
// OpenBLAS (Debian's pthread build) and OpenMP read their thread counts from the environment when they
// load, so without it N workers on N cores each start a BLAS pool as wide as the machine and fight over
// the cores (torchrun sets OMP_NUM_THREADS for its workers for the same reason). A variable the user set
// is kept.
import { availableParallelism } from 'node:os';
import { setNumThreads } from './runtime.js';

const WORKER_THREADS_ENV = 'HTAF_WORKER_THREADS';

/** Threads per worker: `given`, else this machine's cores split between `workers` (at least 1). */
export function threadsPerWorker(workers: number, given?: number): number {
  return given ?? Math.max(1, Math.floor(availableParallelism() / workers));
}

export function threadEnv(threads: number, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = { [WORKER_THREADS_ENV]: String(threads) };
  for (const name of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS']) if (env[name] === undefined) out[name] = String(threads);
  return out;
}

/** In a worker: the threads its launcher chose (threadEnv), if it chose any. */
export function applyWorkerThreads(env: NodeJS.ProcessEnv = process.env): void {
  if (env[WORKER_THREADS_ENV]) setNumThreads(Number(env[WORKER_THREADS_ENV]));
}
