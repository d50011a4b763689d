// Every case of test/golden/fixtures/ops.json (written by tools/golden/make_fixtures.py with PyTorch
// 1.13.1, the same libtorch we bind) run through htaf's API: forward values and gradients of
// L = Σ_k (outputs[grad_of[k]] * grad_weights[k]).sum(). One subtest per case, named after it.
//
// Tolerances (never loosened to make a case pass):
//   float32 results   |got - want| <= 1e-5 * max(1, max|want|)   (scaled by the tensor's magnitude, so
//                      large-valued results such as sums and conv outputs get the same relative slack)
//   float64 results   the same with 1e-12
//   int/bool results  exact, same dtype
//   module "htaf"     want is float64 from the float32 x; got is float32: |got - want| <= 1e-6 * |want|
//                      + FLT_MIN (2^-126): the absolute part only matters for values that a float32
//                      cannot hold with full precision (subnormal or underflowed deep-tail gradients).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Tensor, tidy, noGrad, loadSafetensors,
  adaptiveAvgPool2d, avgPool2d, batchNorm, binaryCrossEntropyWithLogits, cat, conv1d, conv2d, crossEntropy,
  embedding, heavisideSte, htaf, l1Loss, layerNorm, linear, maxPool2d, mseLoss, scaledSigmoid, stack, where,
} from '../../src/index.js';
import { assertClose, assertTensorEqual, maxAbs, toFloat64 } from '../helpers/compare.js';

interface GoldenCase {
  name: string;
  module: 'torch' | 'torch.nn.functional' | 'htaf';
  op: string;
  inputs: string[];
  arg_names: string[];
  list_arg?: string;
  kwargs: Record<string, unknown>;
  outputs: string[];
  output_names: string[];
  grad_of?: string[];
  grad_weights?: string | string[];
  grad_inputs?: string[];
  grads?: string[];
  precision?: string;
  notes?: string;
}

// The fixtures live in the source tree; this file runs from dist/test/golden/.
function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', 'golden', 'fixtures');
    try {
      readFileSync(join(candidate, 'ops.json'));
      return candidate;
    } catch { /* keep looking */ }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('ops.test: cannot find test/golden/fixtures/ops.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

const FIXTURES = fixturesDir();
const spec = JSON.parse(readFileSync(join(FIXTURES, 'ops.json'), 'utf8')) as { tensors: string; cases: GoldenCase[] };
// Loaded outside any scope: these tensors live for the whole file and are only read (cases clone them).
const stored = loadSafetensors(join(FIXTURES, spec.tensors)).tensors;

function fixture(key: string): Tensor {
  const t = stored.get(key);
  if (!t) throw new Error(`ops.safetensors has no tensor '${key}'`);
  return t;
}

type Args = Record<string, Tensor | Tensor[]>;
type Kw = Record<string, unknown>;
type Result = Tensor | Tensor[];

interface Mapping {
  /** The kwargs this mapping reads; a case with any other kwarg fails instead of silently ignoring it. */
  kwargs: string[];
  call: (a: Args, kw: Kw) => Result;
}

const T = (a: Args, name: string): Tensor => {
  const v = a[name];
  if (!(v instanceof Tensor)) throw new Error(`argument '${name}' is missing`);
  return v;
};
const optT = (a: Args, name: string): Tensor | null => (a[name] instanceof Tensor ? (a[name] as Tensor) : null);
const L = (a: Args, name: string): Tensor[] => {
  const v = a[name];
  if (!Array.isArray(v)) throw new Error(`list argument '${name}' is missing`);
  return v;
};
const num = (kw: Kw, name: string): number => {
  const v = kw[name];
  if (typeof v !== 'number') throw new Error(`kwarg '${name}' is missing or not a number`);
  return v;
};
const ints = (kw: Kw, name: string): number | number[] => kw[name] as number | number[];
/** A tensor argument or a scalar kwarg of the same PyTorch name (other=0.25, exponent=2, ...). */
const TorS = (a: Args, kw: Kw, name: string): Tensor | number => (a[name] instanceof Tensor ? (a[name] as Tensor) : num(kw, name));

const unary = (f: (x: Tensor) => Tensor): Mapping => ({ kwargs: [], call: (a) => f(T(a, 'input')) });
const binaryCmp = (f: (x: Tensor, y: Tensor | number) => Tensor): Mapping => ({ kwargs: ['other'], call: (a, kw) => f(T(a, 'input'), TorS(a, kw, 'other')) });
const reduction = (f: (x: Tensor, dim: number | number[] | null, keepdim: boolean) => Tensor): Mapping => ({
  kwargs: ['dim', 'keepdim'],
  call: (a, kw) => f(T(a, 'input'), kw.dim === undefined ? null : ints(kw, 'dim'), (kw.keepdim as boolean | undefined) ?? false),
});
const minMax = (all: (x: Tensor) => Tensor, byDim: (x: Tensor, dim: number, keepdim: boolean) => [Tensor, Tensor]): Mapping => ({
  kwargs: ['dim', 'keepdim'],
  call: (a, kw) => (kw.dim === undefined ? all(T(a, 'input')) : byDim(T(a, 'input'), num(kw, 'dim'), (kw.keepdim as boolean | undefined) ?? false)),
});
const stdVar = (f: (x: Tensor, dim: number | number[] | null, unbiased: boolean, keepdim: boolean) => Tensor): Mapping => ({
  kwargs: ['dim', 'unbiased', 'keepdim'],
  call: (a, kw) => f(T(a, 'input'), kw.dim === undefined ? null : ints(kw, 'dim'), (kw.unbiased as boolean | undefined) ?? true, (kw.keepdim as boolean | undefined) ?? false),
});
const loss = (f: (x: Tensor, y: Tensor, o: { reduction?: 'none' | 'mean' | 'sum' }) => Tensor): Mapping => ({
  kwargs: ['reduction'],
  call: (a, kw) => f(T(a, 'input'), T(a, 'target'), { reduction: (kw.reduction as 'none' | 'mean' | 'sum' | undefined) ?? 'mean' }),
});

/** PyTorch's `module.op(**kwargs)` → htaf. Keys are `module:op`. */
const OPS: Record<string, Mapping> = {
  // ---- elementwise ----
  'torch:add': { kwargs: ['alpha'], call: (a, kw) => T(a, 'input').add(TorS(a, kw, 'other'), (kw.alpha as number | undefined) ?? 1) },
  'torch:sub': { kwargs: ['alpha'], call: (a, kw) => T(a, 'input').sub(TorS(a, kw, 'other'), (kw.alpha as number | undefined) ?? 1) },
  'torch:mul': { kwargs: [], call: (a, kw) => T(a, 'input').mul(TorS(a, kw, 'other')) },
  'torch:div': { kwargs: [], call: (a, kw) => T(a, 'input').div(TorS(a, kw, 'other')) },
  'torch:pow': { kwargs: ['exponent'], call: (a, kw) => T(a, 'input').pow(TorS(a, kw, 'exponent')) },
  'torch:exp': unary((x) => x.exp()),
  'torch:log': unary((x) => x.log()),
  'torch:abs': unary((x) => x.abs()),
  'torch:sign': unary((x) => x.sign()),
  'torch:clamp': { kwargs: ['min', 'max'], call: (a, kw) => T(a, 'input').clamp((kw.min as number | undefined) ?? null, (kw.max as number | undefined) ?? null) },
  'torch:sigmoid': unary((x) => x.sigmoid()),
  'torch:tanh': unary((x) => x.tanh()),
  'torch:relu': unary((x) => x.relu()),
  'torch.nn.functional:gelu': { kwargs: ['approximate'], call: (a, kw) => T(a, 'input').gelu((kw.approximate as string | undefined) ?? 'none') },
  'torch.nn.functional:silu': unary((x) => x.silu()),
  'torch.nn.functional:softmax': { kwargs: ['dim'], call: (a, kw) => T(a, 'input').softmax(num(kw, 'dim')) },
  'torch.nn.functional:log_softmax': { kwargs: ['dim'], call: (a, kw) => T(a, 'input').logSoftmax(num(kw, 'dim')) },

  // ---- reductions ----
  'torch:sum': reduction((x, d, k) => x.sum(d, k)),
  'torch:mean': reduction((x, d, k) => x.mean(d, k)),
  'torch:max': minMax((x) => x.max(), (x, d, k) => x.maxDim(d, k)),
  'torch:min': minMax((x) => x.min(), (x, d, k) => x.minDim(d, k)),
  'torch:argmax': { kwargs: ['dim', 'keepdim'], call: (a, kw) => T(a, 'input').argmax((kw.dim as number | undefined) ?? null, (kw.keepdim as boolean | undefined) ?? false) },
  'torch:std': stdVar((x, d, u, k) => x.std(d, u, k)),
  'torch:var': stdVar((x, d, u, k) => x.var(d, u, k)),
  'torch:cumsum': { kwargs: ['dim'], call: (a, kw) => T(a, 'input').cumsum(num(kw, 'dim')) },
  'torch:topk': {
    kwargs: ['k', 'dim', 'largest', 'sorted'],
    call: (a, kw) => T(a, 'input').topk(num(kw, 'k'), (kw.dim as number | undefined) ?? -1, (kw.largest as boolean | undefined) ?? true, (kw.sorted as boolean | undefined) ?? true),
  },
  'torch:sort': { kwargs: ['dim', 'descending'], call: (a, kw) => T(a, 'input').sort((kw.dim as number | undefined) ?? -1, (kw.descending as boolean | undefined) ?? false) },

  // ---- comparisons ----
  'torch:eq': binaryCmp((x, y) => x.eq(y)),
  'torch:ne': binaryCmp((x, y) => x.ne(y)),
  'torch:lt': binaryCmp((x, y) => x.lt(y)),
  'torch:le': binaryCmp((x, y) => x.le(y)),
  'torch:gt': binaryCmp((x, y) => x.gt(y)),
  'torch:ge': binaryCmp((x, y) => x.ge(y)),

  // ---- linear algebra, nn ----
  'torch:matmul': { kwargs: [], call: (a) => T(a, 'input').matmul(T(a, 'other')) },
  'torch:bmm': { kwargs: [], call: (a) => T(a, 'input').bmm(T(a, 'mat2')) },
  'torch.nn.functional:linear': { kwargs: [], call: (a) => linear(T(a, 'input'), T(a, 'weight'), optT(a, 'bias')) },
  'torch.nn.functional:conv1d': {
    kwargs: ['stride', 'padding', 'dilation', 'groups'],
    call: (a, kw) => conv1d(T(a, 'input'), T(a, 'weight'), { bias: optT(a, 'bias'), stride: ints(kw, 'stride'), padding: ints(kw, 'padding'), dilation: ints(kw, 'dilation'), groups: num(kw, 'groups') }),
  },
  'torch.nn.functional:conv2d': {
    kwargs: ['stride', 'padding', 'dilation', 'groups'],
    call: (a, kw) => conv2d(T(a, 'input'), T(a, 'weight'), { bias: optT(a, 'bias'), stride: ints(kw, 'stride'), padding: ints(kw, 'padding'), dilation: ints(kw, 'dilation'), groups: num(kw, 'groups') }),
  },
  'torch.nn.functional:max_pool2d': {
    kwargs: ['kernel_size', 'stride', 'padding', 'dilation', 'ceil_mode'],
    call: (a, kw) => maxPool2d(T(a, 'input'), ints(kw, 'kernel_size'), {
      stride: kw.stride === undefined ? null : ints(kw, 'stride'), padding: (kw.padding as number | undefined) ?? 0,
      dilation: (kw.dilation as number | undefined) ?? 1, ceilMode: (kw.ceil_mode as boolean | undefined) ?? false,
    }),
  },
  'torch.nn.functional:avg_pool2d': {
    kwargs: ['kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad'],
    call: (a, kw) => avgPool2d(T(a, 'input'), ints(kw, 'kernel_size'), {
      stride: kw.stride === undefined ? null : ints(kw, 'stride'), padding: (kw.padding as number | undefined) ?? 0,
      ceilMode: (kw.ceil_mode as boolean | undefined) ?? false, countIncludePad: (kw.count_include_pad as boolean | undefined) ?? true,
    }),
  },
  'torch.nn.functional:adaptive_avg_pool2d': { kwargs: ['output_size'], call: (a, kw) => adaptiveAvgPool2d(T(a, 'input'), ints(kw, 'output_size')) },
  'torch.nn.functional:batch_norm': {
    kwargs: ['training', 'momentum', 'eps'],
    call: (a, kw) => batchNorm(T(a, 'input'), optT(a, 'running_mean'), optT(a, 'running_var'), {
      weight: optT(a, 'weight'), bias: optT(a, 'bias'), training: kw.training as boolean, momentum: num(kw, 'momentum'), eps: num(kw, 'eps'),
    }),
  },
  'torch.nn.functional:layer_norm': {
    kwargs: ['normalized_shape', 'eps'],
    call: (a, kw) => layerNorm(T(a, 'input'), ints(kw, 'normalized_shape'), { weight: optT(a, 'weight'), bias: optT(a, 'bias'), eps: num(kw, 'eps') }),
  },
  'torch.nn.functional:embedding': { kwargs: [], call: (a) => embedding(T(a, 'input'), T(a, 'weight')) },

  // ---- losses ----
  'torch.nn.functional:cross_entropy': {
    kwargs: ['reduction', 'label_smoothing'],
    call: (a, kw) => crossEntropy(T(a, 'input'), T(a, 'target'), {
      reduction: (kw.reduction as 'none' | 'mean' | 'sum' | undefined) ?? 'mean', labelSmoothing: (kw.label_smoothing as number | undefined) ?? 0,
    }),
  },
  'torch.nn.functional:binary_cross_entropy_with_logits': loss(binaryCrossEntropyWithLogits),
  'torch.nn.functional:mse_loss': loss(mseLoss),
  'torch.nn.functional:l1_loss': loss(l1Loss),

  // ---- shape ----
  'torch:reshape': { kwargs: ['shape'], call: (a, kw) => T(a, 'input').reshape(ints(kw, 'shape')) },
  'torch:permute': { kwargs: ['dims'], call: (a, kw) => T(a, 'input').permute(ints(kw, 'dims')) },
  'torch:transpose': { kwargs: ['dim0', 'dim1'], call: (a, kw) => T(a, 'input').transpose(num(kw, 'dim0'), num(kw, 'dim1')) },
  'torch:flatten': { kwargs: ['start_dim', 'end_dim'], call: (a, kw) => T(a, 'input').flatten((kw.start_dim as number | undefined) ?? 0, (kw.end_dim as number | undefined) ?? -1) },
  'torch:squeeze': { kwargs: ['dim'], call: (a, kw) => T(a, 'input').squeeze((kw.dim as number | undefined) ?? null) },
  'torch:unsqueeze': { kwargs: ['dim'], call: (a, kw) => T(a, 'input').unsqueeze(num(kw, 'dim')) },
  'torch:cat': { kwargs: ['dim'], call: (a, kw) => cat(L(a, 'tensors'), (kw.dim as number | undefined) ?? 0) },
  'torch:stack': { kwargs: ['dim'], call: (a, kw) => stack(L(a, 'tensors'), (kw.dim as number | undefined) ?? 0) },
  'torch:split': {
    kwargs: ['split_size_or_sections', 'dim'],
    call: (a, kw) => {
      const s = kw.split_size_or_sections;
      const d = (kw.dim as number | undefined) ?? 0;
      return Array.isArray(s) ? T(a, 'tensor').splitWithSizes(s as number[], d) : T(a, 'tensor').split(s as number, d);
    },
  },
  'torch:index_select': { kwargs: ['dim'], call: (a, kw) => T(a, 'input').indexSelect(num(kw, 'dim'), T(a, 'index')) },
  'torch:gather': { kwargs: ['dim'], call: (a, kw) => T(a, 'input').gather(num(kw, 'dim'), T(a, 'index')) },
  'torch:where': { kwargs: [], call: (a, kw) => where(T(a, 'condition'), TorS(a, kw, 'input'), TorS(a, kw, 'other')) },
  'torch:masked_fill': { kwargs: ['value'], call: (a, kw) => T(a, 'input').maskedFill(T(a, 'mask'), TorS(a, kw, 'value')) },

  // ---- the paper's activations (fused native ops) ----
  'htaf:htaf': { kwargs: ['alpha', 'beta'], call: (a, kw) => htaf(T(a, 'x'), num(kw, 'alpha'), num(kw, 'beta')) },
  'htaf:scaled_sigmoid': { kwargs: ['gamma'], call: (a, kw) => scaledSigmoid(T(a, 'x'), num(kw, 'gamma')) },
  'htaf:heaviside': {
    kwargs: ['surrogate', 'k', 'a'],
    call: (a, kw) => {
      const surrogate = kw.surrogate as string;
      // sigmoid/tanh surrogates take the slope k; rect takes its width a.
      const param = surrogate === 'rect' ? num(kw, 'a') : num(kw, 'k');
      return heavisideSte(T(a, 'x'), surrogate, param);
    },
  },
};

const FLT_MIN = 2 ** -126;

/** Compares one result with its fixture under the case's rules (see the header). */
function compare(c: GoldenCase, got: Tensor, want: Tensor, what: string): void {
  const isFloat = (d: string) => d.startsWith('float') || d === 'bfloat16';
  if (!isFloat(want.dtype)) {
    assertTensorEqual(got, want, what);
    return;
  }
  if (c.precision === 'float64') {
    // Float64 references for float32 results: relative comparison (see header).
    assert.equal(got.dtype, 'float32', `${what}: dtype ${got.dtype}, expected float32 (the input's dtype)`);
    assertClose(got, want, { rtol: 1e-6, atol: FLT_MIN, what });
    return;
  }
  assert.equal(got.dtype, want.dtype, `${what}: dtype ${got.dtype} differs from expected ${want.dtype}`);
  const base = want.dtype === 'float64' ? 1e-12 : 1e-5;
  assertClose(got, want, { atol: base * Math.max(1, maxAbs(toFloat64(want))), what });
}

function runCase(c: GoldenCase): void {
  const key = `${c.module}:${c.op}`;
  const mapping = OPS[key];
  assert.ok(mapping, `no htaf mapping for ${c.module}.${c.op} (add one to OPS in test/golden/ops.test.ts)`);
  const extra = Object.keys(c.kwargs).filter((k) => !mapping.kwargs.includes(k));
  assert.deepEqual(extra, [], `case kwargs ${JSON.stringify(extra)} are not handled by the mapping for ${key}`);

  tidy(() => {
    const gradInputs = new Set(c.grad_inputs ?? []);
    const byKey = new Map<string, Tensor>();
    const args: Args = {};
    c.inputs.forEach((k, i) => {
      // A fresh copy: gradients land on it, and batch_norm updates its running stats in place.
      const t = fixture(k).clone();
      if (gradInputs.has(k)) t.requiresGrad_(true);
      byKey.set(k, t);
      const name = c.arg_names[i];
      if (c.list_arg !== undefined && name === c.list_arg) ((args[name] ??= []) as Tensor[]).push(t);
      else args[name] = t;
    });

    const result = mapping.call(args, c.kwargs);
    const list = Array.isArray(result) ? result : [result];
    const outputs = new Map<string, Tensor>();
    c.output_names.forEach((n, i) => {
      if (n === 'running_mean_after') outputs.set(c.outputs[i], T(args, 'running_mean'));
      else if (n === 'running_var_after') outputs.set(c.outputs[i], T(args, 'running_var'));
      else outputs.set(c.outputs[i], list[i]);
    });
    const produced = c.output_names.filter((n) => !n.endsWith('_after')).length;
    assert.equal(list.length, produced, `${c.name}: htaf returned ${list.length} outputs, PyTorch ${produced} (${c.output_names.join(', ')})`);

    c.outputs.forEach((k, i) => compare(c, outputs.get(k)!, fixture(k), `${c.name} ${c.output_names[i]}`));

    if (!c.grads) return;
    const gradOf = c.grad_of!;
    const weights = typeof c.grad_weights === 'string' ? [c.grad_weights] : c.grad_weights!;
    assert.equal(weights.length, gradOf.length, `${c.name}: grad_weights and grad_of differ in length`);
    let lossValue: Tensor | undefined;
    gradOf.forEach((k, i) => {
      const term = outputs.get(k)!.mul(fixture(weights[i])).sum();
      lossValue = lossValue ? lossValue.add(term) : term;
    });
    lossValue!.backward();
    c.grad_inputs!.forEach((k, i) => {
      const g = byKey.get(k)!.grad;
      assert.ok(g, `${c.name}: ${k} got no gradient`);
      noGrad(() => compare(c, g, fixture(c.grads![i]), `${c.name} grad.${k.slice(c.name.length + 1)}`));
    });
  });
}

test('ops.json: every case has a mapping and its tensors exist', () => {
  assert.ok(spec.cases.length >= 100, `only ${spec.cases.length} cases`);
  const missing = spec.cases.filter((c) => !OPS[`${c.module}:${c.op}`]).map((c) => `${c.name} (${c.module}.${c.op})`);
  assert.deepEqual(missing, [], 'cases without an htaf mapping');
  for (const c of spec.cases) {
    for (const k of [...c.inputs, ...c.outputs, ...(c.grads ?? []), ...(typeof c.grad_weights === 'string' ? [c.grad_weights] : c.grad_weights ?? [])]) {
      assert.ok(stored.has(k), `${c.name}: ops.safetensors lacks '${k}'`);
    }
  }
});

for (const c of spec.cases) {
  test(c.name, () => runCase(c));
}
