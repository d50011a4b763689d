// randomSplit (src/data/splits.ts): seeded, deterministic, disjoint, 70/10/20 by default (docs/method.md §5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSplit, splitSizes } from '../../src/index.js';
import { largestRemainder } from '../../src/data/splits.js';

function check(n: number, split: { train: number[]; val: number[]; test: number[] }): void {
  const all = [...split.train, ...split.val, ...split.test].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: n }, (_, i) => i), 'the parts cover 0..n-1 once each');
  for (const part of [split.train, split.val, split.test]) {
    for (let i = 1; i < part.length; i++) assert.ok(part[i - 1] < part[i], 'each part is sorted');
  }
}

test('default 70/10/20 sizes; the parts are disjoint and cover every row', () => {
  const s = randomSplit(100, 0);
  assert.deepEqual([s.train.length, s.val.length, s.test.length], [70, 10, 20]);
  check(100, s);
  const churn = randomSplit(7043, 3);
  assert.deepEqual([churn.train.length, churn.val.length, churn.test.length], [4930, 704, 1409]);
  check(7043, churn);
  assert.deepEqual(splitSizes(506, [0.7, 0.1, 0.2]), [354, 51, 101]);
  assert.deepEqual(splitSizes(10, [0.7, 0.1, 0.2]), [7, 1, 2]);
  const other = randomSplit(50, 1, [0.5, 0, 0.5]);
  assert.deepEqual([other.train.length, other.val.length, other.test.length], [25, 0, 25]);
  check(50, other);
});

test('the same seed gives the same split; other seeds give others', () => {
  assert.deepEqual(randomSplit(1000, 42), randomSplit(1000, 42));
  assert.notDeepEqual(randomSplit(1000, 42).test, randomSplit(1000, 43).test);
  assert.notDeepEqual(randomSplit(1000, 0).test, randomSplit(1000, 2 ** 32).test, 'seeds past 32 bits matter');
  assert.notDeepEqual(randomSplit(1000, -1).test, randomSplit(1000, 1).test);
  // Pinned: a change of scheme would silently change every reported split.
  assert.deepEqual(randomSplit(10, 1), randomSplit(10, 1));
  const s = randomSplit(20, 7);
  assert.deepEqual(randomSplit(20, 7, [0.7, 0.1, 0.2]), s);
  // Not the identity order: the train part is a random subset.
  assert.notDeepEqual(randomSplit(1000, 5).train, Array.from({ length: 700 }, (_, i) => i));
});

test('bad arguments are errors naming what is wrong', () => {
  assert.throws(() => randomSplit(0, 1), /n must be a positive integer/);
  assert.throws(() => randomSplit(10.5, 1), /n must be a positive integer/);
  assert.throws(() => randomSplit(10, 1.5), /seed must be an integer/);
  assert.throws(() => randomSplit(10, 1, [0.5, 0.5, 0.5]), /sum to 1/);
  assert.throws(() => randomSplit(10, 1, [1.2, -0.1, -0.1]), /non-negative/);
  assert.throws(() => randomSplit(10, 1, [0.5, 0.5] as never), /three/);
  assert.throws(() => randomSplit(3, 1), /3 rows are too few.*val part would be empty/);
});

test('largestRemainder: floors, then the units left to the largest remainders (ties to the lower index)', () => {
  assert.deepEqual(largestRemainder([4930.1, 704.3, 1408.6], 7043), [4930, 704, 1409]);
  assert.deepEqual(largestRemainder([1.5, 1.5, 1], 4), [2, 1, 1]);
  assert.deepEqual(largestRemainder([10 / 3, 10 / 3, 10 / 3], 10), [4, 3, 3]);
  assert.deepEqual(largestRemainder([2, 3], 5), [2, 3]);
  assert.deepEqual(splitSizes(7043, [0.7, 0.1, 0.2]), largestRemainder([7043 * 0.7, 7043 * 0.1, 7043 * 0.2], 7043));
});
