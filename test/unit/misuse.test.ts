// "No crash from misuse": thousands of randomly generated WRONG calls across the core API (mismatched
// shapes, wrong dtypes, bad dims, disposed tensors, non-tensor arguments, NaN/Infinity/negative options,
// unknown option names, unknown dtype/device strings). Each must throw a JavaScript Error whose message
// names the op and, when a live tensor was passed, shows a shape such as float32[2, 3] (or says "disposed"
// for a disposed one). The process must never abort.
//
// The calls run in a child process (this file again, with HTAF_MISUSE_WORKER=1) that announces each call
// before making it, so a segfault or abort is reported with the seed and the call that caused it.
// Reproduce a run: HTAF_MISUSE_SEED=<seed> [HTAF_MISUSE_CALLS=<n>] node --test dist/test/unit/misuse.test.js
// Run the worker alone: HTAF_MISUSE_WORKER=1 HTAF_MISUSE_SEED=<seed> node dist/test/unit/misuse.test.js
// (HTAF_MISUSE_VERBOSE=1 also prints every error message).
//
// Calls libtorch accepts that some would call wrong are NOT generated here (they are legal, and tested as
// legal in the last test of this file): see ACCEPTED_BY_LIBTORCH below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as H from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const SELF = fileURLToPath(import.meta.url);
const DEFAULT_SEED = 20261128;
const DEFAULT_CALLS = 2000;

// ---- a seeded PRNG (mulberry32), so a run repeats exactly ------------------------------------------

class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A shape of rank in [minRank, maxRank] with sizes in [1, maxSize]. */
  shape(minRank: number, maxRank: number, maxSize = 4): number[] {
    return Array.from({ length: this.int(minRank, maxRank) }, () => this.int(1, maxSize));
  }
  /** Two shapes that cannot broadcast: their last sizes differ and are both >= 2. */
  mismatch(): [number[], number[]] {
    const a = this.shape(1, 3);
    const b = this.chance(0.5) ? a.slice() : this.shape(1, 3);
    const x = this.int(2, 4);
    let y = this.int(2, 5);
    if (y === x) y = x + 1;
    a[a.length - 1] = x;
    b[b.length - 1] = y;
    return [a, b];
  }
}

// ---- what one wrong call is and what its error must say ---------------------------------------------

interface Case {
  /** The generator's name, for the report. */
  gen: string;
  /** The op (or ops) the message must name: it must start with `op(` or `op:`. */
  op: string | readonly string[];
  /** What the call is, for the report. */
  desc: string;
  run: () => unknown;
  /** A live tensor is among the arguments: the message must show a dtype[shape]. */
  shape?: boolean;
  /** A disposed tensor is among the arguments: the message must say so. */
  disposed?: boolean;
}

type Gen = (r: Rng) => Omit<Case, 'gen'>;

const SHAPE_RE = /\b(float32|float64|float16|bfloat16|int64|int32|int16|int8|uint8|bool)\[[\d, ]*\]/;

/** A short, safe description of a value (never throws, even for symbols or garbage handles). */
function show(v: unknown, depth = 0): string {
  if (v instanceof H.Tensor) {
    try {
      return v.isDisposed ? 'Tensor<disposed>' : `${v.dtype}[${v.shape.join(', ')}]`;
    } catch {
      return 'Tensor<?>';
    }
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'symbol') return 'Symbol()';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v)) return depth > 1 ? '[...]' : `[${v.map((x) => show(x, depth + 1)).join(', ')}]`;
  if (v instanceof Map) return 'Map';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (v && typeof v === 'object') {
    if (depth > 1) return '{...}';
    return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x, depth + 1)}`).join(', ')}}`;
  }
  return String(v);
}

// ---- tensors ------------------------------------------------------------------------------------------

const f32 = (s: number[]): Tensor => H.randn(s);
const f64 = (s: number[]): Tensor => H.randn(s, { dtype: 'float64' });
const i64 = (s: number[], hi = 3): Tensor => H.randint(0, hi, s);
const i32 = (s: number[], hi = 3): Tensor => H.randint(0, hi, s, { dtype: 'int32' });
const u8 = (s: number[]): Tensor => H.randint(0, 2, s, { dtype: 'uint8' });
const bool = (s: number[]): Tensor => H.randn(s).gt(0);
const intLike = (r: Rng, s: number[]): Tensor => r.pick([i64, i32, u8])(s);
const nonFloat = (r: Rng, s: number[]): Tensor => r.pick([i64, i32, u8, bool])(s);

// Garbage where a Tensor is required. Numbers and booleans are garbage only where no scalar is allowed.
const GARBAGE_OBJECTS: readonly (() => unknown)[] = [
  () => 'x', () => '', () => ({}), () => ({ shape: [2, 3], dtype: 'float32' }), () => [], () => [1, 2], () => [[1]],
  () => () => 0, () => 10n, () => Symbol('s'), () => new Float32Array(2), () => new Map(), () => new Date(0),
  () => Promise.resolve(1),
];
const GARBAGE_NUMBERS: readonly (() => unknown)[] = [() => 0, () => 1, () => NaN, () => -Infinity, () => true, () => false];
const GARBAGE_NULLS: readonly (() => unknown)[] = [() => null, () => undefined];

// Bad values for an integer argument (dim, size, count); `null` only where the argument is not optional.
const BAD_INTS: readonly unknown[] = [0.5, 1.5, -0.5, NaN, Infinity, -Infinity, 1e300, '0', '1', {}, true, 2 ** 60];

// ---- valid call templates: a wrong call replaces or disposes one of their tensors ------------------

/** T: a Tensor; TS: Tensor or number; TL: Tensor[]; T?: optional Tensor; '-': anything else. */
type Slot = 'T' | 'TS' | 'TL' | 'T?' | '-';

interface Template {
  op: string;
  /** The op named by errors when it differs (TS wrappers that delegate). */
  errorOp?: string | readonly string[];
  slots: Slot[];
  make: () => unknown[];
  /** Default: the function form H[op](...args). */
  call?: (a: unknown[]) => unknown;
  /** The self slot is a method receiver in `call` (garbage cannot go there). */
  selfIsReceiver?: boolean;
}

const fn = (op: string) => (a: unknown[]): unknown => (H as unknown as Record<string, (...x: unknown[]) => unknown>)[op](...a);

const TEMPLATES: Template[] = [
  { op: 'add', slots: ['T', 'TS', '-'], make: () => [f32([2, 3]), f32([3]), 2] },
  { op: 'sub', slots: ['T', 'TS'], make: () => [f32([2, 3]), f32([2, 1])] },
  { op: 'mul', slots: ['T', 'TS'], make: () => [f32([3]), f32([3])] },
  { op: 'div', slots: ['T', 'TS'], make: () => [f32([3]), f32([1])] },
  { op: 'pow', slots: ['T', 'TS'], make: () => [f32([3]).abs(), f32([3])] },
  { op: 'maximum', slots: ['T', 'T'], make: () => [f32([3]), f32([3])] },
  { op: 'minimum', slots: ['T', 'T'], make: () => [f32([3]), f32([3])] },
  { op: 'eq', slots: ['T', 'TS'], make: () => [f32([3]), f32([3])] },
  { op: 'lt', slots: ['T', 'TS'], make: () => [f32([3]), f32([3])] },
  { op: 'logicalAnd', slots: ['T', 'T'], make: () => [bool([3]), bool([3])] },
  { op: 'where', slots: ['T', 'TS', 'TS'], make: () => [bool([3]), f32([3]), f32([3])] },
  { op: 'maskedFill', slots: ['T', 'T', 'TS'], make: () => [f32([2, 3]), bool([2, 3]), H.tensor(1)] },
  { op: 'matmul', slots: ['T', 'T'], make: () => [f32([2, 3]), f32([3, 4])] },
  { op: 'mm', slots: ['T', 'T'], make: () => [f32([2, 3]), f32([3, 4])] },
  { op: 'bmm', slots: ['T', 'T'], make: () => [f32([2, 2, 3]), f32([2, 3, 4])] },
  { op: 'linear', slots: ['T', 'T', 'T?'], make: () => [f32([4, 3]), f32([2, 3]), f32([2])] },
  { op: 'conv2d', slots: ['T', 'T', '-'], make: () => [f32([1, 2, 5, 5]), f32([3, 2, 3, 3]), { padding: 1 }] },
  { op: 'conv1d', slots: ['T', 'T', '-'], make: () => [f32([1, 2, 6]), f32([3, 2, 3]), { stride: 2 }] },
  { op: 'maxPool2d', slots: ['T', '-'], make: () => [f32([1, 2, 4, 4]), 2] },
  { op: 'avgPool2d', slots: ['T', '-'], make: () => [f32([1, 2, 4, 4]), [2, 2]] },
  { op: 'adaptiveAvgPool2d', slots: ['T', '-'], make: () => [f32([1, 2, 4, 4]), [2, 2]] },
  { op: 'batchNorm', slots: ['T', 'T?', 'T?'], make: () => [f32([4, 3]), H.zeros([3]), H.ones([3])] },
  { op: 'layerNorm', slots: ['T', '-'], make: () => [f32([2, 3]), [3]] },
  { op: 'dropout', slots: ['T', '-'], make: () => [f32([4]), 0.5] },
  { op: 'embedding', slots: ['T', 'T'], make: () => [i64([4], 5), f32([5, 2])] },
  { op: 'crossEntropy', slots: ['T', 'T'], make: () => [f32([4, 3]), i64([4], 3)] },
  { op: 'nllLoss', slots: ['T', 'T'], make: () => [f32([4, 3]).logSoftmax(1), i64([4], 3)] },
  { op: 'binaryCrossEntropyWithLogits', slots: ['T', 'T'], make: () => [f32([4]), H.rand([4])] },
  { op: 'mseLoss', slots: ['T', 'T'], make: () => [f32([4]), f32([4])] },
  { op: 'l1Loss', slots: ['T', 'T'], make: () => [f32([4]), f32([4])] },
  { op: 'htaf', slots: ['T', '-', '-'], make: () => [f32([3]), 2, 11] },
  { op: 'scaledSigmoid', slots: ['T', '-'], make: () => [f32([3]), 22] },
  { op: 'heavisideSte', slots: ['T', '-', '-'], make: () => [f32([3]), 'tanh', 4] },
  { op: 'cat', slots: ['TL', '-'], make: () => [[f32([2, 2]), f32([1, 2])], 0] },
  { op: 'stack', slots: ['TL', '-'], make: () => [[f32([2, 2]), f32([2, 2])], 1] },
  { op: 'gather', slots: ['T', '-', 'T'], make: () => [f32([2, 3]), 1, i64([2, 2], 3)] },
  { op: 'indexSelect', slots: ['T', '-', 'T'], make: () => [f32([2, 3]), 0, i64([3], 2)] },
  { op: 'expandAs', slots: ['T', 'T'], make: () => [f32([1, 3]), f32([2, 3])] },
  { op: 'allclose', slots: ['T', 'T'], make: () => [f32([3]), f32([3])] },
  { op: 'equal', slots: ['T', 'T'], make: () => [f32([3]), f32([3])] },
  { op: 'copy_', slots: ['T', 'T'], make: () => [H.zeros([3]), f32([3])] },
  { op: 'maskedFill_', slots: ['T', 'T', 'TS'], make: () => [f32([3]), bool([3]), H.tensor(0)] },
  { op: 'add_', slots: ['T', 'TS'], make: () => [f32([3]), f32([3])] },
  { op: 'mul_', slots: ['T', 'TS'], make: () => [f32([3]), H.tensor(2)] },
  ...['exp', 'relu', 'sigmoid', 'tanh', 'clone', 'detach', 'contiguous', 'numel', 'isnan', 'any', 'all', 'zerosLike',
    'randnLike', 'neg', 'abs', 'sum', 'mean', 'norm', 'max', 'min', 't', 'zero_', 'sort', 'argmax', 'std', 'var',
    'square', 'sqrt', 'silu', 'floor', 'logicalNot', 'dim', 'isContiguous', 'onesLike', 'randLike', 'uniform_', 'normal_']
    .map((op): Template => ({ op, slots: ['T'], make: () => [f32([2, 3])] })),
  { op: 'softmax', slots: ['T', '-'], make: () => [f32([2, 3]), 1] },
  { op: 'logSoftmax', slots: ['T', '-'], make: () => [f32([2, 3]), -1] },
  { op: 'reshape', slots: ['T', '-'], make: () => [f32([2, 3]), [3, 2]] },
  { op: 'view', slots: ['T', '-'], make: () => [f32([2, 3]), [-1]] },
  { op: 'permute', slots: ['T', '-'], make: () => [f32([2, 3]), [1, 0]] },
  { op: 'transpose', slots: ['T', '-', '-'], make: () => [f32([2, 3]), 0, 1] },
  { op: 'flatten', slots: ['T'], make: () => [f32([2, 3, 2])] },
  { op: 'squeeze', slots: ['T', '-'], make: () => [f32([2, 1]), 1] },
  { op: 'unsqueeze', slots: ['T', '-'], make: () => [f32([2, 3]), 0] },
  { op: 'expand', slots: ['T', '-'], make: () => [f32([1, 3]), [2, 3]] },
  { op: 'repeat', slots: ['T', '-'], make: () => [f32([2, 3]), [2, 1]] },
  { op: 'flip', slots: ['T', '-'], make: () => [f32([2, 3]), [0]] },
  { op: 'split', slots: ['T', '-'], make: () => [f32([4, 3]), 2] },
  { op: 'splitWithSizes', slots: ['T', '-'], make: () => [f32([4, 3]), [1, 3]] },
  { op: 'chunk', slots: ['T', '-'], make: () => [f32([4, 3]), 2] },
  { op: 'slice', slots: ['T', '-', '-', '-'], make: () => [f32([4, 3]), 0, 1, 3] },
  { op: 'narrow', slots: ['T', '-', '-', '-'], make: () => [f32([4, 3]), 1, 0, 2] },
  { op: 'select', slots: ['T', '-', '-'], make: () => [f32([4, 3]), 0, 1] },
  { op: 'oneHot', slots: ['T', '-'], make: () => [i64([4], 3), 3] },
  { op: 'clamp', slots: ['T', '-', '-'], make: () => [f32([3]), -1, 1] },
  { op: 'clamp_', slots: ['T', '-', '-'], make: () => [f32([3]), -1, 1] },
  { op: 'gelu', slots: ['T', '-'], make: () => [f32([3]), 'tanh'] },
  { op: 'softplus', slots: ['T', '-'], make: () => [f32([3]), 2] },
  { op: 'leakyRelu', slots: ['T', '-'], make: () => [f32([3]), 0.2] },
  { op: 'hardtanh', slots: ['T', '-', '-'], make: () => [f32([3]), -2, 2] },
  { op: 'maxDim', slots: ['T', '-'], make: () => [f32([2, 3]), 1] },
  { op: 'minDim', slots: ['T', '-', '-'], make: () => [f32([2, 3]), 0, true] },
  { op: 'amax', slots: ['T', '-'], make: () => [f32([2, 3]), [0, 1]] },
  { op: 'logsumexp', slots: ['T', '-'], make: () => [f32([2, 3]), [1]] },
  { op: 'cumsum', slots: ['T', '-'], make: () => [f32([2, 3]), 1] },
  { op: 'topk', slots: ['T', '-'], make: () => [f32([2, 3]), 2] },
  { op: 'fullLike', slots: ['T', '-'], make: () => [f32([2, 3]), 3] },
  { op: 'toDtype', slots: ['T', '-'], make: () => [f32([2, 3]), 'float64'] },
  { op: 'toDevice', slots: ['T', '-'], make: () => [f32([2, 3]), 'cpu'] },
  { op: 'item', slots: ['T'], make: () => [f32([1])] },
  { op: 'fill_', slots: ['T', '-'], make: () => [f32([3]), 2] },
  // Tensor's hand-written methods: the receiver can be disposed, not replaced by garbage.
  { op: 'toArray', slots: ['T'], make: () => [f32([2])], call: ([x]) => (x as Tensor).toArray(), selfIsReceiver: true },
  { op: 'toTypedArray', slots: ['T'], make: () => [f32([2])], call: ([x]) => (x as Tensor).toTypedArray(), selfIsReceiver: true },
  { op: 'toFlatArray', slots: ['T'], make: () => [f32([2])], call: ([x]) => (x as Tensor).toFlatArray(), selfIsReceiver: true },
  { op: 'size', slots: ['T'], make: () => [f32([2])], call: ([x]) => (x as Tensor).size(0), selfIsReceiver: true },
  { op: 'to', errorOp: ['to', 'toDtype'], slots: ['T'], make: () => [f32([2])], call: ([x]) => (x as Tensor).to('float64'), selfIsReceiver: true },
  { op: 'retainGrad', slots: ['T'], make: () => [H.randn([2], { requiresGrad: true }).mul(2)], call: ([x]) => (x as Tensor).retainGrad(), selfIsReceiver: true },
  { op: 'requiresGrad=', errorOp: 'setRequiresGrad', slots: ['T'], make: () => [f32([2])], call: ([x]) => { (x as Tensor).requiresGrad = true; }, selfIsReceiver: true },
  { op: 'backward', slots: ['T'], make: () => [H.randn([3], { requiresGrad: true }).mul(2).sum()], call: ([y]) => (y as Tensor).backward(), selfIsReceiver: true },
  { op: 'backward', slots: ['T', 'T?'], make: () => [H.randn([3], { requiresGrad: true }).mul(2), f32([3])], call: ([y, g]) => (y as Tensor).backward(g as Tensor), selfIsReceiver: true },
  { op: 'grad=', errorOp: 'setGrad', slots: ['T', 'T?'], make: () => [H.randn([3], { requiresGrad: true }), f32([3])], call: ([x, g]) => { (x as Tensor).grad = g as Tensor; }, selfIsReceiver: true },
  { op: 'grad', errorOp: 'gradOf', slots: ['T'], make: () => [H.randn([3], { requiresGrad: true })], call: ([x]) => (x as Tensor).grad, selfIsReceiver: true },
];

/** Calls a template: a method call when the receiver is a live tensor and a coin says so, else the function. */
function callTemplate(t: Template, args: unknown[], r: Rng): () => unknown {
  if (t.call) return () => t.call!(args);
  const self = args[0];
  if (self instanceof H.Tensor && r.chance(0.5) && typeof (self as unknown as Record<string, unknown>)[t.op] === 'function') {
    return () => (self as unknown as Record<string, (...x: unknown[]) => unknown>)[t.op](...args.slice(1));
  }
  return () => fn(t.op)(args);
}

/** Whether any argument (or item of an array argument) is a live tensor. */
function hasLive(args: unknown[]): boolean {
  return args.some((a) => (a instanceof H.Tensor && !a.isDisposed) || (Array.isArray(a) && a.some((x) => x instanceof H.Tensor && !x.isDisposed)));
}

const tensorSlots = (t: Template): number[] => t.slots.flatMap((s, i) => (s === '-' ? [] : [i]));

// ---- the generators ---------------------------------------------------------------------------------

const GENS: Record<string, Gen> = {};

// Disposed tensors: a valid call with one of its tensors disposed first.
GENS.disposed = (r) => {
  const t = r.pick(TEMPLATES);
  const slot = r.pick(tensorSlots(t));
  let args: unknown[] = [];
  return {
    op: t.errorOp ?? t.op,
    desc: `${t.op} with argument ${slot} (${t.slots[slot]}) disposed`,
    disposed: true,
    run() {
      args = t.make();
      const a = args[slot];
      if (Array.isArray(a)) (r.pick(a) as Tensor).dispose();
      else if (a instanceof H.Tensor) a.dispose();
      else throw new Error(`misuse test: template ${t.op} slot ${slot} holds no tensor`);
      return callTemplate(t, args, r)();
    },
  };
};

// Non-tensor arguments where a tensor is required.
GENS.garbage = (r) => {
  const candidates = TEMPLATES.filter((t) => tensorSlots(t).some((i) => !(i === 0 && t.selfIsReceiver)));
  const t = r.pick(candidates);
  const slot = r.pick(tensorSlots(t).filter((i) => !(i === 0 && t.selfIsReceiver)));
  const kind = t.slots[slot];
  const pool = kind === 'T' ? [...GARBAGE_OBJECTS, ...GARBAGE_NUMBERS, ...GARBAGE_NULLS]
    : kind === 'TS' ? [...GARBAGE_OBJECTS, ...GARBAGE_NULLS]
      : kind === 'T?' ? [...GARBAGE_OBJECTS, ...GARBAGE_NUMBERS]
        : [...GARBAGE_OBJECTS, ...GARBAGE_NUMBERS, ...GARBAGE_NULLS, () => 'inList'];
  const make = r.pick(pool);
  const junk = make();
  let shape = false;
  return {
    op: t.errorOp ?? t.op,
    desc: `${t.op} with argument ${slot} (${kind}) = ${kind === 'TL' && junk === 'inList' ? 'a list holding garbage' : show(junk)}`,
    get shape() { return shape; },
    run() {
      const args = t.make();
      if (kind === 'TL' && junk === 'inList') {
        const list = (args[slot] as unknown[]).slice();
        list.splice(r.int(0, list.length), 0, r.pick([...GARBAGE_OBJECTS, ...GARBAGE_NUMBERS, ...GARBAGE_NULLS])());
        args[slot] = list;
      } else {
        args[slot] = junk;
      }
      shape = hasLive(args);
      return callTemplate(t, args, r)();
    },
  };
};

// Shapes that cannot broadcast, or that an op cannot take together.
GENS.binaryShapes = (r) => {
  const [a, b] = r.mismatch();
  const op = r.pick(['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge',
    'logicalAnd', 'logicalOr', 'mseLoss', 'l1Loss', 'binaryCrossEntropyWithLogits', 'allclose', 'expandAs', 'where',
    'maskedFill', 'add_', 'sub_', 'mul_', 'div_', 'copy_', 'maskedFill_']);
  return {
    op, shape: true, desc: `${op}(${a}, ${b})`,
    run() {
      if (op === 'where') return H.where(bool(a), f32(b), f32(a));
      if (op === 'maskedFill' || op === 'maskedFill_') return fn(op)([f32(a), bool(b), 1]);
      if (op === 'expandAs') return f32(b).expandAs(f32(a));
      return fn(op)([f32(a), f32(b)]);
    },
  };
};

GENS.matmulShapes = (r) => {
  const m = r.int(1, 4), n = r.int(1, 4), k = r.int(1, 4), k2 = k + r.int(1, 3), bt = r.int(1, 3);
  const op = r.pick(['matmul', 'mm', 'bmm', 'linear', 'linearBias', 'matmul0d', 'mm1d', 'bmm2d', 'bmmBatch']);
  const name = op.startsWith('linear') ? 'linear' : op.replace(/0d|1d|2d|Batch/, '');
  return {
    op: name, shape: true, desc: `${op} m=${m} n=${n} k=${k} k2=${k2}`,
    run() {
      switch (op) {
        case 'matmul': return f32([m, k]).matmul(f32([k2, n]));
        case 'mm': return H.mm(f32([m, k]), f32([k2, n]));
        case 'bmm': return f32([bt, m, k]).bmm(f32([bt, k2, n]));
        case 'linear': return H.linear(f32([m, k]), f32([n, k2]));
        case 'linearBias': return H.linear(f32([m, k]), f32([n, k]), f32([n + r.int(1, 2)]));
        case 'matmul0d': return f32([]).matmul(f32(r.shape(0, 2)));
        case 'mm1d': return H.mm(f32([k]), f32([k, n]));
        case 'bmm2d': return f32([m, k]).bmm(f32([k, n]));
        default: return f32([bt, m, k]).bmm(f32([bt + 1, k, n]));
      }
    },
  };
};

GENS.convShapes = (r) => {
  const c = r.int(1, 3), c2 = c + r.int(1, 2), o = r.int(1, 3), hw = r.int(3, 6);
  const kind = r.pick(['channels', 'kernelTooBig', 'weightRank', 'bias', 'inputRank', 'groups']);
  const op = r.pick(['conv2d', 'conv1d']);
  const sp = (n: number): number[] => (op === 'conv2d' ? [n, n] : [n]);
  return {
    op, shape: true, desc: `${op} ${kind} c=${c} c2=${c2} o=${o} hw=${hw}`,
    run() {
      const conv = fn(op);
      switch (kind) {
        case 'channels': return conv([f32([1, c, ...sp(hw)]), f32([o, c2, ...sp(2)])]);
        case 'kernelTooBig': return conv([f32([1, c, ...sp(hw)]), f32([o, c, ...sp(hw + r.int(1, 3))])]);
        case 'weightRank': return conv([f32([1, c, ...sp(hw)]), f32([o, c])]);
        case 'bias': return conv([f32([1, c, ...sp(hw)]), f32([o, c, ...sp(2)]), { bias: f32([o + 1]) }]);
        case 'inputRank': return conv([f32([hw]), f32([o, c, ...sp(2)])]);
        default: return conv([f32([1, 2 * c + 1, ...sp(hw)]), f32([2 * o, c, ...sp(2)]), { groups: 2 }]);
      }
    },
  };
};

GENS.poolShapes = (r) => {
  const hw = r.int(2, 4);
  const op = r.pick(['maxPool2d', 'avgPool2d', 'adaptiveAvgPool2d']);
  const kind = r.pick(['kernelTooBig', 'rank1', 'outputSizeLength']);
  return {
    op, shape: true, desc: `${op} ${kind} hw=${hw}`,
    run() {
      if (op === 'adaptiveAvgPool2d') {
        if (kind === 'rank1') return H.adaptiveAvgPool2d(f32([hw]), [1, 1]);
        return H.adaptiveAvgPool2d(f32([1, 1, hw, hw]), r.pick([[1, 1, 1], [], [-1, 2]]));
      }
      const pool = fn(op);
      if (kind === 'rank1') return pool([f32(r.shape(1, 2)), 2]);
      if (kind === 'outputSizeLength') return pool([f32([1, 1, hw, hw]), [2, 2, 2]]);
      return pool([f32([1, 1, hw, hw]), hw + r.int(1, 3)]);
    },
  };
};

GENS.listShapes = (r) => {
  const op = r.pick(['cat', 'stack']);
  const kind = r.pick(['sizes', 'rank', 'empty', 'zeroDim']);
  const a = r.shape(2, 3, 3);
  const b = a.slice();
  b[b.length - 1] += 1;
  return {
    op, shape: kind !== 'empty', desc: `${op} ${kind} ${a} / ${b}`,
    run() {
      const list = fn(op);
      switch (kind) {
        case 'sizes': return list([[f32(a), f32(b)], 0]);
        case 'rank': return list([[f32(a), f32(a.slice(1))], op === 'cat' ? 0 : 1]);
        case 'empty': return list([[]]);
        default: return op === 'cat' ? H.cat([f32([]), f32([])]) : H.stack([f32([1]), f32([])]);
      }
    },
  };
};

GENS.lossShapes = (r) => {
  const n = r.int(1, 4), c = r.int(2, 4);
  const op = r.pick(['crossEntropy', 'nllLoss']);
  const kind = r.pick(['batch', 'classOutOfRange', 'negativeClass', 'weightSize', 'probShape', 'targetRank']);
  return {
    op, shape: true, desc: `${op} ${kind} n=${n} c=${c}`,
    run() {
      const loss = fn(op);
      const input = f32([n, c]);
      switch (kind) {
        case 'batch': return loss([input, i64([n + r.int(1, 2)], c)]);
        case 'classOutOfRange': return loss([input, H.full([n], c + r.int(0, 5), { dtype: 'int64' })]);
        case 'negativeClass': return loss([input, H.full([n], -r.int(1, 50), { dtype: 'int64' })]);
        case 'weightSize': return loss([input, i64([n], c), { weight: H.ones([c + 1]) }]);
        case 'probShape': return op === 'crossEntropy' ? loss([input, f32([n, c + 1])]) : loss([input, i64([n, c], c)]);
        default: return loss([input, i64([n, c, 2], c)]);
      }
    },
  };
};

GENS.normShapes = (r) => {
  const n = r.int(2, 4), c = r.int(2, 4);
  const kind = r.pick(['lnShape', 'lnWeight', 'lnEmpty', 'bnStats', 'bnWeight', 'bnEvalNoStats', 'bnRank']);
  const op = kind.startsWith('ln') ? 'layerNorm' : 'batchNorm';
  return {
    op, shape: true, desc: `${kind} n=${n} c=${c}`,
    run() {
      const x = f32([n, c]);
      switch (kind) {
        case 'lnShape': return H.layerNorm(x, [c + 1]);
        case 'lnWeight': return H.layerNorm(x, [c], { weight: H.ones([c + 1]) });
        case 'lnEmpty': return H.layerNorm(x, []);
        case 'bnStats': return H.batchNorm(x, H.zeros([c + 1]), H.ones([c + 1]));
        case 'bnWeight': return H.batchNorm(x, H.zeros([c]), H.ones([c]), { weight: H.ones([c + 1]) });
        case 'bnEvalNoStats': return H.batchNorm(x, null, null);
        default: return H.batchNorm(f32([c]), H.zeros([c]), H.ones([c]));
      }
    },
  };
};

GENS.indexing = (r) => {
  const n = r.int(1, 4), m = r.int(2, 4);
  const kind = r.pick(['indexSelectOOB', 'indexSelectNeg', 'indexSelect2d', 'gatherOOB', 'gatherNeg', 'gatherRank',
    'embeddingOOB', 'embeddingNeg', 'embeddingWeight1d', 'oneHotTooSmall', 'oneHotNegative', 'selectOOB', 'narrowOOB',
    'maskBroadcast', 'sliceStep']);
  const op = kind.replace(/(OOB|Neg|2d|Rank|Weight1d|TooSmall|Negative|Broadcast|Step)$/, '');
  const opName = op === 'mask' ? 'maskedFill' : op;
  return {
    op: opName, shape: true, desc: `${kind} n=${n} m=${m}`,
    run() {
      const x = f32([n, m]);
      switch (kind) {
        case 'indexSelectOOB': return x.indexSelect(1, H.tensor([m + r.int(0, 3)], { dtype: 'int64' }));
        case 'indexSelectNeg': return x.indexSelect(0, H.tensor([-r.int(1, 5)], { dtype: 'int64' }));
        case 'indexSelect2d': return x.indexSelect(0, i64([1, 1], n));
        case 'gatherOOB': return x.gather(1, H.full([n, 1], m + r.int(0, 3), { dtype: 'int64' }));
        case 'gatherNeg': return x.gather(1, H.full([n, 1], -r.int(1, 5), { dtype: 'int64' }));
        case 'gatherRank': return x.gather(0, i64([n], n));
        case 'embeddingOOB': return H.embedding(H.tensor([m + r.int(0, 3)], { dtype: 'int64' }), f32([m, 2]));
        case 'embeddingNeg': return H.embedding(H.tensor([-r.int(1, 3)], { dtype: 'int64' }), f32([m, 2]));
        case 'embeddingWeight1d': return H.embedding(i64([n], m), f32([m]));
        case 'oneHotTooSmall': return H.tensor([m], { dtype: 'int64' }).oneHot(r.int(1, m));
        case 'oneHotNegative': return H.tensor([-1, 0], { dtype: 'int64' }).oneHot(3);
        case 'selectOOB': return x.select(r.int(0, 1), r.pick([n, m]) + 5);
        case 'narrowOOB': return x.narrow(1, r.int(0, m), m + 1);
        case 'maskBroadcast': return x.maskedFill(bool([n, m + 1]), 0);
        default: return x.slice(0, 0, n, -r.int(0, 2));
      }
    },
  };
};

GENS.shapeOps = (r) => {
  const s = r.shape(2, 3);
  const numel = s.reduce((a, b) => a * b, 1);
  const kind = r.pick(['reshape', 'view', 'reshape2inferred', 'permuteLength', 'permuteDup', 'expand', 'repeat',
    'flatten', 'splitWithSizes', 'splitZero', 'splitNeg', 'chunkZero', 't3d', 'flipDup', 'viewNonContiguous', 'zeroSize',
    'narrowNegLength']);
  const op = { reshape2inferred: 'reshape', permuteLength: 'permute', permuteDup: 'permute', splitZero: 'split', splitNeg: 'split',
    chunkZero: 'chunk', t3d: 't', flipDup: 'flip', viewNonContiguous: 'view', zeroSize: 'reshape', narrowNegLength: 'narrow' }[kind] ?? kind;
  return {
    op, shape: true, desc: `${kind} of [${s}]`,
    run() {
      const x = f32(s);
      switch (kind) {
        case 'reshape': return x.reshape([numel + 1]);
        case 'view': return x.view([numel + r.int(1, 3), 1]);
        case 'reshape2inferred': return x.reshape([-1, -1]);
        case 'permuteLength': return x.permute(s.map((_, i) => i).slice(1));
        case 'permuteDup': return x.permute(s.map(() => 0));
        case 'expand': return f32([2, ...s.slice(1)]).expand([3, ...s.slice(1)]);
        case 'repeat': return x.repeat(s.slice(1).map(() => 1));
        case 'flatten': return x.flatten(s.length - 1, 0);
        case 'splitWithSizes': return x.splitWithSizes([s[0] + 1]);
        case 'splitZero': return x.split(0);
        case 'splitNeg': return x.split(-r.int(1, 3));
        case 'chunkZero': return x.chunk(r.pick([0, -1]));
        case 't3d': return f32([2, 2, 2]).t();
        case 'flipDup': return x.flip([0, 0]);
        case 'viewNonContiguous': return f32([2, 3]).t().view([6]);
        case 'zeroSize': return x.reshape([-1, 0]);
        default: return x.narrow(0, 0, -1);
      }
    },
  };
};

// Bad dims: out of range, non-integer, NaN, Infinity, strings, objects.
interface DimOp { op: string; call: (x: Tensor, d: unknown) => unknown; nullable?: boolean; list?: boolean }
const DIM_OPS: DimOp[] = [
  { op: 'sum', call: (x, d) => x.sum(d as number), list: true, nullable: true },
  { op: 'mean', call: (x, d) => x.mean(d as number), list: true, nullable: true },
  { op: 'std', call: (x, d) => x.std(d as number), list: true, nullable: true },
  { op: 'var', call: (x, d) => x.var(d as number), list: true, nullable: true },
  { op: 'amax', call: (x, d) => x.amax(d as number), list: true },
  { op: 'logsumexp', call: (x, d) => x.logsumexp(d as number), list: true },
  { op: 'flip', call: (x, d) => x.flip(d as number), list: true },
  { op: 'softmax', call: (x, d) => x.softmax(d as number) },
  { op: 'logSoftmax', call: (x, d) => x.logSoftmax(d as number) },
  { op: 'cumsum', call: (x, d) => x.cumsum(d as number) },
  { op: 'maxDim', call: (x, d) => x.maxDim(d as number) },
  { op: 'minDim', call: (x, d) => x.minDim(d as number) },
  { op: 'argmax', call: (x, d) => x.argmax(d as number), nullable: true },
  { op: 'argmin', call: (x, d) => x.argmin(d as number), nullable: true },
  { op: 'topk', call: (x, d) => x.topk(1, d as number) },
  { op: 'sort', call: (x, d) => x.sort(d as number) },
  { op: 'transpose', call: (x, d) => x.transpose(d as number, 0) },
  { op: 'unsqueeze', call: (x, d) => x.unsqueeze(d as number) },
  { op: 'squeeze', call: (x, d) => x.squeeze(d as number), nullable: true },
  { op: 'flatten', call: (x, d) => x.flatten(d as number) },
  { op: 'select', call: (x, d) => x.select(d as number, 0) },
  { op: 'narrow', call: (x, d) => x.narrow(d as number, 0, 1) },
  { op: 'slice', call: (x, d) => x.slice(d as number, 0, 1) },
  { op: 'split', call: (x, d) => x.split(1, d as number) },
  { op: 'chunk', call: (x, d) => x.chunk(1, d as number) },
  { op: 'indexSelect', call: (x, d) => x.indexSelect(d as number, H.zeros([1], { dtype: 'int64' })) },
  { op: 'gather', call: (x, d) => x.gather(d as number, H.zeros(x.shape, { dtype: 'int64' })) },
  { op: 'cat', call: (x, d) => H.cat([x, x], d as number) },
  { op: 'stack', call: (x, d) => H.stack([x, x], d as number) },
  { op: 'size', call: (x, d) => x.size(d as number) },
  { op: 'permute', call: (x, d) => x.permute(x.shape.map((_, i) => (i === 0 ? d : i)) as number[]) },
  { op: 'repeat', call: (x, d) => x.repeat(x.shape.map((_, i) => (i === 0 ? d : 1)) as number[]) },
];

GENS.badDim = (r) => {
  const d = r.pick(DIM_OPS);
  const s = r.shape(1, 3);
  const rank = s.length;
  // Out of range for every op here (unsqueeze and stack allow one more than the rank).
  const outOfRange = r.chance(0.5) ? rank + 1 + r.int(0, 3) : -(rank + 2 + r.int(0, 3));
  let bad: unknown = r.chance(0.4) ? outOfRange : r.pick(BAD_INTS);
  if (!d.nullable && r.chance(0.08)) bad = null;
  if ((d.op === 'permute' || d.op === 'repeat') && typeof bad === 'number' && Number.isInteger(bad)) bad = r.pick([0.5, NaN, Infinity]); // a big repeat is legal
  const value = d.list && r.chance(0.5) ? [bad] : bad;
  return {
    op: d.op === 'size' ? 'size' : d.op, shape: true, desc: `${d.op} of [${s}] with dim ${show(value)}`,
    run: () => d.call(f32(s), value),
  };
};

// Wrong dtypes: integer or bool tensors where floats are needed, floats where indices are, non-bool masks.
GENS.wrongDtype = (r) => {
  const s = r.shape(1, 2, 3);
  const kinds: [string, () => unknown][] = [
    ['mean', () => intLike(r, s).mean()],
    ['std', () => intLike(r, s).std()],
    ['var', () => nonFloat(r, s).var()],
    ['norm', () => intLike(r, s).norm()],
    ['softmax', () => nonFloat(r, s).softmax(0)],
    ['logSoftmax', () => nonFloat(r, s).logSoftmax(-1)],
    ['gelu', () => nonFloat(r, s).gelu()],
    ['softplus', () => intLike(r, s).softplus()],
    ['leakyRelu', () => intLike(r, s).leakyRelu()],
    ['htaf', () => H.htaf(nonFloat(r, s))],
    ['scaledSigmoid', () => H.scaledSigmoid(nonFloat(r, s))],
    ['heavisideSte', () => H.heavisideSte(nonFloat(r, s))],
    ['htaf', () => H.htaf(f32(s).toDtype(r.pick(['float16', 'bfloat16'])))],
    ['layerNorm', () => H.layerNorm(intLike(r, s), [s[s.length - 1]])],
    ['batchNorm', () => H.batchNorm(intLike(r, [2, 3]), H.zeros([3]), H.ones([3]))],
    ['mseLoss', () => H.mseLoss(intLike(r, s), intLike(r, s))],
    ['maxPool2d', () => H.maxPool2d(nonFloat(r, [1, 1, 4, 4]), 2)],
    ['matmul', () => f32([2, 3]).matmul(intLike(r, [3, 2]))],
    ['matmul', () => f32([2, 3]).matmul(f64([3, 2]))],
    ['linear', () => H.linear(intLike(r, [2, 3]), f32([4, 3]))],
    ['conv2d', () => H.conv2d(intLike(r, [1, 1, 4, 4]), f32([1, 1, 2, 2]))],
    ['conv2d', () => H.conv2d(f32([1, 1, 4, 4]), f64([1, 1, 2, 2]))],
    ['bmm', () => bool([1, 2, 2]).bmm(bool([1, 2, 2]))],
    ['sub', () => bool(s).sub(bool(s))],
    ['neg', () => bool(s).neg()],
    ['abs', () => bool(s).abs()],
    ['argmax', () => bool(s).argmax()],
    ['uniform_', () => intLike(r, s).uniform_()],
    ['normal_', () => intLike(r, s).normal_()],
    ['randn', () => H.randn(s, { dtype: r.pick(['int64', 'int32', 'uint8', 'bool'] as const) })],
    ['rand', () => H.rand(s, { dtype: r.pick(['int64', 'int32', 'uint8', 'bool'] as const) })],
    ['linspace', () => H.linspace(0, 1, 3, { dtype: 'bool' })],
    ['arange', () => H.arange(0, 3, 1, { dtype: 'bool' })],
    ['zeros', () => H.zeros(s, { dtype: r.pick(['int64', 'int32', 'uint8', 'bool'] as const), requiresGrad: true })],
    ['setRequiresGrad', () => { nonFloat(r, s).requiresGrad = true; }],
    ['randLike', () => intLike(r, s).randLike()],
    ['randnLike', () => nonFloat(r, s).randnLike()],
    ['add_', () => intLike(r, s).add_(0.5)],
    ['div_', () => intLike(r, s).div_(2)],
    ['pow', () => r.pick([i64, i32])(s).pow(-r.int(1, 3))],
    ['indexSelect', () => f32([3, 2]).indexSelect(0, r.pick([(sh: number[]) => H.rand(sh), u8, bool])([2]))],
    ['gather', () => f32([3, 2]).gather(0, r.pick([f32, i32, u8])([1, 2]))],
    ['embedding', () => H.embedding(r.pick([f32, f64, u8, bool])([3]), f32([4, 2]))],
    ['crossEntropy', () => H.crossEntropy(f32([3, 4]), r.pick([f32, f64, i32])([3]))],
    ['crossEntropy', () => H.crossEntropy(intLike(r, [3, 4]), i64([3], 4))],
    ['nllLoss', () => H.nllLoss(f32([3, 4]), r.pick([f32, i32])([3]))],
    ['binaryCrossEntropyWithLogits', () => H.binaryCrossEntropyWithLogits(intLike(r, [3]), intLike(r, [3]))],
    ['oneHot', () => r.pick([f32, i32, u8, bool])([3]).oneHot(3)],
    ['maskedFill', () => f32(s).maskedFill(r.pick([f32, i64, i32, u8])(s), 0)],
    ['maskedFill_', () => f32(s).maskedFill_(r.pick([f32, i64, u8])(s), 0)],
    ['where', () => H.where(r.pick([f32, i64, i32])(s), 1, 0)],
    ['setGrad', () => { H.randn(s, { requiresGrad: true }).grad = intLike(r, s); }],
    ['fullLike', () => intLike(r, s).fullLike(NaN)],
    ['fill_', () => intLike(r, s).fill_(r.pick([NaN, Infinity]))],
  ];
  const [op, run] = r.pick(kinds);
  return { op, shape: !['randn', 'rand', 'linspace', 'arange', 'zeros'].includes(op), desc: `${op} with a wrong dtype (case ${kinds.findIndex((k) => k[1] === run)})`, run };
};

// NaN, Infinity, negative, zero options and arguments.
GENS.badNumbers = (r) => {
  const x = (): Tensor => f32([2, 3]);
  const img = (): Tensor => f32([1, 1, 5, 5]);
  const w = (): Tensor => f32([1, 1, 2, 2]);
  const bad = (...xs: number[]): number => r.pick([NaN, Infinity, -Infinity, ...xs]);
  const kinds: [string, () => unknown, boolean][] = [
    ['dropout', () => H.dropout(x(), bad(-0.1, 1.01, 2, -1), r.chance(0.5)), true],
    ['htaf', () => H.htaf(x(), bad(0, -1, -1e-9), 11), true],
    ['htaf', () => H.htaf(x(), 2, bad(0, -3)), true],
    ['scaledSigmoid', () => H.scaledSigmoid(x(), bad(0, -22)), true],
    ['heavisideSte', () => H.heavisideSte(x(), r.pick(['sigmoid', 'tanh', 'rect']), bad(0, -4)), true],
    ['heavisideSte', () => H.heavisideSte(x(), r.pick(['sigm', '', 'Sigmoid', 'relu', 'step']), 4), true],
    ['linspace', () => H.linspace(0, 1, bad(-1, -5, 1.5)), false],
    ['linspace', () => H.linspace(NaN, 1, 3, { dtype: 'int64' }), false],
    ['randint', () => H.randint(r.int(3, 9), r.int(-3, 3), [2]), false],
    ['randint', () => H.randint(bad(0.5), 10, [2]), false],
    ['randint', () => H.randint(0, bad(2.5), [2]), false],
    ['randint', () => H.randint(0, 300, [2], { dtype: 'uint8' }), false],
    ['maxPool2d', () => H.maxPool2d(img(), bad(0, -1, 1.5, -2)), true],
    ['maxPool2d', () => H.maxPool2d(img(), 2, { stride: bad(0, -1) }), true],
    ['maxPool2d', () => H.maxPool2d(img(), 3, { padding: bad(-1, 2, 5) }), true],
    ['maxPool2d', () => H.maxPool2d(img(), 2, { dilation: bad(0, -1) }), true],
    ['avgPool2d', () => H.avgPool2d(img(), bad(0, -1, 0.5)), true],
    ['avgPool2d', () => H.avgPool2d(img(), 2, { stride: bad(0, -2) }), true],
    ['avgPool2d', () => H.avgPool2d(img(), 2, { padding: bad(-1, 2) }), true],
    ['avgPool2d', () => H.avgPool2d(img(), 2, { divisorOverride: bad(0, 0.5) }), true],
    ['adaptiveAvgPool2d', () => H.adaptiveAvgPool2d(img(), [bad(-1, -3), 2]), true],
    ['conv2d', () => H.conv2d(img(), w(), { stride: bad(0, -1) }), true],
    ['conv2d', () => H.conv2d(img(), w(), { padding: bad(-1, -2) }), true],
    ['conv2d', () => H.conv2d(img(), w(), { dilation: bad(0, -1) }), true],
    ['conv2d', () => H.conv2d(img(), w(), { groups: bad(0, -1, 0.5) }), true],
    ['conv1d', () => H.conv1d(f32([1, 1, 5]), f32([1, 1, 2]), { stride: bad(0, -1), padding: 0 }), true],
    ['conv1d', () => H.conv1d(f32([1, 1, 5]), f32([1, 1, 2]), { groups: bad(0, -1) }), true],
    ['zeros', () => H.zeros([2, bad(-1, 1.5, -3)]), false],
    ['ones', () => H.ones(bad(-1, 0.5)), false],
    ['randn', () => H.randn([bad(-2, 2.5), 2]), false],
    ['full', () => H.full([bad(-1)], 1), false],
    ['full', () => H.full([2], r.pick([NaN, Infinity, 1e30]), { dtype: r.pick(['int64', 'int32'] as const) }), false],
    ['eye', () => H.eye(bad(-1, 1.5)), false],
    ['arange', () => H.arange(0, 5, r.pick([0, NaN, -0])), false],
    ['arange', () => H.arange(0, bad(), 1), false],
    ['arange', () => H.arange(5, 0, 1), false],
    ['arange', () => H.arange(0, 3, 0.5, { dtype: 'int64' }), false],
    ['randperm', () => H.randperm(bad(-1, 1.5)), false],
    ['uniform_', () => x().uniform_(1, r.pick([0, -1, NaN])), true],
    ['normal_', () => x().normal_(0, r.pick([NaN, -Infinity, -1, -0.5])), true],
    ['clamp', () => x().clamp(), true],
    ['clamp_', () => x().clamp_(null, null), true],
    ['topk', () => x().topk(r.pick([4, 10, -1, 0.5])), true],
    ['crossEntropy', () => H.crossEntropy(f32([2, 3]), i64([2]), { labelSmoothing: bad(-0.1, 1.5, 2) }), true],
    ['crossEntropy', () => H.crossEntropy(f32([2, 3]), i64([2]), { reduction: r.pick(['avg', 'Mean', '', 'batchmean']) as never }), true],
    ['mseLoss', () => H.mseLoss(x(), x(), { reduction: r.pick(['elementwise_mean', 'total', 5]) as never }), true],
    ['embedding', () => H.embedding(i64([3], 4), f32([4, 2]), { paddingIdx: r.pick([4, 7, -2, -5]) }), true],
    ['gelu', () => x().gelu(r.pick(['fast', 'Tanh', ''])), true],
    ['oneHot', () => i64([3], 3).oneHot(bad(-2, 0.5)), true],
    ['allclose', () => x().allclose(x(), -1), true],
    ['setNumThreads', () => H.setNumThreads(bad(0, -1, 1e6, 1.5)), false],
    ['manualSeed', () => H.manualSeed(r.pick([NaN, 1.5, Infinity, 2 ** 60, '1', null] as never[])), false],
    ['size', () => x().size(bad(2, -3, 0.5)), true],
    ['item', () => x().item(), true],
    ['item', () => f32([0]).item(), true],
    ['max', () => f32([0, 2]).max(), true],
    ['maxDim', () => f32([0, 2]).maxDim(0), true],
    ['chunk', () => x().chunk(bad(0, -2)), true],
    ['split', () => x().split(bad(-1, 0.5)), true],
  ];
  const [op, run, shape] = r.pick(kinds);
  return { op, shape, desc: `${op} with a bad number (case ${kinds.findIndex((k) => k[1] === run)})`, run };
};

// Option objects with names the op does not have, or that are not objects at all.
GENS.badOptions = (r) => {
  const key = r.pick(['dtyp', 'Dtype', 'strides', 'label_smoothing', 'requires_grad', 'foo', 'kernel_size', 'ignore_index', 'retain_graph', 'keepdim']);
  const notObject = r.chance(0.25);
  const opts = (): unknown => (notObject ? r.pick([5, 'x', true, [], null, [['dtype', 'int64']]]) : { [key]: 1 });
  const kinds: [string, () => unknown, boolean][] = [
    ['zeros', () => H.zeros([2], opts() as never), false],
    ['ones', () => H.ones([2], opts() as never), false],
    ['empty', () => H.empty([2], opts() as never), false],
    ['full', () => H.full([2], 1, opts() as never), false],
    ['eye', () => H.eye(2, opts() as never), false],
    ['arange', () => H.arange(0, 2, 1, opts() as never), false],
    ['linspace', () => H.linspace(0, 1, 2, opts() as never), false],
    ['randn', () => H.randn([2], opts() as never), false],
    ['rand', () => H.rand([2], opts() as never), false],
    ['randint', () => H.randint(0, 2, [2], opts() as never), false],
    ['randperm', () => H.randperm(3, opts() as never), false],
    ['tensor', () => H.tensor([1, 2], opts() as never), false],
    ['fromTypedArray', () => H.fromTypedArray(new Float32Array(2), [2], opts() as never), false],
    ['softmax', () => f32([2]).softmax(0, opts() as never), true],
    ['logSoftmax', () => f32([2]).logSoftmax(0, opts() as never), true],
    ['sum', () => f32([2]).sum(null, false, opts() as never), true],
    ['mean', () => f32([2]).mean(0, true, opts() as never), true],
    ['cumsum', () => f32([2]).cumsum(0, opts() as never), true],
    ['conv2d', () => H.conv2d(f32([1, 1, 3, 3]), f32([1, 1, 2, 2]), opts() as never), true],
    ['conv1d', () => H.conv1d(f32([1, 1, 3]), f32([1, 1, 2]), opts() as never), true],
    ['maxPool2d', () => H.maxPool2d(f32([1, 1, 4, 4]), 2, opts() as never), true],
    ['avgPool2d', () => H.avgPool2d(f32([1, 1, 4, 4]), 2, opts() as never), true],
    ['batchNorm', () => H.batchNorm(f32([2, 3]), H.zeros([3]), H.ones([3]), opts() as never), true],
    ['layerNorm', () => H.layerNorm(f32([2, 3]), [3], opts() as never), true],
    ['embedding', () => H.embedding(i64([2]), f32([3, 2]), opts() as never), true],
    ['crossEntropy', () => H.crossEntropy(f32([2, 3]), i64([2]), opts() as never), true],
    ['nllLoss', () => H.nllLoss(f32([2, 3]), i64([2]), opts() as never), true],
    ['binaryCrossEntropyWithLogits', () => H.binaryCrossEntropyWithLogits(f32([2]), f32([2]), opts() as never), true],
    ['mseLoss', () => H.mseLoss(f32([2]), f32([2]), opts() as never), true],
    ['l1Loss', () => H.l1Loss(f32([2]), f32([2]), opts() as never), true],
    ['backward', () => H.randn([1], { requiresGrad: true }).sum().backward(null, opts() as never), true],
  ];
  const [op, run, shape] = r.pick(kinds);
  return { op, shape, desc: `${op} with options ${notObject ? 'not an object' : `{ ${key} }`}`, run };
};

// Unknown dtype and device strings (and non-strings).
GENS.badDtypeDevice = (r) => {
  const dtypes = ['float', 'double', 'int', 'long', 'Float32', 'float8', '', 'complex64', 'half', ' float32', 'torch.float32', 5, {}];
  const devices: unknown[] = ['gpu', 'CPU', 'cuda:x', 'cuda:-1', 'tpu', 'cuda:', 'mps', ' cpu', 'cuda:0:1', 3];
  if (!H.cudaAvailable()) devices.push('cuda', 'cuda:0', 'cuda:1');
  const dt = r.pick(dtypes) as never;
  const dev = r.pick(devices) as never;
  const kinds: [string | readonly string[], () => unknown, boolean, string][] = [
    ['zeros', () => H.zeros([2], { dtype: dt }), false, 'dtype'],
    ['ones', () => H.ones([2], { device: dev }), false, 'device'],
    ['full', () => H.full([2], 1, { dtype: dt }), false, 'dtype'],
    ['arange', () => H.arange(0, 2, 1, { device: dev }), false, 'device'],
    ['linspace', () => H.linspace(0, 1, 2, { dtype: dt }), false, 'dtype'],
    ['randn', () => H.randn([2], { device: dev }), false, 'device'],
    ['rand', () => H.rand([2], { dtype: dt }), false, 'dtype'],
    ['randint', () => H.randint(0, 2, [2], { dtype: dt }), false, 'dtype'],
    ['randperm', () => H.randperm(2, { device: dev }), false, 'device'],
    ['eye', () => H.eye(2, { dtype: dt }), false, 'dtype'],
    ['tensor', () => H.tensor([1], { dtype: dt }), false, 'dtype'],
    ['tensor', () => H.tensor([1], { device: dev }), false, 'device'],
    ['fromTypedArray', () => H.fromTypedArray(new Int32Array(1), [1], { dtype: dt }), false, 'dtype'],
    ['toDtype', () => f32([2]).toDtype(dt), true, 'dtype'],
    ['toDevice', () => f32([2]).toDevice(dev), true, 'device'],
    [['to', 'toDevice'], () => f32([2]).to(r.pick([dt, dev])), true, 'target'],
    ['sum', () => f32([2]).sum(null, false, { dtype: dt }), true, 'dtype'],
    ['mean', () => f32([2]).mean(null, false, { dtype: dt }), true, 'dtype'],
    ['softmax', () => f32([2]).softmax(0, { dtype: dt }), true, 'dtype'],
    ['cumsum', () => f32([2]).cumsum(0, { dtype: dt }), true, 'dtype'],
  ];
  const [op, run, shape, what] = r.pick(kinds);
  return { op, shape, desc: `${String(op)} with ${what} ${show(what === 'device' ? dev : dt)}`, run };
};

// Misuse of the surrounding API: scopes, grad mode, data in and out, autograd.
GENS.apiMisuse = (r) => {
  const kinds: [string, () => unknown, boolean][] = [
    ['tidy', () => H.tidy(r.pick([undefined, null, 5, 'fn', {}]) as never), false],
    ['tidy', () => H.tidy((async () => 1) as never), false],
    ['noGrad', () => H.noGrad(r.pick([undefined, null, 5, {}]) as never), false],
    ['enableGrad', () => H.enableGrad(r.pick([undefined, 'x', []]) as never), false],
    ['noGrad', () => H.noGrad((async () => 1) as never), false],
    ['tensor', () => H.tensor(r.pick([[[1, 2], [3]], [1, [2]], [[1], 2], [1, 'a'], [null], undefined, {}, 'abc', [1, {}], [[[1]], [[1, 2]]],
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3], new Array(2), [10n], [Symbol('s')], cyclic(), deep(100)]) as never), false],
    ['tensor', () => H.tensor([r.pick([1.5, -0.5, NaN, Infinity, 1e20])], { dtype: r.pick(['int64', 'int32', 'uint8', 'int8', 'int16'] as const) }), false],
    ['fromTypedArray', () => H.fromTypedArray(r.pick([[1, 2], 'ab', null, new Uint16Array(2), new DataView(new ArrayBuffer(4)), new Uint8ClampedArray(2), new BigUint64Array(1)]) as never, r.pick([undefined, [2]]) as never), false],
    ['fromTypedArray', () => H.fromTypedArray(new Float32Array(4), r.pick([[3], [2, 3], [5], []])), false],
    ['fromTypedArray', () => H.fromTypedArray(new Float32Array(4), r.pick([[-4], [2, -2], [1.5], 'x', [NaN], {}]) as never), false],
    ['backward', () => H.randn([3], { requiresGrad: true }).mul(2).backward(), true],
    ['backward', () => H.randn([3]).sum().backward(), true],
    ['backward', () => H.randn([3], { requiresGrad: true }).mul(2).backward(f32([r.int(4, 6)])), true],
    ['backward', () => { const y = H.randn([2], { requiresGrad: true }).exp().sum(); y.backward(); y.backward(); }, true],
    ['retainGrad', () => f32([2]).retainGrad(), true],
    ['setRequiresGrad', () => { H.randn([2], { requiresGrad: true }).mul(2).requiresGrad = false; }, true],
    ['setRequiresGrad', () => { f32([2]).requiresGrad = r.pick(['yes', 1, null, {}]) as never; }, true],
    ['setGrad', () => { H.randn([2], { requiresGrad: true }).grad = f32([r.int(3, 5)]); }, true],
    ['add_', () => H.randn([2], { requiresGrad: true }).add_(1), true],
    ['copy_', () => f32([1]).expand([3]).copy_(f32([3])), true],
    ['toTypedArray', () => f32([2]).toDtype(r.pick(['float16', 'bfloat16'])).toTypedArray(), true],
    ['toArray', () => f32([2]).toDtype('float16').toArray(), true],
  ];
  const [op, run, shape] = r.pick(kinds);
  return { op: op === 'toArray' ? ['toArray', 'toTypedArray'] : op, shape, desc: `${op} misuse (case ${kinds.findIndex((k) => k[1] === run)})`, run };
};

function cyclic(): unknown[] {
  const a: unknown[] = [];
  a.push(a);
  return a;
}

function deep(n: number): unknown {
  let a: unknown = [1];
  for (let i = 0; i < n; i++) a = [a];
  return a;
}

// How often each generator is drawn.
const WEIGHTS: Record<string, number> = {
  disposed: 12, garbage: 16, binaryShapes: 8, matmulShapes: 5, convShapes: 5, poolShapes: 3, listShapes: 3,
  lossShapes: 4, normShapes: 3, indexing: 6, shapeOps: 6, badDim: 12, wrongDtype: 10, badNumbers: 12, badOptions: 6,
  badDtypeDevice: 6, apiMisuse: 6,
};

// ---- the worker ---------------------------------------------------------------------------------------

interface Failure { i: number; gen: string; desc: string; problem: string }

function checkError(c: Case, err: unknown): string | null {
  if (err === NOT_THROWN) return 'did not throw';
  if (!(err instanceof Error)) return `threw a non-Error: ${show(err)}`;
  const msg = err.message;
  const ops = typeof c.op === 'string' ? [c.op] : c.op;
  if (!ops.some((op) => msg.startsWith(`${op}(`) || msg.startsWith(`${op}:`))) {
    return `message does not start with ${ops.map((o) => `'${o}('`).join(' or ')}: ${err.name}: ${msg}`;
  }
  if (c.disposed && !/disposed/.test(msg)) return `message does not say "disposed": ${msg}`;
  if (!c.disposed && c.shape && !SHAPE_RE.test(msg)) return `message shows no dtype[shape]: ${msg}`;
  return null;
}

const NOT_THROWN = Symbol('not thrown');

function worker(seed: number, calls: number): void {
  const say = (line: string): void => { writeSync(1, line + '\n'); };
  const r = new Rng(seed);
  const names = Object.keys(GENS);
  const total = names.reduce((a, n) => a + WEIGHTS[n], 0);
  const pickGen = (): string => {
    let x = r.next() * total;
    for (const n of names) if ((x -= WEIGHTS[n]) < 0) return n;
    return names[names.length - 1];
  };
  const verbose = process.env.HTAF_MISUSE_VERBOSE === '1';
  const threads = H.getNumThreads();
  const baseline = H.memory().liveTensors;
  const failures: Failure[] = [];
  const perGen: Record<string, number> = {};
  const t0 = performance.now();

  // Every template must work as written, or the wrong calls built on it prove nothing.
  for (const t of TEMPLATES) {
    say(`CALL template ${t.op}`);
    try {
      H.tidy(() => { callTemplate(t, t.make(), r)(); });
    } catch (e) {
      failures.push({ i: -1, gen: 'template', desc: t.op, problem: `the valid template call threw: ${(e as Error).message}` });
    }
  }

  for (let i = 0; i < calls; i++) {
    const gen = pickGen();
    perGen[gen] = (perGen[gen] ?? 0) + 1;
    const c: Case = Object.assign(GENS[gen](r), { gen }); // not a spread: it would freeze the `shape` getter
    say(`CALL ${i} ${gen}: ${c.desc}`);
    let err: unknown = NOT_THROWN;
    H.tidy(() => {
      try {
        c.run();
      } catch (e) {
        err = e;
      }
    });
    if (verbose) say(`  -> ${err instanceof Error ? err.message.split('\n')[0].slice(0, 300) : show(err)}`);
    const problem = checkError(c, err);
    if (problem) failures.push({ i, gen, desc: c.desc, problem });
    if (H.scopeDepth() !== 0 || !H.isGradEnabled()) {
      failures.push({ i, gen, desc: c.desc, problem: `left scope depth ${H.scopeDepth()} / grad mode ${H.isGradEnabled()}` });
      break;
    }
  }
  const leaked = H.memory().liveTensors - baseline;
  // The engine still works after all that.
  const sane = H.tidy(() => H.tensor([[1, 2], [3, 4]]).matmul(H.tensor([[1], [1]])).toFlatArray().join(','));
  say('DONE ' + JSON.stringify({ seed, calls, failures, leaked, sane, threads: [threads, H.getNumThreads()], perGen, ms: Math.round(performance.now() - t0) }));
}

// ---- the test -------------------------------------------------------------------------------------------

if (process.env.HTAF_MISUSE_WORKER === '1') {
  worker(Number(process.env.HTAF_MISUSE_SEED ?? DEFAULT_SEED), Number(process.env.HTAF_MISUSE_CALLS ?? DEFAULT_CALLS));
} else {
  test(`${DEFAULT_CALLS} random wrong calls each throw an Error naming the op, and never crash the process`, () => {
    const seed = Number(process.env.HTAF_MISUSE_SEED ?? DEFAULT_SEED);
    const calls = Number(process.env.HTAF_MISUSE_CALLS ?? DEFAULT_CALLS);
    const res = spawnSync(process.execPath, [SELF], {
      env: { ...process.env, HTAF_MISUSE_WORKER: '1', HTAF_MISUSE_SEED: String(seed), HTAF_MISUSE_CALLS: String(calls) },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
    const lines = (res.stdout ?? '').split('\n');
    const done = lines.find((l) => l.startsWith('DONE '));
    const lastCall = [...lines].reverse().find((l) => l.startsWith('CALL '));
    const where = `seed ${seed} (rerun: HTAF_MISUSE_SEED=${seed} node --test ${SELF})`;
    if (!done) {
      assert.fail(`the misuse worker died (${res.signal ? `signal ${res.signal}` : `exit code ${res.status}`}${res.error ? `, ${res.error.message}` : ''}) ` +
        `during ${lastCall ?? 'start-up'}; ${where}\nstderr: ${(res.stderr ?? '').slice(-3000)}`);
    }
    const report = JSON.parse(done.slice(5)) as { failures: Failure[]; leaked: number; sane: string; threads: number[]; perGen: Record<string, number>; ms: number };
    const listed = report.failures.slice(0, 40).map((f) => `  #${f.i} [${f.gen}] ${f.desc}\n      ${f.problem}`).join('\n');
    assert.equal(report.failures.length, 0, `${report.failures.length} wrong calls misbehaved; ${where}\n${listed}`);
    assert.equal(res.status, 0, `worker exit code ${res.status}; ${where}`);
    assert.equal(report.leaked, 0, `${report.leaked} tensors leaked by failed calls; ${where}`);
    assert.equal(report.sane, '3,7', 'the engine still computes after the misuse');
    assert.equal(report.threads[0], report.threads[1], 'the thread count is unchanged');
    assert.ok(report.ms < 45_000, `the misuse run took ${report.ms} ms`);
  });

  // Calls some would call wrong but libtorch (and PyTorch) accept; they are not misuse and must keep working.
  test('calls libtorch accepts are not counted as misuse (documented)', () => H.tidy(() => {
    for (const [what, run] of ACCEPTED_BY_LIBTORCH) {
      assert.doesNotThrow(run, what);
    }
  }));
}

/**
 * Legal in libtorch 1.13 (and in PyTorch's C++ API), though a reader might expect an error. htaf follows
 * libtorch here; each is a deliberate non-check.
 */
const ACCEPTED_BY_LIBTORCH: [string, () => unknown][] = [
  ['layerNorm/batchNorm with a negative eps (gives NaN where var + eps < 0)', () => H.layerNorm(f32([2, 3]), [3], { eps: -1 })],
  ['batchNorm with NaN momentum (the running stats become NaN)', () => H.batchNorm(f32([2, 3]), H.zeros([3]), H.ones([3]), { training: true, momentum: NaN })],
  ['batchNorm in training with one value per channel (PyTorch checks it in Python only)', () => H.batchNorm(f32([1, 3]), H.zeros([3]), H.ones([3]), { training: true })],
  ['avgPool2d with a negative divisorOverride', () => H.avgPool2d(f32([1, 1, 4, 4]), 2, { divisorOverride: -1 })],
  ['hardtanh with min > max', () => f32([3]).hardtanh(1, -1)],
  ['softplus with beta 0 (gives inf/NaN)', () => f32([3]).softplus(0)],
  ['clamp with NaN bounds', () => f32([3]).clamp(NaN, 1)],
  ['full with a negative value for uint8 (wraps, as torch.full does)', () => H.full([2], -1, { dtype: 'uint8' })],
  ['arange past the range of uint8 (values wrap)', () => H.arange(0, 300, 1, { dtype: 'uint8' })],
  ['crossEntropy with uint8 class targets', () => H.crossEntropy(f32([2, 3]), H.tensor([0, 2], { dtype: 'uint8' }))],
  ['crossEntropy on an unbatched [C] input with a 0-d target', () => H.crossEntropy(f32([3]), H.tensor(1, { dtype: 'int64' }))],
  ['where with a uint8 condition (deprecated, warns)', () => H.where(H.tensor([1, 0], { dtype: 'uint8' }), 1, 0)],
  ['int pow int tensor with negative exponents (0 for |base| > 1; the number exponent form is rejected)', () => H.tensor([2], { dtype: 'int64' }).pow(H.tensor([-1], { dtype: 'int64' }))],
  ['backward with an int64 or float64 gradient for a float32 output (cast to float32)', () => H.randn([2], { requiresGrad: true }).mul(2).backward(H.ones([2], { dtype: 'int64' }))],
  ['mseLoss of broadcastable but different shapes ([2, 1] vs [3]; PyTorch warns in Python only)', () => H.mseLoss(f32([2, 1]), f32([3]))],
  ['conv2d on int64 tensors (CPU slow path)', () => H.conv2d(H.ones([1, 1, 3, 3], { dtype: 'int64' }), H.ones([1, 1, 2, 2], { dtype: 'int64' }))],
  ['equal of different dtypes with the same values', () => f32([3]).equal(H.ones([3], { dtype: 'int64' }))],
  ['maskedFill with a mask that broadcasts to a larger shape (out of place)', () => f32([3]).maskedFill(bool([2, 3]), 0)],
  ['manualSeed with a negative integer (taken modulo 2^64)', () => H.manualSeed(-1)],
  ['adaptiveAvgPool2d to a larger output than the input', () => H.adaptiveAvgPool2d(f32([1, 1, 2, 2]), [5, 5])],
  ['slice past the end (clamped, as Python slicing)', () => f32([3]).slice(0, 5, 10)],
];
