// Scopes free native memory synchronously (docs/design.md rule 4): tidy frees what it does not return, returned
// tensors move to the enclosing scope, keep() exempts, scopes end in order, a throw still frees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentScope, memory, ones, Scope, scopeDepth, Tensor, tensor, tidy, zeros } from '../../src/index.js';

const live = (): number => memory().liveTensors;

test('tidy frees every intermediate: liveTensors returns to its baseline', () => {
  const before = live();
  const r = tidy(() => {
    const a = ones([3, 3]);
    const b = a.mul(2).add(1).exp().sum();
    assert.ok(live() >= before + 5);
    return b.item();
  });
  assert.equal(typeof r, 'number');
  assert.equal(live(), before);
});

test('a returned tensor survives; so do tensors nested in arrays, objects and Maps', () => {
  const before = live();
  const t = tidy(() => ones([2]).mul(3));
  assert.equal(t.isDisposed, false);
  assert.deepEqual(t.toArray(), [3, 3]);
  assert.equal(live(), before + 1);

  const nested = tidy(() => {
    zeros([5]); // garbage
    return { a: ones([1]), list: [zeros([2]), { deep: [tensor([7])] }], m: new Map([['k', ones([3])]]), n: 4 };
  });
  assert.equal(live(), before + 5);
  assert.deepEqual(nested.list[1] && (nested.list[1] as { deep: Tensor[] }).deep[0].toArray(), [7]);
  assert.equal(nested.m.get('k')!.isDisposed, false);
  for (const x of [t, nested.a, nested.list[0] as Tensor, (nested.list[1] as { deep: Tensor[] }).deep[0], nested.m.get('k')!]) x.dispose();
  assert.equal(live(), before);
});

test('returned tensors move to the enclosing scope and are freed when it ends', () => {
  const before = live();
  let inner: Tensor | undefined;
  tidy(() => {
    inner = tidy(() => ones([2]).add(1));
    assert.equal(inner.isDisposed, false, 'alive in the outer scope');
    assert.equal(scopeDepth() >= 1, true);
  });
  assert.equal(inner!.isDisposed, true, 'the outer scope freed it');
  assert.equal(live(), before);
});

test('keep() exempts a tensor from every scope', () => {
  const before = live();
  let kept: Tensor | undefined;
  tidy(() => {
    kept = ones([4]).keep();
    zeros([4]);
    tidy(() => assert.equal(kept!.isKept, true));
  });
  assert.equal(kept!.isDisposed, false, 'not returned, but kept');
  const k2 = tidy(() => tidy(() => ones([1]).keep()));
  tidy(() => undefined);
  assert.equal(k2.isDisposed, false);
  assert.equal(live(), before + 2);
  kept!.dispose();
  k2.dispose();
  assert.equal(live(), before);
});

test('nested scopes: each frees its own; explicit Scope and using', () => {
  const before = live();
  const outer = new Scope();
  const a = ones([1]);
  const inner = new Scope();
  const b = ones([1]);
  const c = ones([1]);
  assert.equal(currentScope(), inner);
  inner.end(c);
  assert.equal(b.isDisposed, true);
  assert.equal(c.isDisposed, false, 'returned from inner: now owned by outer');
  assert.equal(a.isDisposed, false);
  outer.end();
  assert.equal(a.isDisposed, true);
  assert.equal(c.isDisposed, true);
  assert.equal(live(), before);
  inner.end(); // ending twice is harmless
  {
    using s = new Scope();
    ones([2]);
    assert.equal(currentScope(), s);
  }
  assert.equal(live(), before);
});

test('ending scopes out of order throws, and the right order still works afterwards', () => {
  const before = live();
  const depth = scopeDepth();
  const outer = new Scope();
  const inner = new Scope();
  ones([1]);
  assert.throws(() => outer.end(), /^Error: htaf scope: scopes must end in the reverse order/);
  assert.equal(scopeDepth(), depth + 2);
  inner.end();
  outer.end();
  assert.equal(scopeDepth(), depth);
  assert.equal(live(), before);
});

test('a throw inside tidy still frees, and the original error comes through', () => {
  const before = live();
  const depth = scopeDepth();
  assert.throws(() => tidy(() => {
    ones([10]);
    ones([2]).add(ones([3])); // a native error
  }), /^Error: add\(self=float32\[2\], other=float32\[3\]/);
  assert.equal(live(), before);
  assert.throws(() => tidy(() => {
    ones([1]);
    throw new RangeError('mine');
  }), RangeError);
  assert.equal(live(), before);
  // a Scope opened inside and skipped by the throw is ended too; the stack is as before
  assert.throws(() => tidy(() => {
    new Scope();
    ones([1]);
    throw new Error('after opening a scope');
  }), /^Error: after opening a scope$/);
  assert.equal(scopeDepth(), depth);
  assert.equal(live(), before);
  // returning with a scope still open is an error that frees everything
  assert.throws(() => tidy(() => {
    new Scope();
    return ones([1]);
  }), /^Error: tidy: the function returned with a scope it opened still open/);
  assert.equal(scopeDepth(), depth);
  assert.equal(live(), before);
});

test('tidy with an async function throws and frees; tidy needs a function', async () => {
  const before = live();
  const depth = scopeDepth();
  let started: Promise<unknown> | undefined;
  assert.throws(() => tidy((() => {
    ones([1]);
    started = Promise.resolve(1);
    return started;
  }) as never), /^Error: tidy: the function returned a Promise; a scope cannot span an await/);
  assert.throws(() => tidy((async () => 1) as never), /returned a Promise/);
  await started;
  assert.equal(scopeDepth(), depth);
  assert.equal(live(), before);
  assert.throws(() => tidy(undefined as never), /^Error: tidy: expected a function, got undefined/);
  assert.equal(live(), before);
});

test('a tensor disposed by hand inside tidy, or returned twice, is handled once', () => {
  const before = live();
  const r = tidy(() => {
    const a = ones([1]);
    a.dispose();
    const b = ones([1]);
    return [b, b, { again: b }];
  });
  assert.equal(r[0], r[1]);
  assert.equal((r[0] as Tensor).isDisposed, false);
  (r[0] as Tensor).dispose();
  assert.equal(live(), before);
});

test('a Tensor on a bad handle: rejected when not an object; if its dispose throws, the scope still frees the rest', () => {
  assert.throws(() => new Tensor('junk' as never), /^Error: Tensor: expected a native handle/);
  const before = live();
  const depth = scopeDepth();
  assert.throws(() => tidy(() => {
    ones([2]);
    new Tensor({} as never);
    ones([3]);
  }), /^Error: dispose\(tensor=object\): argument 'tensor' must be a Tensor handle/);
  assert.equal(scopeDepth(), depth);
  assert.equal(live(), before);
});

test('peak tensors are counted', async () => {
  const { resetPeakTensors } = await import('../../src/index.js');
  resetPeakTensors();
  const base = memory().peakTensors;
  tidy(() => {
    for (let i = 0; i < 10; i++) ones([1]);
  });
  assert.equal(memory().peakTensors, base + 10);
});
