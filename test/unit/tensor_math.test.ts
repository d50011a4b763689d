// Elementwise math and its dtype rules, comparisons, reductions, matmul, dtype conversion, and the life
// of a handle (dispose, ops on a disposed tensor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, memory, ones, randn, tensor, tidy, zeros, type Tensor } from '../../src/index.js';

function close(actual: unknown, expected: unknown, tol = 1e-5, path = 'value'): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => close(actual[i], e, tol, `${path}[${i}]`));
  } else {
    assert.ok(Math.abs((actual as number) - (expected as number)) <= tol, `${path}: ${actual} vs ${expected}`);
  }
}

test('scalar promotion follows PyTorch: numbers do not widen a tensor dtype', () => tidy(() => {
  const i = tensor([1, 2, 3], { dtype: 'int64' });
  assert.equal(i.mul(2).dtype, 'int64');
  assert.deepEqual(i.mul(2).toArray(), [2, 4, 6]);
  assert.equal(i.add(1).dtype, 'int64');
  assert.equal(i.mul(0.5).dtype, 'float32', 'an int tensor times a float number becomes the default float');
  assert.deepEqual(i.mul(0.5).toArray(), [0.5, 1, 1.5]);
  assert.equal(i.div(2).dtype, 'float32', 'div is true division');
  const f = tensor([1, 2], { dtype: 'float32' });
  assert.equal(f.add(1e-300).dtype, 'float32', 'a float64-precision number keeps float32');
  assert.equal(f.mul(3).dtype, 'float32');
  assert.equal(tensor([1], { dtype: 'int32' }).add(1).dtype, 'int32');
  assert.equal(tensor([1], { dtype: 'uint8' }).add(1).dtype, 'uint8');
  assert.equal(tensor([true]).add(1).dtype, 'int64');
  // tensor-tensor promotion widens
  assert.equal(f.add(tensor([1], { dtype: 'float64' })).dtype, 'float64');
  assert.equal(i.add(tensor([1.5])).dtype, 'float32');
  assert.equal(i.pow(2).dtype, 'int64');
  assert.deepEqual(i.pow(2).toArray(), [1, 4, 9]);
  assert.throws(() => i.pow(-1), /^Error: pow\(self=int64\[3\], exponent=-1\): Integers to negative integer powers are not allowed/);
}));

test('elementwise ops compute the right values', () => tidy(() => {
  const x = tensor([-2, -0.5, 0, 1, 3]);
  assert.deepEqual(x.abs().toArray(), [2, 0.5, 0, 1, 3]);
  assert.deepEqual(x.relu().toArray(), [0, 0, 0, 1, 3]);
  assert.deepEqual(x.clamp(-1, 1).toArray(), [-1, -0.5, 0, 1, 1]);
  assert.deepEqual(x.clamp(null, 0).toArray(), [-2, -0.5, 0, 0, 0]);
  assert.deepEqual(x.sign().toArray(), [-1, -1, 0, 1, 1]);
  assert.deepEqual(x.neg().toArray(), [2, 0.5, -0, -1, -3]);
  assert.deepEqual(x.sub(1, 2).toArray(), [-4, -2.5, -2, -1, 1], 'alpha scales other');
  close(x.sigmoid().toArray(), [-2, -0.5, 0, 1, 3].map((v) => 1 / (1 + Math.exp(-v))));
  close(x.tanh().toArray(), [-2, -0.5, 0, 1, 3].map(Math.tanh));
  close(x.exp().toArray(), [-2, -0.5, 0, 1, 3].map(Math.exp), 1e-4);
  close(tensor([1, 4, 9]).sqrt().toArray(), [1, 2, 3]);
  assert.deepEqual(tensor([1, 2]).maximum(tensor([3, 0])).toArray(), [3, 2]);
  close(tensor([0, 1]).softmax(0).toArray(), [1 / (1 + Math.E), Math.E / (1 + Math.E)]);
}));

test('comparisons give bool tensors', () => tidy(() => {
  const x = tensor([1, 2, 3]);
  for (const r of [x.eq(2), x.ne(2), x.lt(2), x.le(2), x.gt(2), x.ge(2), x.eq(tensor([1, 0, 3])), x.isnan(), x.isfinite()]) {
    assert.equal(r.dtype, 'bool');
  }
  assert.deepEqual(x.lt(2).toArray(), [true, false, false]);
  assert.deepEqual(x.ge(2).toArray(), [false, true, true]);
  assert.deepEqual(x.eq(tensor([1, 0, 3])).toArray(), [true, false, true]);
  assert.deepEqual(x.gt(1).logicalAnd(x.lt(3)).toArray(), [false, true, false]);
  assert.equal(x.equal(tensor([1, 2, 3])), true);
  assert.equal(x.allclose(tensor([1, 2, 3.000001])), true);
  assert.equal(x.gt(0).all().item(), true);
  assert.equal(x.gt(2).any().item(), true);
}));

test('reductions: sum, mean, std, max/min with dims, argmax, logsumexp, cumsum, topk, sort', () => tidy(() => {
  const m = tensor([[1, 5, 3], [4, 2, 6]]);
  assert.equal(m.sum().item(), 21);
  assert.deepEqual(m.sum(0).toArray(), [5, 7, 9]);
  assert.deepEqual(m.sum(1, true).shape, [2, 1]);
  assert.deepEqual(m.sum([0, 1]).shape, []);
  assert.equal(m.mean().item(), 3.5);
  assert.deepEqual(m.mean(1).toArray(), [3, 4]);
  close(tensor([1, 2, 3, 4]).std().item(), Math.sqrt(5 / 3));
  close(tensor([1, 2, 3, 4]).std(null, false).item(), Math.sqrt(5 / 4));
  close(tensor([1, 2, 3, 4]).var().item(), 5 / 3);
  assert.equal(m.max().item(), 6);
  assert.equal(m.min().item(), 1);
  const [vals, inds] = m.maxDim(1);
  assert.deepEqual(vals.toArray(), [5, 6]);
  assert.deepEqual(inds.toArray(), [1, 2]);
  assert.equal(inds.dtype, 'int64');
  assert.deepEqual(m.minDim(0)[0].toArray(), [1, 2, 3]);
  assert.deepEqual(m.amax([1]).toArray(), [5, 6]);
  assert.equal(m.argmax().item(), 5);
  assert.deepEqual(m.argmax(0).toArray(), [1, 0, 1]);
  assert.deepEqual(m.argmin(1, true).toArray(), [[0], [1]]);
  close(tensor([0, 0]).logsumexp([0]).item(), Math.log(2));
  assert.deepEqual(tensor([1, 2, 3]).cumsum(0).toArray(), [1, 3, 6]);
  const [tv, ti] = tensor([3, 1, 4, 1, 5]).topk(2);
  assert.deepEqual(tv.toArray(), [5, 4]);
  assert.deepEqual(ti.toArray(), [4, 2]);
  assert.deepEqual(tensor([3, 1, 2]).sort()[0].toArray(), [1, 2, 3]);
  assert.deepEqual(tensor([3, 1, 2]).sort(0, true)[1].toArray(), [0, 2, 1]);
  close(tensor([3, 4]).norm().item(), 5);
  assert.equal(tensor([1, 2], { dtype: 'int64' }).sum().dtype, 'int64');
  assert.equal(tensor([true, true]).sum().dtype, 'int64');
  assert.equal(tensor([1, 2], { dtype: 'int32' }).sum(null, false, { dtype: 'float64' }).dtype, 'float64');
  assert.throws(() => tensor([1, 2], { dtype: 'int64' }).mean(), /^Error: mean\(self=int64\[2\].*floating point/);
  assert.throws(() => m.sum(2), /^Error: sum\(self=float32\[2, 3\], dim=2.*Dimension out of range/);
}));

test('matmul, mm, bmm and their shape errors', () => tidy(() => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5, 6], [7, 8]]);
  assert.deepEqual(a.matmul(b).toArray(), [[19, 22], [43, 50]]);
  assert.deepEqual(a.mm(b).toArray(), [[19, 22], [43, 50]]);
  assert.deepEqual(a.matmul(tensor([1, 1])).toArray(), [3, 7], 'matrix-vector');
  assert.equal(tensor([1, 2]).matmul(tensor([3, 4])).item(), 11, 'vector-vector');
  assert.deepEqual(randn([5, 2, 3]).matmul(randn([3, 4])).shape, [5, 2, 4], 'broadcast batch');
  assert.deepEqual(ones([3, 2, 4]).bmm(ones([3, 4, 5])).shape, [3, 2, 5]);
  assert.deepEqual(tensor([[1, 2]], { dtype: 'int64' }).matmul(tensor([[3], [4]], { dtype: 'int64' })).toArray(), [[11]]);
  assert.throws(() => a.matmul(ones([3, 2])), /^Error: matmul\(self=float32\[2, 2\], other=float32\[3, 2\]\): mat1 and mat2 shapes cannot be multiplied \(2x2 and 3x2\)/);
  assert.throws(() => ones([2, 2, 3]).bmm(ones([2, 2, 3])), /^Error: bmm\(self=float32\[2, 2, 3\], other=float32\[2, 2, 3\]\)/);
  assert.throws(() => a.matmul(tensor([[1, 2], [3, 4]], { dtype: 'float64' })), /^Error: matmul\(self=float32\[2, 2\], other=float64\[2, 2\]\)/);
}));

test('dtype conversion: toDtype, to, float, long; copy semantics', () => tidy(() => {
  const x = tensor([1.7, -1.7, 0]);
  assert.deepEqual(x.toDtype('int64').toArray(), [1, -1, 0], 'float to int truncates toward zero');
  assert.deepEqual(x.toDtype('bool').toArray(), [true, true, false]);
  assert.equal(x.toDtype('float64').dtype, 'float64');
  assert.equal(x.to('int32').dtype, 'int32');
  assert.equal(x.to('cpu').dtype, 'float32');
  assert.equal(x.long().dtype, 'int64');
  assert.equal(x.long().float().dtype, 'float32');
  close(x.toDtype('float16').toDtype('float32').toArray(), [1.7, -1.7, 0], 1e-3);
  close(x.toDtype('bfloat16').toDtype('float32').toArray(), [1.7, -1.7, 0], 1e-2);
  // without copy, a same-dtype conversion shares data; with copy it does not
  const same = x.toDtype('float32');
  const copy = x.toDtype('float32', true);
  x.fill_(5);
  assert.deepEqual(same.toArray(), [5, 5, 5]);
  assert.deepEqual(copy.toArray(), [1.7000000476837158, -1.7000000476837158, 0]);
  assert.throws(() => x.toDtype('float8' as never), /^Error: toDtype\(self=float32\[3\], dtype='float8'.*argument 'dtype' must be one of/);
  assert.throws(() => x.to(undefined as never), /^Error: to\(self=float32\[3\], target=undefined\): the target must be a dtype/);
}));

test('in-place ops return the tensor and change it', () => tidy(() => {
  const x = zeros([3]);
  assert.equal(x.add_(2), x);
  x.mul_(3).sub_(1).div_(5);
  assert.deepEqual(x.toArray(), [1, 1, 1]);
  x.copy_(tensor([1, 2, 3]));
  x.clamp_(2, null);
  assert.deepEqual(x.toArray(), [2, 2, 3]);
  x.zero_();
  assert.deepEqual(x.toArray(), [0, 0, 0]);
  assert.throws(() => tensor([1], { dtype: 'int64' }).add_(0.5), /^Error: add_\(self=int64\[1\].*can't be cast/);
}));

test('dispose is idempotent and frees the handle; ops on a disposed tensor name the op and say disposed', () => {
  const before = memory().liveTensors;
  const x = ones([2, 3]);
  assert.equal(memory().liveTensors, before + 1);
  x.dispose();
  assert.equal(memory().liveTensors, before);
  assert.equal(x.isDisposed, true);
  x.dispose();
  x[Symbol.dispose]();
  assert.equal(memory().liveTensors, before);
  assert.equal(String(x), 'Tensor(<disposed>)');
  const y = ones([2]);
  const ops: [string, (t: Tensor) => unknown][] = [
    ['add', (t) => t.add(1)],
    ['add', (t) => y.add(t)],
    ['matmul', (t) => t.matmul(t)],
    ['sum', (t) => t.sum()],
    ['reshape', (t) => t.reshape([6])],
    ['item', (t) => t.item()],
    ['backward', (t) => t.backward()],
    ['detach', (t) => t.detach()],
  ];
  for (const [op, f] of ops) {
    assert.throws(() => f(x), (e: Error) => {
      assert.ok(e instanceof Error);
      assert.ok(e.message.startsWith(`${op}(`), e.message);
      assert.match(e.message, /disposed/);
      return true;
    });
  }
  assert.throws(() => x.toArray(), /^Error: toArray\(self=<disposed tensor>\): the tensor is disposed/);
  assert.throws(() => x.toTypedArray(), /^Error: toTypedArray\(self=<disposed tensor>\): the tensor is disposed/);
  y.dispose();
  assert.equal(memory().liveTensors, before);
});

test('a view outlives the disposal of its base', () => {
  const base = arange(0, 4);
  const v = base.view([2, 2]);
  base.dispose();
  assert.deepEqual(v.toArray(), [[0, 1], [2, 3]]);
  v.dispose();
});
