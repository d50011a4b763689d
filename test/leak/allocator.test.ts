// Tensor memory goes back for reuse at once: creating and disposing tensors in a long synchronous loop
// must not grow the process (glibc's heap fragments around aligned blocks in a Node process, and N-API
// finalizers only run between event-loop turns; see native/src/cpu_allocator.h and tensor_box.h).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyCache, memory, randn, tidy, zeros } from '../../src/index.js';

const rssMb = () => process.memoryUsage.rss() / 2 ** 20;

test('20,000 create/dispose cycles of 256 KB tensors keep RSS flat', () => {
  for (let i = 0; i < 1000; i++) zeros([256, 256]).dispose();
  const start = rssMb();
  for (let i = 0; i < 20000; i++) {
    const a = zeros([256, 256]);
    const b = a.tanh();
    a.dispose();
    b.sigmoid().dispose();
    b.dispose();
  }
  const growth = rssMb() - start;
  assert.ok(growth < 40, `RSS grew by ${growth.toFixed(1)} MB`);
});

test('a synchronous autograd loop leaves no tensor and no memory behind', () => {
  const x = randn([256, 256], { requiresGrad: true }).keep();
  const live = memory().liveTensors;
  for (let i = 0; i < 1000; i++) tidy(() => x.mul(2).tanh().sum().backward());
  const start = rssMb();
  for (let i = 0; i < 10000; i++) {
    tidy(() => {
      const y = x.mul(2).tanh().mul(11).sigmoid();
      y.backward(y.onesLike());
    });
    x.zeroGrad();
  }
  assert.equal(memory().liveTensors, live);
  const growth = rssMb() - start;
  assert.ok(growth < 40, `RSS grew by ${growth.toFixed(1)} MB`);
  x.dispose();
});

test('freed blocks are cached for reuse and emptyCache() returns them', () => {
  const t = zeros([512, 512]); // 1 MB
  const before = memory();
  assert.ok(before.cpuAllocatedBytes >= 1 << 20);
  t.dispose();
  const after = memory();
  assert.ok(after.cpuCachedBytes >= 1 << 20, `cached ${after.cpuCachedBytes} bytes`);
  emptyCache();
  assert.equal(memory().cpuCachedBytes, 0);
});
