// DistributedDataParallel, PyTorch's shape (docs/distributed.md): wraps a module; at construction rank 0's
// parameters and buffers are broadcast to every rank; after backward, reduceGradients() averages the
// gradients over the ranks in buckets of up to bucketCapMB (parameters in reverse registration order, the
// order backward produces them), one all-reduce per bucket, coalesced natively into one buffer. The fit loop
// calls it from its afterBackward hook (src/train/distributed_hooks.ts), so training code stays the same.
// Buffers (batch norm's running statistics) are per rank in training, and broadcast from rank 0 before
// each forward when broadcastBuffers is on (PyTorch's default), so every rank evaluates the same model.
import { checkOptionsObject } from '../core/options.js';
import { tidy } from '../core/scope.js';
import { noGrad } from '../autograd/grad_mode.js';
import { zerosLike } from '../tensor/functions.generated.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { defaultProcessGroup, type ProcessGroup } from './process_group.js';

export interface DistributedDataParallelOptions {
  /** The group (default: initProcessGroup's). */
  processGroup?: ProcessGroup;
  /** Largest bucket of gradients per all-reduce, in MiB (default 25, as PyTorch). */
  bucketCapMB?: number;
  /** Broadcast rank 0's buffers before each forward (default true, as PyTorch). */
  broadcastBuffers?: boolean;
}

const DDP_KEYS = ['processGroup', 'bucketCapMB', 'broadcastBuffers'];

const BYTES: Record<string, number> = { float64: 8, float32: 4, float16: 2, bfloat16: 2, int64: 8, int32: 4 };

export class DistributedDataParallel<M extends Module = Module> extends Module {
  readonly module: M;
  readonly processGroup: ProcessGroup;
  readonly broadcastBuffers: boolean;
  /** The parameters of each bucket (one dtype per bucket, each under bucketCapMB unless one parameter alone is larger). */
  readonly buckets: readonly (readonly Tensor[])[];
  #collectives = 0;
  #bytesReduced = 0;

  constructor(module: M, options?: DistributedDataParallelOptions) {
    super();
    const o = checkOptionsObject('DistributedDataParallel', options, DDP_KEYS);
    if (!(module instanceof Module)) throw new Error('DistributedDataParallel: the first argument must be a Module');
    const cap = o.bucketCapMB ?? 25;
    if (typeof cap !== 'number' || !(cap > 0)) throw new Error(`DistributedDataParallel: bucketCapMB must be a positive number; got ${String(o.bucketCapMB)}`);
    this.module = module;
    this.registerModule('module', module);
    this.processGroup = o.processGroup ?? defaultProcessGroup();
    this.broadcastBuffers = o.broadcastBuffers ?? true;
    this.buckets = bucketize([...module.parameters()].filter((p) => p.requiresGrad).reverse(), cap * 2 ** 20);
    this.syncModule();
  }

  forward(...args: unknown[]): unknown {
    if (this.broadcastBuffers && this.module.training) this.syncBuffers();
    return (this.module.call as (...a: unknown[]) => unknown)(...args);
  }

  /** Rank 0's parameters and buffers on every rank (at construction; and after a resume). */
  syncModule(): void {
    const params = [...this.module.parameters()];
    byDtype(params).forEach((ts) => this.processGroup.broadcast(ts, 0));
    this.syncBuffers();
  }

  /** Rank 0's buffers on every rank (one broadcast per dtype). */
  syncBuffers(): void {
    byDtype([...this.module.buffers()]).forEach((ts) => this.processGroup.broadcast(ts, 0));
  }

  /**
   * Averages the gradients over the ranks, in place, bucket by bucket. A parameter without a gradient on
   * this rank (unused in its forward) takes part with zeros, so every rank reduces the same buffers.
   */
  reduceGradients(): void {
    const scale = 1 / this.processGroup.worldSize;
    for (const bucket of this.buckets) {
      tidy(() => {
        const grads = bucket.map((p) => {
          const g = p.grad;
          if (g !== null) return g;
          noGrad(() => (p.grad = zerosLike(p)));
          return p.grad!;
        });
        this.processGroup.allReduce(grads, 'sum', scale);
        this.#collectives++;
        this.#bytesReduced += grads.reduce((s, g) => s + g.numel() * (BYTES[g.dtype] ?? 4), 0);
      });
    }
  }

  /**
   * The mean of one number over the ranks (a batch's loss): NaN on every rank when it is not finite on one,
   * so all ranks skip the same step instead of waiting for each other in reduceGradients.
   */
  meanOverRanks(value: number): number {
    return tidy(() => {
      const t = tensor([Number.isFinite(value) ? value : 0, Number.isFinite(value) ? 0 : 1], { dtype: 'float64' });
      this.processGroup.allReduce(t, 'sum');
      const [sum, bad] = t.toTypedArray() as Float64Array;
      return bad > 0 ? NaN : sum / this.processGroup.worldSize;
    });
  }

  /** Sums of a few numbers over the ranks (an epoch's loss sum, rows, correct predictions). */
  sumOverRanks(values: readonly number[]): number[] {
    return tidy(() => {
      const t = tensor([...values], { dtype: 'float64' });
      this.processGroup.allReduce(t, 'sum');
      return Array.from(t.toTypedArray() as Float64Array);
    });
  }

  /** The smallest and largest of one number over the ranks (one all-reduce: the max of v and of -v). */
  rangeOverRanks(value: number): { min: number; max: number } {
    return tidy(() => {
      const t = tensor([value, -value], { dtype: 'float64' });
      this.processGroup.allReduce(t, 'max');
      const [max, negMin] = t.toTypedArray() as Float64Array;
      return { min: -negMin, max };
    });
  }

  /** Collectives and bytes reduceGradients has made so far (the scale-out estimate of docs/distributed.md). */
  get traffic(): { collectives: number; bytes: number } {
    return { collectives: this.#collectives, bytes: this.#bytesReduced };
  }
}

function byDtype(ts: readonly Tensor[]): Tensor[][] {
  const groups = new Map<string, Tensor[]>();
  for (const t of ts) {
    const g = groups.get(t.dtype) ?? [];
    g.push(t);
    groups.set(t.dtype, g);
  }
  return [...groups.values()];
}

function bucketize(params: readonly Tensor[], capBytes: number): Tensor[][] {
  const buckets: Tensor[][] = [];
  const open = new Map<string, { ps: Tensor[]; bytes: number }>();
  for (const p of params) {
    const bytes = p.numel() * (BYTES[p.dtype] ?? 4);
    let b = open.get(p.dtype);
    if (b && b.bytes + bytes > capBytes && b.ps.length > 0) {
      buckets.push(b.ps);
      b = undefined;
    }
    if (!b) {
      b = { ps: [], bytes: 0 };
      open.set(p.dtype, b);
    }
    b.ps.push(p);
    b.bytes += bytes;
  }
  for (const b of open.values()) if (b.ps.length) buckets.push(b.ps);
  return buckets;
}
