// The image batch loader (src/data/images/loader.ts): shapes, standardization, every image once per
// epoch, dropLast, augmentation, identical batches from the worker and the calling thread, errors from
// the worker, and no worker left running (the process exits).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import { throwsWith } from '../helpers/errors.js';
import { memory } from '../../src/core/runtime.js';
import { augmentImage, evalBatches, ImageLoader, type ImageBatch, type ImageDataset } from '../../src/data/images/index.js';

/** n images 2×3×3 with varied bytes; label i % 3. */
function dataset(n: number, c = 2, h = 3, w = 3): ImageDataset {
  const images = Uint8Array.from({ length: n * c * h * w }, (_, i) => (i * 97 + 13) % 256);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  return { images, labels, channels: c, height: h, width: w, classes: ['a', 'b', 'c'], source: 'synthetic' };
}

const STATS = { mean: [0.4, 0.6], std: [0.25, 0.5] };

interface Plain {
  x: number[];
  shape: readonly number[];
  y: bigint[];
  indices: number[];
}

/** The batch as plain arrays; its tensors are disposed. */
function plain(b: ImageBatch): Plain {
  const out = { x: Array.from(b.x.toTypedArray() as Float32Array), shape: b.x.shape, y: Array.from(b.y.toTypedArray() as BigInt64Array), indices: Array.from(b.indices) };
  assert.equal(b.x.dtype, 'float32');
  assert.equal(b.y.dtype, 'int64');
  b.x.dispose();
  b.y.dispose();
  return out;
}

async function collect(it: AsyncIterable<ImageBatch>): Promise<Plain[]> {
  const out: Plain[] = [];
  for await (const b of it) out.push(plain(b));
  return out;
}

const standardized = (p: number, c: number): number => (p / 255 - STATS.mean[c]) / STATS.std[c];

test('shapes, standardized values and labels; the last batch is smaller unless dropLast', async () => {
  const ds = dataset(10);
  const loader = new ImageLoader(ds, { batchSize: 4, stats: STATS, shuffle: false });
  try {
    assert.equal(loader.batchesPerEpoch, 3);
    const batches = await collect(loader.batches(0));
    assert.deepEqual(batches.map((b) => b.shape), [[4, 2, 3, 3], [4, 2, 3, 3], [2, 2, 3, 3]]);
    assert.deepEqual(batches.flatMap((b) => b.indices), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'in order without shuffle');
    for (const b of batches) {
      assert.deepEqual(b.y, b.indices.map((i) => BigInt(ds.labels[i])));
      b.indices.forEach((i, j) => {
        for (let k = 0; k < 18; k++) {
          const want = standardized(ds.images[i * 18 + k], Math.floor(k / 9));
          assert.ok(Math.abs(b.x[j * 18 + k] - want) < 1e-6, `image ${i} value ${k}: ${b.x[j * 18 + k]} vs ${want}`);
        }
      });
    }
  } finally {
    await loader.close();
  }
  const dropping = new ImageLoader(ds, { batchSize: 4, stats: STATS, dropLast: true });
  try {
    assert.equal(dropping.batchesPerEpoch, 2);
    const batches = await collect(dropping.batches(3));
    assert.deepEqual(batches.map((b) => b.shape[0]), [4, 4]);
    assert.equal(new Set(batches.flatMap((b) => b.indices)).size, 8);
    assert.equal([...dropping.batchesSync(3)].map(plain).length, 2);
  } finally {
    await dropping.close();
  }
});

test('each epoch visits every image exactly once, in an order fixed by (seed, epoch)', async () => {
  const ds = dataset(23);
  const loader = new ImageLoader(ds, { batchSize: 5, stats: STATS, seed: 11 });
  const orders: string[] = [];
  try {
    for (const epoch of [0, 1, 2]) {
      const batches = await collect(loader.batches(epoch));
      assert.deepEqual(batches.map((b) => b.shape[0]), [5, 5, 5, 5, 3]);
      const order = batches.flatMap((b) => b.indices);
      assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 23 }, (_, i) => i), `epoch ${epoch}: every index once`);
      for (const b of batches) assert.deepEqual(b.y, b.indices.map((i) => BigInt(ds.labels[i])));
      orders.push(order.join(','));
    }
  } finally {
    await loader.close();
  }
  assert.equal(new Set(orders).size, 3, 'different epochs, different orders');
  assert.notEqual(orders[0], Array.from({ length: 23 }, (_, i) => i).join(','), 'shuffled');
  const again = new ImageLoader(ds, { batchSize: 5, stats: STATS, seed: 11, prefetch: false });
  const other = new ImageLoader(ds, { batchSize: 5, stats: STATS, seed: 12, prefetch: false });
  assert.equal((await collect(again.batches(1))).flatMap((b) => b.indices).join(','), orders[1], 'a new loader, the same order');
  assert.notEqual((await collect(other.batches(1))).flatMap((b) => b.indices).join(','), orders[1], 'another seed, another order');
  await again.close();
  await other.close();
});

test('prefetched batches equal the synchronous ones, augmentation included; epochs differ', async () => {
  const ds = dataset(30, 2, 4, 4);
  const options = { batchSize: 8, stats: STATS, seed: 5, augment: { cropPadding: 1, horizontalFlip: true } };
  const loader = new ImageLoader(ds, options);
  const noWorker = new ImageLoader(ds, { ...options, prefetch: false });
  try {
    const epochs: Plain[][] = [];
    for (const epoch of [0, 1]) {
      const prefetched = await collect(loader.batches(epoch));
      const sync = [...loader.batchesSync(epoch)].map(plain);
      assert.deepEqual(prefetched, sync, `epoch ${epoch}: worker and calling thread agree`);
      assert.deepEqual(await collect(noWorker.batches(epoch)), sync, `epoch ${epoch}: prefetch false agrees`);
      epochs.push(sync);
    }
    assert.notDeepEqual(epochs[0], epochs[1]);
    // Each image is its own pixels under one crop offset in [-1, 1]² and maybe a flip, then standardized.
    const per = 32;
    let changed = 0;
    for (const b of epochs[0]) {
      b.indices.forEach((i, j) => {
        const got = b.x.slice(j * per, (j + 1) * per);
        const src = ds.images.subarray(i * per, (i + 1) * per);
        const matches = [];
        for (const flip of [false, true]) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const aug = augmentImage(src, 2, 4, 4, { dy, dx, flip });
          if (got.every((v, k) => Math.abs(v - standardized(aug[k], Math.floor(k / 16))) < 1e-6)) matches.push({ dy, dx, flip });
        }
        assert.ok(matches.length > 0, `image ${i} is an augmented copy of itself`);
        if (!matches.some((m) => m.dy === 0 && m.dx === 0 && !m.flip)) changed++;
      });
    }
    assert.ok(changed > 15, `most images are changed by the augmentation (${changed} of 30)`);
  } finally {
    await loader.close();
    await noWorker.close();
  }
});

test('evalBatches: the dataset in order, unaugmented, the last batch smaller', () => {
  const ds = dataset(7);
  const batches = [...evalBatches(ds, 3, STATS)].map(plain);
  assert.deepEqual(batches.map((b) => b.indices), [[0, 1, 2], [3, 4, 5], [6]]);
  const last = batches[2];
  assert.deepEqual(last.shape, [1, 2, 3, 3]);
  for (let k = 0; k < 18; k++) assert.ok(Math.abs(last.x[k] - standardized(ds.images[6 * 18 + k], Math.floor(k / 9))) < 1e-6);
  throwsWith(() => evalBatches(ds, 0, STATS), 'evalBatches', 'batchSize must be a positive integer');
  throwsWith(() => evalBatches(ds, 2, { mean: [0.5], std: [1] }), 'evalBatches', 'stats.mean has 1 values but the images have 2 channels');
});

test('leaving a loop early neither hangs nor leaks; close() is idempotent and ends the loader', async () => {
  const ds = dataset(40);
  const before = memory().liveTensors;
  const loader = new ImageLoader(ds, { batchSize: 4, stats: STATS, augment: { horizontalFlip: true } });
  let seen = 0;
  for await (const b of loader.batches(0)) {
    b.x.dispose();
    b.y.dispose();
    if (++seen === 2) break;
  }
  assert.equal(seen, 2);
  // Batches prepared ahead for the abandoned loop must not leak into the next one.
  const full = await collect(loader.batches(0));
  assert.deepEqual(full, [...loader.batchesSync(0)].map(plain));
  assert.equal(memory().liveTensors, before, 'no tensors left alive');
  await loader.close();
  await loader.close();
  throwsWith(() => loader.batches(1), 'ImageLoader.batches: the loader is closed');
  throwsWith(() => loader.batchesSync(1), 'ImageLoader.batchesSync: the loader is closed');
});

test('a worker that dies makes batches() throw', async () => {
  const loader = new ImageLoader(dataset(60), { batchSize: 2, stats: STATS });
  let seen = 0;
  await assert.rejects(async () => {
    for await (const b of loader.batches(0)) {
      b.x.dispose();
      b.y.dispose();
      if (++seen === 1) void (loader as unknown as { worker: Worker }).worker.terminate(); // dies; nobody waits for it
    }
  }, /ImageLoader: the batch worker stopped/);
  assert.ok(seen < 30, `stopped early (${seen} batches)`);
  await assert.rejects(collect(loader.batches(1)), /the batch worker stopped/);
  await loader.close();
});

test('bad options and epochs are errors naming them', () => {
  const ds = dataset(5);
  throwsWith(() => new ImageLoader(ds, { batchSize: 0, stats: STATS }), 'ImageLoader', 'batchSize must be a positive integer, got 0');
  throwsWith(() => new ImageLoader(ds, { batchSize: 2, stats: { mean: [0, 0], std: [1, 0] } }), 'stats.std[1] must be a finite number > 0, got 0');
  throwsWith(() => new ImageLoader(ds, { batchSize: 2, stats: { mean: [0], std: [1] } }), 'stats.mean has 1 values but the images have 2 channels');
  throwsWith(() => new ImageLoader(ds, { batchSize: 2, stats: STATS, shufle: true } as never), "unknown option 'shufle'");
  throwsWith(() => new ImageLoader(ds, { batchSize: 2, stats: STATS, seed: 1.5 }), 'seed must be an integer');
  throwsWith(() => new ImageLoader(ds, { batchSize: 2, stats: STATS, augment: { cropPadding: 1.5 } }), 'augment.cropPadding must be an integer >= 0');
  throwsWith(() => new ImageLoader(ds, { batchSize: 8, stats: STATS, dropLast: true }), 'with dropLast, 5 images of synthetic make no batch of 8');
  throwsWith(() => new ImageLoader({ ...ds, labels: new Int32Array(4) }, { batchSize: 2, stats: STATS }), 'ImageLoader', '90 pixel bytes for 4 labels');
  const loader = new ImageLoader(ds, { batchSize: 2, stats: STATS, prefetch: false });
  throwsWith(() => loader.batches(-1), 'ImageLoader.batches: epoch must be an integer >= 0, got -1');
  throwsWith(() => loader.batchesSync(0.5), 'ImageLoader.batchesSync: epoch must be an integer >= 0, got 0.5');
});

test('the process exits after close(), and after an abandoned loop without close()', () => {
  const index = new URL('../../src/data/images/index.js', import.meta.url).href;
  const script = `
    import { ImageLoader } from ${JSON.stringify(index)};
    const n = 64;
    const ds = { images: Uint8Array.from({ length: n * 48 }, (_, i) => i % 251), labels: Int32Array.from({ length: n }, (_, i) => i % 4),
      channels: 3, height: 4, width: 4, classes: ['a', 'b', 'c', 'd'], source: 'child' };
    const loader = new ImageLoader(ds, { batchSize: 4, stats: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } });
    let k = 0;
    for await (const b of loader.batches(0)) { b.x.dispose(); b.y.dispose(); if (++k === 3) break; }
    if (process.env.CLOSE === '1') await loader.close();
    console.log('done', k);`;
  for (const close of ['1', '0']) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, CLOSE: close }, encoding: 'utf8', timeout: 15000 });
    assert.equal(r.signal, null, `close=${close}: the process exited by itself (stderr: ${r.stderr})`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'done 3');
  }
});
