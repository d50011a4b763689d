// Process groups, PyTorch's torch.distributed shapes over libtorch's own c10d (docs/distributed.md):
// initProcessGroup, allReduce, broadcast, barrier, destroyProcessGroup. The rendezvous is c10d's
// TCPStore ('tcp://HOST:PORT', served by rank 0) or FileStore ('file://PATH', nothing on the network);
// the collectives are Gloo's. Every call blocks until done or until the group's timeout: a dead peer is an
// Error naming this rank, never a hang.
import { N } from '../core/native.js';
import { checkOptionsObject } from '../core/options.js';
import type { Tensor } from '../tensor/tensor.js';

export type Backend = 'gloo' | 'nccl';
export type ReduceOp = 'sum' | 'max' | 'min' | 'product';

export interface InitProcessGroupOptions {
  /** 'gloo' (CPU, default) or 'nccl' (GPUs; only in an addon built against a libtorch with NCCL). */
  backend?: Backend;
  /** This process's rank, 0..worldSize-1 (default: $RANK). */
  rank?: number;
  /** How many processes (default: $WORLD_SIZE). */
  worldSize?: number;
  /** The rendezvous: 'tcp://HOST:PORT' or 'file://PATH' (default: $HTAF_STORE, else tcp://$MASTER_ADDR:$MASTER_PORT). */
  store?: string;
  /** How long a collective (and the rendezvous) may wait for the other ranks, in ms (default 300000, or $HTAF_DIST_TIMEOUT_MS). */
  timeoutMs?: number;
}

const INIT_KEYS = ['backend', 'rank', 'worldSize', 'store', 'timeoutMs'];
const DEFAULT_TIMEOUT_MS = 300_000;

/** One c10d process group; methods run collectives over its ranks. */
export class ProcessGroup {
  #id: number | null;

  constructor(id: number, readonly rank: number, readonly worldSize: number, readonly backend: Backend, readonly store: string, readonly timeoutMs: number) {
    this.#id = id;
  }

  /** The addon's key of the group; throws once the group is destroyed. */
  get id(): number {
    if (this.#id === null) throw new Error('htaf distributed: the process group was destroyed');
    return this.#id;
  }

  get destroyed(): boolean {
    return this.#id === null;
  }

  /** Reduces the tensors in place across the ranks (one flat buffer for all of them); `scale` multiplies the result. */
  allReduce(tensors: Tensor | readonly Tensor[], op: ReduceOp = 'sum', scale = 1): void {
    N.pgAllReduce(this.id, list(tensors), op, scale);
  }

  /** Every rank's tensors become rank `root`'s, in place. */
  broadcast(tensors: Tensor | readonly Tensor[], root = 0): void {
    N.pgBroadcast(this.id, list(tensors), root);
  }

  barrier(): void {
    N.pgBarrier(this.id);
  }

  /** Closes the group's connections. Idempotent. */
  destroy(): void {
    if (this.#id === null) return;
    N.pgDestroy(this.#id);
    this.#id = null;
  }
}

/** The addon's handles of one tensor or a list. */
function list(tensors: Tensor | readonly Tensor[]) {
  return (Array.isArray(tensors) ? tensors : [tensors as Tensor]).map((t) => t.native);
}

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`initProcessGroup: $${name} must be a non-negative integer; got '${v}'`);
  return Number(v);
}

function integerIn(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) {
    throw new Error(`initProcessGroup: ${name} must be an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max}; got ${String(v)}`);
  }
  return v as number;
}

/** The rendezvous from the options or torchrun's variables ($MASTER_ADDR, $MASTER_PORT). */
function storeFrom(given: string | undefined): string {
  if (given !== undefined) return given;
  if (process.env.HTAF_STORE) return process.env.HTAF_STORE;
  const addr = process.env.MASTER_ADDR;
  const port = process.env.MASTER_PORT;
  if (!addr || !port) throw new Error('initProcessGroup: no store given, and $MASTER_ADDR / $MASTER_PORT are not set (torchrun sets them; or pass store: "tcp://HOST:PORT" or "file://PATH")');
  return `tcp://${addr.includes(':') ? `[${addr}]` : addr}:${port}`;
}

/** The address Gloo listens on: the loopback one when the master is on loopback, else the hostname's ($GLOO_SOCKET_IFNAME overrides). */
function glooHost(store: string): string {
  if (store.startsWith('file://')) return '127.0.0.1';
  const host = store.slice('tcp://'.length).replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.startsWith('127.') || host === '::1' ? '127.0.0.1' : (process.env.HTAF_GLOO_HOST ?? '');
}

let defaultGroup: ProcessGroup | null = null;

/**
 * Joins (rank 0: serves) the rendezvous and connects every rank to every other. Blocks until all
 * `worldSize` ranks are there or the timeout has passed. Becomes the default group of allReduce & co.
 * @example initProcessGroup({ backend: 'gloo', rank: 0, worldSize: 2, store: 'tcp://127.0.0.1:29500' })
 */
export function initProcessGroup(options?: InitProcessGroupOptions): ProcessGroup {
  const o = checkOptionsObject('initProcessGroup', options, INIT_KEYS);
  if (defaultGroup && !defaultGroup.destroyed) throw new Error('initProcessGroup: a process group is already initialized in this process (destroyProcessGroup() first)');
  const backend = o.backend ?? 'gloo';
  if (backend !== 'gloo' && backend !== 'nccl') throw new Error(`initProcessGroup: backend must be 'gloo' or 'nccl'; got ${JSON.stringify(backend)}`);
  const worldSize = integerIn('worldSize', o.worldSize ?? envInt('WORLD_SIZE') ?? missing('worldSize', 'WORLD_SIZE'), 1);
  const rank = integerIn('rank', o.rank ?? envInt('RANK') ?? missing('rank', 'RANK'), 0, worldSize - 1);
  const timeoutMs = integerIn('timeoutMs', o.timeoutMs ?? envInt('HTAF_DIST_TIMEOUT_MS') ?? DEFAULT_TIMEOUT_MS, 1);
  const store = storeFrom(o.store);
  if (typeof store !== 'string' || !/^(tcp:\/\/.+:\d+|file:\/\/.+)$/.test(store)) {
    throw new Error(`initProcessGroup: store must be 'tcp://HOST:PORT' or 'file://PATH'; got ${JSON.stringify(store)}`);
  }
  let id: number;
  try {
    id = N.pgCreate(store, rank, worldSize, backend, timeoutMs, glooHost(store));
  } catch (err) {
    throw new Error(`initProcessGroup (rank ${rank} of ${worldSize}, ${store}): ${(err as Error).message}`);
  }
  defaultGroup = new ProcessGroup(id, rank, worldSize, backend, store, timeoutMs);
  return defaultGroup;
}

function missing(option: string, env: string): never {
  throw new Error(`initProcessGroup: ${option} not given and $${env} not set`);
}

/** The default group (initProcessGroup's), or an error saying there is none. */
export function defaultProcessGroup(): ProcessGroup {
  if (!defaultGroup || defaultGroup.destroyed) throw new Error('htaf distributed: no process group; call initProcessGroup() first');
  return defaultGroup;
}

export function isInitialized(): boolean {
  return defaultGroup !== null && !defaultGroup.destroyed;
}

export function getRank(group = defaultProcessGroup()): number {
  return group.rank;
}

export function getWorldSize(group = defaultProcessGroup()): number {
  return group.worldSize;
}

/** PyTorch's dist.all_reduce: in place, on the default group unless one is given. */
export function allReduce(tensors: Tensor | readonly Tensor[], op: ReduceOp = 'sum', group = defaultProcessGroup()): void {
  group.allReduce(tensors, op);
}

/** PyTorch's dist.broadcast: every rank's tensors become `src`'s. */
export function broadcast(tensors: Tensor | readonly Tensor[], src = 0, group = defaultProcessGroup()): void {
  group.broadcast(tensors, src);
}

export function barrier(group = defaultProcessGroup()): void {
  group.barrier();
}

export function destroyProcessGroup(group: ProcessGroup | null = defaultGroup): void {
  group?.destroy();
  if (group === defaultGroup) defaultGroup = null;
}

/** Which backends this addon can create ('gloo'; 'nccl' where built with it). */
export function availableBackends(): Backend[] {
  return N.pgBackends() as Backend[];
}
