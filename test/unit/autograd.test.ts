// Autograd through the handle API: requiresGrad, backward with and without a gradient, accumulation,
// zeroGrad, detach, noGrad/enableGrad, retainGrad, the straight-through trick, and its errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enableGrad, isGradEnabled, noGrad, ones, tensor, tidy, type Tensor } from '../../src/index.js';

function close(actual: number[], expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `[${i}] ${a} vs ${expected[i]}`));
}

const grad = (t: Tensor): number[] => {
  const g = t.grad;
  assert.ok(g, 'a gradient is there');
  return g.toFlatArray();
};

test('requiresGrad, leaves, grad_fn names', () => tidy(() => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  assert.equal(x.requiresGrad, true);
  assert.equal(x.isLeaf, true);
  assert.equal(x.gradFn, '');
  assert.equal(x.grad, null, 'no gradient before backward');
  const y = x.mul(2);
  assert.equal(y.requiresGrad, true);
  assert.equal(y.isLeaf, false);
  assert.match(y.gradFn, /Mul/);
  const z = tensor([1, 2]);
  assert.equal(z.requiresGrad, false);
  z.requiresGrad = true;
  assert.equal(z.requiresGrad, true);
  const r = tensor([1]);
  assert.equal(r.requiresGrad_(), r, 'requiresGrad_ returns the tensor');
  assert.equal(r.requiresGrad, true);
  r.requiresGrad_(false);
  assert.equal(r.requiresGrad, false);
}));

test('backward of a scalar without a gradient; of a non-scalar with one', () => tidy(() => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  x.square().sum().backward();
  close(grad(x), [2, 4, 6]);
  const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  w.mul(3).backward(tensor([[1, 0], [0, 2]]));
  close(grad(w), [3, 0, 0, 6]);
  const v = tensor([0.5], { requiresGrad: true });
  v.exp().backward(); // one element, not 0-d: still implied
  close(grad(v), [Math.exp(0.5)], 1e-6);
}));

test('gradients accumulate until zeroGrad; grad can be set', () => tidy(() => {
  const x = tensor([1, 2], { requiresGrad: true });
  x.mul(2).sum().backward();
  x.mul(3).sum().backward();
  close(grad(x), [5, 5]);
  x.zeroGrad();
  assert.equal(x.grad, null);
  x.mul(x).sum().backward();
  close(grad(x), [2, 4]);
  x.grad = tensor([7, 8]);
  close(grad(x), [7, 8]);
  x.grad = null;
  assert.equal(x.grad, null);
  assert.throws(() => { x.grad = tensor([1, 2, 3]); }, /^Error: setGrad\(self=float32\[2\], grad=float32\[3\]\): the gradient's shape \[3\] must equal/);
  assert.throws(() => { x.grad = 'g' as never; }, /^Error: setGrad\(.*argument 'grad' must be a live Tensor, got string 'g'/);
}));

test('retainGraph lets backward run twice; without it the second call is a clear error', () => tidy(() => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.exp().sum();
  y.backward(null, { retainGraph: true });
  y.backward();
  close(grad(x), [2 * Math.E, 2 * Math.exp(2)], 1e-5);
  assert.throws(() => y.backward(), /^Error: backward\(.*backward through the graph a second time/);
}));

test('createGraph gives a gradient that is itself differentiable', () => tidy(() => {
  const x = tensor([2], { requiresGrad: true });
  x.pow(3).sum().backward(null, { createGraph: true });
  const g = x.grad!;
  close(g.toFlatArray(), [12]);
  assert.equal(g.requiresGrad, true);
  x.zeroGrad();
  g.sum().backward();
  close(grad(x), [12], 1e-5); // d/dx 3x^2 = 6x
}));

test('detach and noGrad cut the graph; enableGrad restores it inside noGrad', () => tidy(() => {
  const x = tensor([1, 2], { requiresGrad: true });
  const d = x.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.isLeaf, true);
  assert.equal(isGradEnabled(), true);
  const n = noGrad(() => {
    assert.equal(isGradEnabled(), false);
    const inner = enableGrad(() => {
      assert.equal(isGradEnabled(), true);
      return x.mul(2);
    });
    assert.equal(inner.requiresGrad, true);
    return x.mul(2);
  });
  assert.equal(isGradEnabled(), true, 'restored');
  assert.equal(n.requiresGrad, false);
  assert.throws(() => noGrad(() => { throw new Error('inside'); }), /inside/);
  assert.equal(isGradEnabled(), true, 'restored after a throw');
  assert.throws(() => noGrad((async () => x) as never), /^Error: noGrad: the function returned a Promise/);
  assert.equal(isGradEnabled(), true);
  // x.mul(2) in noGrad and detach: backward from a mix only reaches the attached part
  x.mul(d).sum().backward();
  close(grad(x), [1, 2]);
}));

test('the straight-through trick x + (f(x) - x).detach() has f\'s value and the identity gradient', () => tidy(() => {
  const x = tensor([-1.5, -0.2, 0.3, 2], { requiresGrad: true });
  const f = (t: Tensor): Tensor => t.gt(0).toDtype('float32'); // a step: zero gradient everywhere
  const y = x.add(f(x).sub(x).detach());
  assert.deepEqual(y.toArray(), [0, 0, 1, 1]);
  y.mul(tensor([1, 2, 3, 4])).sum().backward();
  close(grad(x), [1, 2, 3, 4]);
  // the same with round(): value rounded, gradient passes straight through
  const z = tensor([0.4, 1.6], { requiresGrad: true });
  const r = z.add(z.round().sub(z).detach());
  assert.deepEqual(r.toArray(), [0, 2]);
  r.sum().backward();
  close(grad(z), [1, 1]);
}));

test('retainGrad keeps the gradient of a non-leaf', () => tidy(() => {
  const x = tensor([1, 2], { requiresGrad: true });
  const h = x.mul(3);
  const kept = x.mul(3).retainGrad();
  h.square().sum().backward();
  assert.equal(h.grad, null, 'a non-leaf keeps no gradient by default');
  kept.square().sum().backward();
  close(grad(kept), [6, 12]);
  assert.throws(() => tensor([1]).retainGrad(), /^Error: retainGrad\(self=float32\[1\]\): can't retain_grad on Tensor that has requires_grad=False/);
}));

test('backward errors: non-scalar without gradient, nothing to differentiate, wrong gradient', () => tidy(() => {
  const x = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => x.mul(2).backward(), (e: Error) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^backward\(self=float32\[2\], gradient=null/);
    assert.match(e.message, /a gradient is only implied for a tensor with one element; pass one for shape \[2\]/);
    return true;
  });
  assert.throws(() => tensor([1]).backward(), /^Error: backward\(self=float32\[1\].*does not require grad/);
  assert.throws(() => noGrad(() => x.mul(2)).sum().backward(), /does not require grad/);
  assert.throws(() => x.mul(2).backward(tensor([1, 2, 3])), /^Error: backward\(self=float32\[2\], gradient=float32\[3\]/);
  assert.throws(() => x.sum().backward('1' as never), /^Error: backward\(.*argument 'gradient' must be a live Tensor, got string '1'/);
  assert.throws(() => x.sum().backward(1 as never), /argument 'gradient' must be a live Tensor, got number 1/);
  assert.throws(() => x.sum().backward(null, { retain: true } as never), /^Error: backward\(self=float32\[\], gradient=null\): unknown option 'retain'/);
  assert.throws(() => { tensor([1], { dtype: 'int64' }).requiresGrad = true; }, /^Error: setRequiresGrad\(.*floating point/);
  assert.throws(() => { x.mul(2).requiresGrad = false; }, /^Error: setRequiresGrad\(.*leaf variables/);
  assert.throws(() => ones([2], { requiresGrad: true }).add_(1), /^Error: add_\(.*leaf Variable that requires grad/);
}));

test('in-place updates of a leaf under noGrad (as optimizers do) keep it a leaf', () => tidy(() => {
  const w = tensor([1, 2], { requiresGrad: true });
  w.mul(w).sum().backward();
  noGrad(() => w.sub_(w.grad!.mul(0.5)));
  assert.deepEqual(w.toArray(), [0, 0]);
  assert.equal(w.isLeaf, true);
  assert.equal(w.requiresGrad, true);
}));
