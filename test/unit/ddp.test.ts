// Distributed data parallel training on c10d (docs/distributed.md): DistributedSampler's shards are
// disjoint and cover the data; 2 processes with DDP (and with SyncBatchNorm) train to the weights of 1
// process with the same global batch and order (max abs difference <= 1e-5); a SIGKILLed worker stops the
// launch naming its rank, and a relaunch with resume reaches the uninterrupted result; two launchers
// (--nnodes 2 on loopback, TCP store) train together; bad setups give clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DistributedSampler, shardOrder } from '../../src/data/distributed_sampler.js';
import { launchWorkers, WorkerFailure } from '../../src/distributed/launch.js';
import { availableBackends, initProcessGroup } from '../../src/distributed/process_group.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), '../helpers/ddp_worker.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'htaf-ddp-'));
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

interface Out { weights: Record<string, number[]>; history: { trainLoss: number }[] }
const read = (f: string): Out => JSON.parse(readFileSync(f, 'utf8'));

function maxDiff(a: Out, b: Out): number {
  let m = 0;
  assert.deepEqual(Object.keys(a.weights).sort(), Object.keys(b.weights).sort());
  for (const [k, v] of Object.entries(a.weights)) v.forEach((x, i) => (m = Math.max(m, Math.abs(x - b.weights[k][i]))));
  return m;
}

function single(env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    fork(WORKER, [], { env: { ...process.env, ...env }, stdio: 'ignore' }).on('exit', (c, s) => (c === 0 ? resolve() : reject(new Error(`single process: ${c ?? s}`))));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('DistributedSampler: the shards of every epoch are disjoint, cover the data, and batch k of all ranks is batch k of one process', () => {
  for (const [n, w] of [[10, 2], [11, 3], [7, 4]]) {
    const samplers = Array.from({ length: w }, (_, r) => new DistributedSampler(n, { rank: r, worldSize: w, seed: 4 }));
    for (const epoch of [0, 1]) {
      samplers.forEach((s) => s.setEpoch(epoch));
      const shards = samplers.map((s) => Array.from(s.indices()));
      assert.ok(shards.every((s) => s.length === Math.ceil(n / w)));
      assert.deepEqual([...new Set(shards.flat())].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), 'every item is visited');
      const padded = shards.flat().length - n;
      assert.equal(shards.flat().length - new Set(shards.flat()).size, padded, 'only the padding repeats');
    }
    const e0 = samplers[0];
    e0.setEpoch(0);
    const a = Array.from(e0.indices());
    e0.setEpoch(1);
    assert.notDeepEqual(Array.from(e0.indices()), a, 'a new order each epoch');
  }
  const order = Int32Array.from([5, 3, 8, 1, 0, 2, 7, 6]);
  const batch = 2;
  const shards = [0, 1].map((r) => shardOrder(order, r, 2));
  for (let k = 0; k < 2; k++) {
    const global = Array.from(order.slice(k * batch * 2, (k + 1) * batch * 2)).sort();
    const ranks = shards.flatMap((s) => Array.from(s.slice(k * batch, (k + 1) * batch))).sort();
    assert.deepEqual(ranks, global);
  }
  const d = new DistributedSampler(11, { rank: 1, worldSize: 3, dropLast: true, shuffle: false });
  assert.deepEqual(Array.from(d.indices()), [1, 4, 7]);
  assert.throws(() => new DistributedSampler(4, { rank: 2, worldSize: 2 }), /rank must be an integer in 0\.\.1/);
});

for (const model of ['plain', 'bn'] as const) {
  test(`DDP (${model === 'bn' ? 'SyncBatchNorm' : 'no batch norm'}): 2 processes train to the weights of 1 process with the same global batch, after 20 steps`, async () => {
    const dir = tmp();
    try {
      await single({ MODEL: model, BATCH: '16', OUT: join(dir, 'one.json') });
      await launchWorkers(WORKER, [], { nproc: 2, env: { MODEL: model, BATCH: '8', OUT: join(dir, 'two.json') }, stderr: quiet });
      const one = read(join(dir, 'one.json'));
      const two = read(join(dir, 'two.json'));
      assert.ok(one.history[1].trainLoss < one.history[0].trainLoss, 'the model trained');
      const diff = maxDiff(one, two);
      assert.ok(diff <= 1e-5, `max abs difference ${diff}`);
      if (model === 'bn') {
        // Per-rank statistics (the default) train another model: the check above can tell them apart.
        await launchWorkers(WORKER, [], { nproc: 2, env: { MODEL: model, BATCH: '8', SYNC_BN: '0', OUT: join(dir, 'local.json') }, stderr: quiet });
        assert.ok(maxDiff(one, read(join(dir, 'local.json'))) > 1e-4, 'per-rank batch norm differs');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a SIGKILLed worker stops the launch, naming its rank; a relaunch with resume reaches the uninterrupted result', async () => {
  const dir = tmp();
  try {
    const env = { MODEL: 'plain', BATCH: '8', EPOCHS: '3' };
    await launchWorkers(WORKER, [], { nproc: 2, env: { ...env, OUT: join(dir, 'whole.json'), RUN_DIR: join(dir, 'whole') }, stderr: quiet });
    const t0 = Date.now();
    const failed = await launchWorkers(WORKER, [], {
      nproc: 2, timeoutMs: 20_000, stderr: quiet,
      env: { ...env, OUT: join(dir, 'cut.json'), RUN_DIR: join(dir, 'cut'), DIE_AT_BATCH: '4', DIE_EPOCH: '2', DIE_RANK: '1' },
    }).then(() => null, (e: unknown) => e);
    assert.ok(failed instanceof WorkerFailure, `the launch failed: ${String(failed)}`);
    assert.equal(failed.rank, 1);
    assert.equal(failed.signal, 'SIGKILL');
    assert.match(failed.message, /worker rank 1 .*was killed by SIGKILL/);
    assert.match(failed.message, /dying at batch 4/, 'its last words');
    assert.ok(Date.now() - t0 < 20_000, 'the other worker stopped within the timeout');
    await launchWorkers(WORKER, [], { nproc: 2, env: { ...env, OUT: join(dir, 'cut.json'), RUN_DIR: join(dir, 'cut'), RESUME: '1' }, stderr: quiet });
    const diff = maxDiff(read(join(dir, 'whole.json')), read(join(dir, 'cut.json')));
    assert.ok(diff <= 1e-6, `resumed against uninterrupted: ${diff}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two launchers (--nnodes 2 on loopback, TCP store) train together, as one process does', async () => {
  const dir = tmp();
  try {
    const port = await freePort();
    const common = { nproc: 1, nnodes: 2, masterAddr: '127.0.0.1', masterPort: port, timeoutMs: 30_000, stderr: quiet };
    await Promise.all([
      launchWorkers(WORKER, [], { ...common, nodeRank: 0, env: { MODEL: 'plain', BATCH: '8', OUT: join(dir, 'two.json') } }),
      launchWorkers(WORKER, [], { ...common, nodeRank: 1, env: { MODEL: 'plain', BATCH: '8', OUT: join(dir, 'unused.json') } }),
    ]);
    await single({ MODEL: 'plain', BATCH: '16', OUT: join(dir, 'one.json') });
    const diff = maxDiff(read(join(dir, 'one.json')), read(join(dir, 'two.json')));
    assert.ok(diff <= 1e-5, `max abs difference ${diff}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('initProcessGroup: bad options, an unreachable master, a port in use and NCCL without NCCL give clear errors', async () => {
  assert.throws(() => initProcessGroup({ rank: 2, worldSize: 2, store: 'file:///tmp/x' }), /rank must be an integer in 0\.\.1; got 2/);
  assert.throws(() => initProcessGroup({ rank: 0, worldSize: 1, store: 'udp://x:1' }), /store must be 'tcp:\/\/HOST:PORT' or 'file:\/\/PATH'/);
  assert.throws(() => initProcessGroup({ rank: 0, worldSize: 1, store: 'file:///tmp/x', backen: 'gloo' } as never), /unknown option 'backen'/);
  if (!availableBackends().includes('nccl')) {
    assert.throws(() => initProcessGroup({ backend: 'nccl', rank: 0, worldSize: 1, store: 'file:///tmp/htaf-nccl-store' }), /built against a libtorch without NCCL/);
  }
  const port = await freePort();
  assert.throws(() => initProcessGroup({ rank: 1, worldSize: 2, store: `tcp://127.0.0.1:${port}`, timeoutMs: 1500 }), /rank 1 of 2.*cannot reach the store at 127\.0\.0\.1/s);
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, () => r()));
  try {
    const taken = (busy.address() as { port: number }).port;
    assert.throws(() => initProcessGroup({ rank: 0, worldSize: 2, store: `tcp://127.0.0.1:${taken}`, timeoutMs: 1500 }), /cannot serve the store on port/);
  } finally {
    busy.close();
  }
});

test('a world size mismatch is an error naming both sizes', async () => {
  const dir = tmp();
  try {
    const store = `file://${join(dir, 'store')}`;
    const run = (rank: number, worldSize: number) => new Promise<string>((resolve) => {
      const code = `import('${join(dirname(WORKER), '../../src/distributed/process_group.js')}').then((m) => { try { m.initProcessGroup({ rank: ${rank}, worldSize: ${worldSize}, store: '${store}', timeoutMs: 4000 }); console.log('ok'); } catch (e) { console.log(e.message); } })`;
      let out = '';
      const c = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
      c.stdout!.on('data', (d) => (out += d));
      c.on('exit', () => resolve(out));
    });
    const [a, b] = await Promise.all([run(0, 2), run(1, 3)]);
    assert.match(b, /world size mismatch: rank 1 was started with 3 processes, rank 0 with 2/);
    assert.match(a, /rank 1 of 2|did not join|mismatch/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
