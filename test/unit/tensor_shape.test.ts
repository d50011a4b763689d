// Shape ops: reshape, view, permute, transpose, flatten, squeeze/unsqueeze, cat/stack/split, indexing
// (indexSelect, slice, gather, where, maskedFill). Every test runs in tidy() so nothing outlives it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, cat, memory, stack, tensor, tidy, where, zeros } from '../../src/index.js';

const m23 = () => tensor([[1, 2, 3], [4, 5, 6]]);
const idx = (v: number[] | number[][]) => tensor(v, { dtype: 'int64' });

test('reshape and view, with an inferred -1', () => tidy(() => {
  const x = arange(0, 6);
  assert.deepEqual(x.reshape([2, 3]).toArray(), [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(x.reshape([3, -1]).shape, [3, 2]);
  assert.deepEqual(x.view([-1, 2, 1]).shape, [3, 2, 1]);
  assert.deepEqual(x.reshape(6).shape, [6]);
  assert.deepEqual(tensor([5]).reshape([]).shape, []);
  // view shares storage with its base: writing through it shows in the base
  const v = x.view([2, 3]);
  v.fill_(1);
  assert.deepEqual(x.toArray(), [1, 1, 1, 1, 1, 1]);
  assert.throws(() => x.reshape([4, 2]), /^Error: reshape\(self=float32\[6\], shape=\[4, 2\]\): shape '\[4, 2\]' is invalid for input of size 6/);
  assert.throws(() => m23().t().view([6]), /^Error: view\(self=float32\[3, 2\].*Use \.reshape/);
}));

test('permute, transpose, t, flatten', () => tidy(() => {
  const x = arange(0, 24).reshape([2, 3, 4]);
  const p = x.permute([2, 0, 1]);
  assert.deepEqual(p.shape, [4, 2, 3]);
  assert.equal(p.isContiguous(), false);
  assert.equal(p.contiguous().isContiguous(), true);
  // p[i][j][k] == x[j][k][i]
  const pa = p.toArray() as number[][][];
  const xa = x.toArray() as number[][][];
  assert.equal(pa[3][1][2], xa[1][2][3]);
  assert.deepEqual(x.transpose(0, 2).shape, [4, 3, 2]);
  assert.deepEqual(x.transpose(-1, -3).shape, [4, 3, 2]);
  assert.deepEqual(m23().t().toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(x.flatten().shape, [24]);
  assert.deepEqual(x.flatten(1).shape, [2, 12]);
  assert.deepEqual(x.flatten(0, 1).shape, [6, 4]);
  assert.throws(() => x.permute([0, 1]), /^Error: permute\(self=float32\[2, 3, 4\], dims=\[0, 1\]\)/);
  assert.throws(() => x.transpose(0, 3), /^Error: transpose\(.*Dimension out of range/);
}));

test('squeeze and unsqueeze', () => tidy(() => {
  const x = zeros([1, 3, 1, 2]);
  assert.deepEqual(x.squeeze().shape, [3, 2]);
  assert.deepEqual(x.squeeze(0).shape, [3, 1, 2]);
  assert.deepEqual(x.squeeze(2).shape, [1, 3, 2]);
  assert.deepEqual(x.squeeze(1).shape, [1, 3, 1, 2], 'a dim of size > 1 is left alone');
  assert.deepEqual(x.squeeze(-2).shape, [1, 3, 2]);
  assert.deepEqual(zeros([3]).unsqueeze(0).shape, [1, 3]);
  assert.deepEqual(zeros([3]).unsqueeze(-1).shape, [3, 1]);
  assert.throws(() => zeros([3]).unsqueeze(3), /^Error: unsqueeze\(self=float32\[3\], dim=3\)/);
  assert.throws(() => x.squeeze(4), /^Error: squeeze\(.*Dimension out of range/);
}));

test('cat, stack, split, chunk', () => tidy(() => {
  const a = tensor([[1, 2]]);
  const b = tensor([[3, 4], [5, 6]]);
  assert.deepEqual(cat([a, b]).toArray(), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(cat([b, b], 1).toArray(), [[3, 4, 3, 4], [5, 6, 5, 6]]);
  assert.deepEqual(stack([a, a]).shape, [2, 1, 2]);
  assert.deepEqual(stack([a, a], -1).shape, [1, 2, 2]);
  const parts = arange(0, 5).split(2);
  assert.deepEqual(parts.map((p) => p.toArray()), [[0, 1], [2, 3], [4]]);
  assert.deepEqual(arange(0, 6).reshape([2, 3]).split(1, 1).map((p) => p.shape), [[2, 1], [2, 1], [2, 1]]);
  assert.deepEqual(arange(0, 6).splitWithSizes([1, 5]).map((p) => p.shape), [[1], [5]]);
  assert.deepEqual(arange(0, 6).chunk(3).map((p) => p.toArray()), [[0, 1], [2, 3], [4, 5]]);
  assert.throws(() => cat([a, tensor([1, 2, 3])]), /^Error: cat\(tensors=\[float32\[1, 2\], float32\[3\]\], dim=0\)/);
  assert.throws(() => stack([a, b]), /^Error: stack\(tensors=\[float32\[1, 2\], float32\[2, 2\]\]/);
  assert.throws(() => cat([]), /^Error: cat\(tensors=\[\], dim=0\): .*non-empty/);
}));

test('slice, narrow, select', () => tidy(() => {
  const x = arange(0, 10);
  assert.deepEqual(x.slice(0, 2, 5).toArray(), [2, 3, 4]);
  assert.deepEqual(x.slice(0, null, null, 3).toArray(), [0, 3, 6, 9]);
  assert.deepEqual(x.slice(0, -3).toArray(), [7, 8, 9]);
  assert.deepEqual(x.slice(0, 8, 100).toArray(), [8, 9], 'ends past the size clamp, as in Python');
  const m = m23();
  assert.deepEqual(m.slice(1, 1).toArray(), [[2, 3], [5, 6]]);
  assert.deepEqual(m.narrow(1, 0, 2).toArray(), [[1, 2], [4, 5]]);
  assert.deepEqual(m.select(0, 1).toArray(), [4, 5, 6]);
  assert.deepEqual(m.select(1, -1).toArray(), [3, 6]);
  assert.throws(() => x.slice(0, 0, 5, 0), /^Error: slice\(.*step must be positive/);
  assert.throws(() => m.select(0, 2), /^Error: select\(self=float32\[2, 3\], dim=0, index=2\): .*out of range/);
}));

test('indexSelect and gather take int64 (indexSelect also int32) indices', () => tidy(() => {
  const m = m23();
  assert.deepEqual(m.indexSelect(0, idx([1, 0, 1])).toArray(), [[4, 5, 6], [1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(m.indexSelect(1, tensor([2], { dtype: 'int32' })).toArray(), [[3], [6]]);
  assert.deepEqual(m.gather(1, idx([[2, 0], [1, 1]])).toArray(), [[3, 1], [5, 5]]);
  assert.deepEqual(m.gather(0, idx([[1, 0, 1]])).toArray(), [[4, 2, 6]]);
  assert.throws(() => m.indexSelect(0, tensor([0])), /^Error: indexSelect\(self=float32\[2, 3\], dim=0, index=float32\[1\]\): .*int32 or int64/);
  assert.throws(() => m.indexSelect(0, idx([2])), /^Error: indexSelect\(.*index out of range/);
  assert.throws(() => m.gather(1, idx([[3]])), /^Error: gather\(.*index 3 is out of bounds/);
}));

test('where and maskedFill take bool masks; comparisons make them', () => tidy(() => {
  const x = tensor([-1, 2, -3, 4]);
  const mask = x.gt(0);
  assert.equal(mask.dtype, 'bool');
  assert.deepEqual(where(mask, x, 0).toArray(), [0, 2, 0, 4]);
  assert.deepEqual(where(mask, 1, -1).toArray(), [-1, 1, -1, 1]);
  assert.deepEqual(where(mask, x, zeros([4])).toArray(), [0, 2, 0, 4]);
  assert.deepEqual(x.maskedFill(mask, 9).toArray(), [-1, 9, -3, 9]);
  assert.deepEqual(x.maskedFill(mask.logicalNot(), tensor(0.5)).toArray(), [0.5, 2, 0.5, 4]);
  const y = x.clone();
  assert.equal(y.maskedFill_(mask, 0), y, 'in place returns the tensor itself');
  assert.deepEqual(y.toArray(), [-1, 0, -3, 0]);
  assert.throws(() => where(x, x, 0), /^Error: where\(condition=float32\[4\].*boolean/);
  assert.throws(() => x.maskedFill(x, 0), /^Error: maskedFill\(self=float32\[4\], mask=float32\[4\].*mask must be a bool tensor/);
  assert.throws(() => x.maskedFill(tensor([1, 0, 1, 0], { dtype: 'int64' }), 0), /mask must be a bool tensor/);
}));

test('expand, repeat, flip', () => tidy(() => {
  const x = tensor([[1], [2]]);
  assert.deepEqual(x.expand([2, 3]).toArray(), [[1, 1, 1], [2, 2, 2]]);
  assert.deepEqual(x.expand([-1, 2]).shape, [2, 2]);
  assert.deepEqual(x.repeat([1, 2]).toArray(), [[1, 1], [2, 2]]);
  assert.deepEqual(arange(0, 3).flip([0]).toArray(), [2, 1, 0]);
}));

test('shape ops inside tidy leave no tensor behind', () => {
  const before = memory().liveTensors;
  tidy(() => {
    const x = arange(0, 24).reshape([2, 3, 4]);
    x.permute([1, 0, 2]).flatten().split(5);
    cat([x, x]).indexSelect(0, idx([0, 3]));
  });
  assert.equal(memory().liveTensors, before);
});
