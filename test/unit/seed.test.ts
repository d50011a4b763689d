// manualSeed makes every random op repeat bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropout, manualSeed, ones, rand, randint, randn, randperm, tidy, zeros } from '../../src/index.js';

/** The raw bytes of every tensor a draw makes, so equality is bit for bit (NaN-safe, -0-safe). */
function draw(seed: number): Uint8Array[] {
  return tidy(() => {
    manualSeed(seed);
    const ts = [
      randn([257]),
      randn([3, 5], { dtype: 'float64' }),
      rand([100]),
      randint(-1000, 1000, [64]),
      randint(0, 7, [10], { dtype: 'int32' }),
      randperm(50),
      dropout(ones([200]), 0.3),
      dropout(ones([2, 50], { dtype: 'float64' }), 0.5),
      ones([4, 4]).randnLike(),
      ones([4]).randLike(),
      zeros([20]).normal_(1, 2),
      zeros([20]).uniform_(-3, 3),
    ];
    return ts.map((t) => new Uint8Array((t.toTypedArray() as Float32Array).slice().buffer));
  });
}

test('manualSeed makes randn/rand/randint/randperm/dropout/normal_/uniform_ repeat bit for bit', () => {
  const a = draw(1234);
  const b = draw(1234);
  assert.equal(a.length, b.length);
  a.forEach((bytes, i) => assert.deepEqual(bytes, b[i], `draw ${i} repeats`));
  const c = draw(1235);
  const differ = a.filter((bytes, i) => !Buffer.from(bytes).equals(Buffer.from(c[i]))).length;
  assert.ok(differ >= a.length - 1, `another seed changes the draws (${differ} of ${a.length} differ)`);
});

test('a seed replays the same sequence of draws, not just the first', () => {
  const seq = (): number[] => tidy(() => {
    manualSeed(7);
    return [randn([1]).item(), randn([1]).item(), rand([1]).item()] as number[];
  });
  const first = seq();
  assert.deepEqual(seq(), first);
  assert.notEqual(first[0], first[1]);
});

test('dropout drops about p and scales the rest by 1/(1-p); training=false is the identity', () => tidy(() => {
  manualSeed(0);
  const y = dropout(ones([10000]), 0.25).toFlatArray();
  const kept = y.filter((v) => v !== 0);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6));
  assert.ok(Math.abs(kept.length / y.length - 0.75) < 0.02, `kept ${kept.length}`);
  assert.deepEqual(dropout(ones([5]), 0.9, false).toArray(), [1, 1, 1, 1, 1]);
}));

test('manualSeed rejects non-integers', () => {
  assert.throws(() => manualSeed(1.5), /^Error: manualSeed\(seed=1.5\): argument 'seed' must be an integer/);
  assert.throws(() => manualSeed(NaN), /^Error: manualSeed\(seed=nan\)/);
  assert.throws(() => manualSeed('1' as never), /^Error: manualSeed\(seed='1'\)/);
});
