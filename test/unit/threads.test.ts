// setNumThreads reaches every pool: libtorch's intra-op threads and, where OpenBLAS is the BLAS (Debian's
// libtorch), OpenBLAS's own pool, which at::set_num_threads alone leaves as wide as the machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getBlasThreads, getNumThreads, setNumThreads } from '../../src/index.js';

test('setNumThreads sets OpenBLAS\'s pool too', () => {
  const before = getNumThreads();
  const openblas = /openblas/.test(readFileSync('/proc/self/maps', 'utf8'));
  try {
    setNumThreads(1);
    assert.equal(getNumThreads(), 1);
    if (openblas) assert.equal(getBlasThreads(), 1);
    else assert.equal(getBlasThreads(), -1, 'no OpenBLAS: -1');
    setNumThreads(2);
    if (openblas) assert.equal(getBlasThreads(), 2);
  } finally {
    setNumThreads(before);
  }
});
