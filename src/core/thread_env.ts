// The environment that gives a worker process `threads` threads of every pool, not only libtorch's
// intra-op one: OpenBLAS (Debian's pthread build) and OpenMP read their thread counts from the environment
// when they load, and at::set_num_threads does not reach OpenBLAS's pool. Without this, N workers on N
// cores each start a BLAS pool as wide as the machine and fight over the cores (torchrun sets
// OMP_NUM_THREADS for its workers for the same reason). A variable the user set is kept.

export function threadEnv(threads: number, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = { HTAF_WORKER_THREADS: String(threads) };
  for (const name of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS']) if (env[name] === undefined) out[name] = String(threads);
  return out;
}
