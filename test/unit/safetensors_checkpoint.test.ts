// Checkpoints (src/io/checkpoint.ts): model state dict + optimizer state + meta in one safetensors file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Tensor, tensor, randn, zeros, tidy, memory,
  saveCheckpoint, loadCheckpoint, saveSafetensors, loadSafetensors,
} from '../../src/index.js';
import { assertTensorEqual } from '../helpers/compare.js';

const work = mkdtempSync(join(tmpdir(), 'htaf-checkpoint-'));
after(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const tmpPath = (name = 'ckpt') => join(work, `${counter++}-${name}.safetensors`);

test('round trip: model state dict, optimizer tree with Maps and tensors, meta', () => {
  tidy(() => {
    const w = randn([4, 3]);
    const b = zeros([4]);
    const steps = tensor(7, { dtype: 'int64' });
    const model = new Map<string, Tensor>([['fc.weight', w], ['fc.bias', b], ['bn.num_batches_tracked', steps]]);
    const expAvg = randn([4, 3]);
    const optimizer = {
      state: new Map<number, unknown>([[0, { step: 3, expAvg, expAvgSq: expAvg.square() }], [1, { step: 3, expAvg: zeros([4]), expAvgSq: zeros([4]) }]]),
      paramGroups: [{ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, params: [0, 1] }],
    };
    const meta = {
      epoch: 12, best: Infinity, worst: -Infinity, undefinedSkipped: undefined, missing: NaN, big: 2n ** 70n,
      $dollar: { $tensor: 'not a reference' }, __proto__key: 1, nested: [null, 'x', true, undefined],
      config: { activation: 'htaf', alpha: 2, beta: 11 }, date: new Date(0),
    } as Record<string, unknown>;
    Object.defineProperty(meta, '__proto__', { value: { odd: 1 }, enumerable: true }); // an own key named __proto__

    const p = tmpPath();
    saveCheckpoint(p, { model, optimizer, meta });
    assert.deepEqual(readdirSync(work).filter((f) => f.includes('.tmp-')), []);

    const back = loadCheckpoint<typeof optimizer, Record<string, unknown>>(p);
    assert.deepEqual([...back.model.keys()], ['fc.weight', 'fc.bias', 'bn.num_batches_tracked']);
    for (const [k, t] of model) assertTensorEqual(back.model.get(k)!, t, k);

    const st = back.optimizer!.state;
    assert.ok(st instanceof Map);
    assert.deepEqual([...st.keys()], [0, 1]);
    const s0 = st.get(0) as { step: number; expAvg: Tensor; expAvgSq: Tensor };
    assert.equal(s0.step, 3);
    assertTensorEqual(s0.expAvg, expAvg, 'expAvg');
    assertTensorEqual(s0.expAvgSq, expAvg.square(), 'expAvgSq');
    assert.deepEqual(back.optimizer!.paramGroups, optimizer.paramGroups);

    const m = back.meta!;
    assert.equal(m.epoch, 12);
    assert.equal(m.best, Infinity);
    assert.equal(m.worst, -Infinity);
    assert.ok(Number.isNaN(m.missing));
    assert.equal(m.big, 2n ** 70n);
    assert.ok(!('undefinedSkipped' in m));
    assert.deepEqual(m.$dollar, { $tensor: 'not a reference' });
    assert.deepEqual(m.nested, [null, 'x', true, null]);
    assert.deepEqual(m.config, { activation: 'htaf', alpha: 2, beta: 11 });
    assert.equal(m.date, '1970-01-01T00:00:00.000Z');
    assert.equal(Object.getPrototypeOf(m), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(m, '__proto__')?.value, { odd: 1 });
  });
});

test('the file is plain safetensors: model.* and optim.* tensors, JSON in __metadata__', () => {
  tidy(() => {
    const p = tmpPath();
    const w = tensor([[1, 2]]);
    saveCheckpoint(p, { model: { 'layer.weight': w }, optimizer: { state: { 0: { momentum: tensor([3, 4]) } }, lr: 0.1 }, meta: { epoch: 1 } });
    const { tensors, metadata } = loadSafetensors(p);
    assert.deepEqual([...tensors.keys()], ['model.layer.weight', 'optim.state.0.momentum']);
    assert.equal(metadata.format, 'htaf-checkpoint');
    assert.equal(metadata.format_version, '1');
    assert.deepEqual(JSON.parse(metadata.optimizer), { state: { 0: { momentum: { $tensor: 'optim.state.0.momentum' } } }, lr: 0.1 });
    assert.deepEqual(JSON.parse(metadata.meta), { epoch: 1 });
  });
});

test('a tensor referenced twice is stored once and comes back as one tensor', () => {
  tidy(() => {
    const p = tmpPath();
    const w = tensor([1, 2, 3]);
    const shared = tensor([5]);
    saveCheckpoint(p, { model: { w }, optimizer: { params: [w], a: shared, b: { again: shared } } });
    const { tensors } = loadSafetensors(p);
    assert.deepEqual([...tensors.keys()], ['model.w', 'optim.a']);
    const back = loadCheckpoint<{ params: Tensor[]; a: Tensor; b: { again: Tensor } }>(p);
    assert.equal(back.optimizer!.params[0], back.model.get('w'));
    assert.equal(back.optimizer!.b.again, back.optimizer!.a);
  });
});

test('colliding tensor paths get distinct names', () => {
  tidy(() => {
    const p = tmpPath();
    saveCheckpoint(p, { optimizer: { a: { 'b.c': tensor([1]) }, 'a.b': { c: tensor([2]) } } });
    const back = loadCheckpoint<{ a: { 'b.c': Tensor }; 'a.b': { c: Tensor } }>(p);
    assert.deepEqual(back.optimizer!.a['b.c'].toFlatArray(), [1]);
    assert.deepEqual(back.optimizer!['a.b'].c.toFlatArray(), [2]);
  });
});

test('only some parts, or none', () => {
  tidy(() => {
    const p = tmpPath();
    saveCheckpoint(p, { meta: { note: 'no weights' } });
    const back = loadCheckpoint(p);
    assert.equal(back.model.size, 0);
    assert.equal(back.optimizer, undefined);
    assert.deepEqual(back.meta, { note: 'no weights' });
    saveCheckpoint(p, {});
    assert.deepEqual(loadCheckpoint(p).meta, undefined);
  });
});

test('loaded tensors belong to the current scope; a failed load frees what it read', () => {
  const before = memory().liveTensors;
  const p = tmpPath();
  tidy(() => saveCheckpoint(p, { model: { w: randn([3]) }, optimizer: { m: randn([3]) } }));
  tidy(() => { loadCheckpoint(p); });
  assert.equal(memory().liveTensors, before);
  // A checkpoint whose optimizer JSON references a tensor it lacks.
  const q = tmpPath('dangling');
  tidy(() => saveSafetensors(q, { 'model.w': tensor([1]) }, { format: 'htaf-checkpoint', format_version: '1', optimizer: '{"m":{"$tensor":"optim.m"}}' }));
  assert.throws(() => loadCheckpoint(q), (err: Error) => err.message.includes(q) && /'optim\.m'/.test(err.message));
  assert.equal(memory().liveTensors, before);
});

test('a foreign safetensors file, a truncated checkpoint and a missing file give errors naming the file', () => {
  tidy(() => {
    const foreign = tmpPath('foreign');
    saveSafetensors(foreign, { 'fc.weight': tensor([1]) });
    assert.throws(() => loadCheckpoint(foreign), (err: Error) => err.message.includes(foreign) && /not an htaf checkpoint/.test(err.message));

    const p = tmpPath('full');
    saveCheckpoint(p, { model: { w: randn([64]) }, meta: { epoch: 1 } });
    const bytes = readFileSync(p);
    const cut = tmpPath('cut');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    assert.throws(() => loadCheckpoint(cut), (err: Error) => err.message.includes(cut) && /truncated/.test(err.message));
    const cutHeader = tmpPath('cut-header');
    writeFileSync(cutHeader, bytes.subarray(0, 40));
    assert.throws(() => loadCheckpoint(cutHeader), (err: Error) => err.message.includes(cutHeader));

    const missing = join(work, 'missing.safetensors');
    assert.throws(() => loadCheckpoint(missing), (err: Error) => err.message.includes(missing) && /no such file/.test(err.message));

    const stray = tmpPath('stray');
    saveSafetensors(stray, { 'model.w': tensor([1]), other: tensor([2]) }, { format: 'htaf-checkpoint', format_version: '1' });
    assert.throws(() => loadCheckpoint(stray), (err: Error) => err.message.includes(stray) && /'other'/.test(err.message));

    const future = tmpPath('future');
    saveSafetensors(future, {}, { format: 'htaf-checkpoint', format_version: '9' });
    assert.throws(() => loadCheckpoint(future), /version "9" is not supported/);
  });
});

test('values a checkpoint cannot store are rejected with their path, and nothing is written', () => {
  tidy(() => {
    const p = tmpPath('rejected');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    class Thing { x = 1; }
    assert.throws(() => saveCheckpoint(p, { meta: { f: () => 1 } }), /rejected.*meta\.f is a function/);
    assert.throws(() => saveCheckpoint(p, { meta: cyclic }), /meta\.self refers back to itself/);
    assert.throws(() => saveCheckpoint(p, { optimizer: { t: new Thing() } }), /optimizer\.t is a Thing/);
    assert.throws(() => saveCheckpoint(p, { model: { w: 3 as unknown as Tensor } }), /model entry 'w' is not a Tensor/);
    assert.throws(() => saveCheckpoint(p, { weights: {} } as never), /unknown part 'weights'/);
    assert.deepEqual(readdirSync(work).filter((f) => f.includes('rejected')), []);
  });
});
