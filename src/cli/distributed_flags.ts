// --nproc / --nnodes / --node-rank / --master-addr / --master-port / --sync-batch-norm for training commands
// (docs/distributed.md). The command's process is the launcher: it starts the workers (the same command
// line, as worker processes with torchrun's variables) and waits; each worker joins the process group.
// Threads are split between this machine's workers unless --threads says otherwise.
import { join } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../core/package_root.js';
import { applyWorkerThreads, threadEnv, threadsPerWorker } from '../core/thread_env.js';
import { launchWorkers, workerEnvironment } from '../distributed/launch.js';
import { initProcessGroup, type ProcessGroup } from '../distributed/process_group.js';
import { isGridWorker, type GridJobs } from '../train/grid_pool.js';
import { positiveInt, nonNegativeInt } from './options.js';

export interface DistributedFlags {
  nproc?: number;
  nnodes?: number;
  nodeRank?: number;
  masterAddr?: string;
  masterPort?: number;
  syncBatchNorm?: boolean;
  threads?: number;
}

export function addDistributedFlags(cmd: Command): Command {
  return cmd
    .option('--nproc <n>', 'data-parallel training in N worker processes on this machine (global batch = --batch × N × --nnodes)', positiveInt('--nproc'))
    .option('--nnodes <k>', 'machines taking part (default 1); each runs this command with its --node-rank', positiveInt('--nnodes'))
    .option('--node-rank <r>', "this machine's index, 0..nnodes-1 (default 0)", nonNegativeInt('--node-rank'))
    .option('--master-addr <host>', "rank 0's machine (default 127.0.0.1)")
    .option('--master-port <port>', "the rendezvous port on the master (default 29500)", positiveInt('--master-port'))
    .option('--sync-batch-norm', 'batch norm with the statistics of the global batch (default: per process, as PyTorch DDP)');
}

/** Whether this process should start workers instead of training (a launcher: --nproc or --nnodes given, not a worker). */
export function isLauncher(o: DistributedFlags): boolean {
  return workerEnvironment() === null && ((o.nproc ?? 1) > 1 || (o.nnodes ?? 1) > 1);
}

/** Starts this machine's workers on the same command line and waits for them. */
export async function launch(command: string, o: DistributedFlags): Promise<void> {
  const nproc = o.nproc ?? 1;
  const nnodes = o.nnodes ?? 1;
  if ((o.nodeRank ?? 0) >= nnodes) throw new Error(`${command}: --node-rank must be below --nnodes (${nnodes}); got ${o.nodeRank}`);
  const threads = threadsPerWorker(nproc, o.threads);
  process.stderr.write(`${command}: ${nproc * nnodes} processes (${nproc} on this machine, ${threads} thread${threads > 1 ? 's' : ''} each); rank 0 prints progress and writes the run\n`);
  await launchWorkers(join(packageRoot(), 'bin/htaf.js'), process.argv.slice(2), {
    nproc, nnodes, nodeRank: o.nodeRank ?? 0, masterAddr: o.masterAddr, masterPort: o.masterPort, env: threadEnv(threads),
  });
}

/** In a worker: joins the process group (and sets the threads the launcher chose). Undefined outside a worker. */
export function joinGroup(): ProcessGroup | undefined {
  const who = workerEnvironment();
  if (who === null) return undefined;
  applyWorkerThreads();
  return initProcessGroup({ backend: 'gloo' });
}

/** --jobs for grid commands (compare, images compare): independent grid points in N worker processes. */
export function addJobsFlag(cmd: Command): Command {
  return cmd.option('--jobs <n>', 'grid points trained in parallel, in N worker processes (threads split between them unless --threads); the table is the same as with --jobs 1 at the same --threads', positiveInt('--jobs'));
}

/** The grid's worker pool from --jobs and --threads (undefined for one process); the parent says what it starts. */
export function gridJobs(command: string, o: { jobs?: number; threads?: number }): GridJobs | undefined {
  if ((o.jobs ?? 1) <= 1) return undefined;
  const threads = threadsPerWorker(o.jobs!, o.threads);
  if (!isGridWorker()) process.stderr.write(`${command}: ${o.jobs} worker processes, ${threads} thread${threads > 1 ? 's' : ''} each; this process keeps the journal\n`);
  return { count: o.jobs!, threads };
}
