// safetensors reading/writing: the committed fixtures written by tools/golden/safetensors_io.py, a
// byte-for-byte comparison with that writer, round trips of every dtype, atomic writes, and one test per
// kind of broken file (each error must name the file and, where it applies, the tensor).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Tensor, tensor, fromTypedArray, arange, zeros, tidy, memory,
  saveSafetensors, loadSafetensors, readSafetensorsHeader,
} from '../../src/index.js';
import { assertTensorEqual } from '../helpers/compare.js';

function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', 'golden', 'fixtures');
    if (existsSync(join(candidate, 'safetensors_io_small.safetensors'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find test/golden/fixtures above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}
const FIXTURES = fixturesDir();
const SMALL = join(FIXTURES, 'safetensors_io_small.safetensors');

const work = mkdtempSync(join(tmpdir(), 'htaf-safetensors-'));
after(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const tmpPath = (name = 'f') => join(work, `${counter++}-${name}.safetensors`);

/** The tensors of tools/golden/make_safetensors_io_fixture.py, rebuilt from the same closed forms, in the same order. */
function smallTensors(): Map<string, Tensor> {
  return new Map<string, Tensor>([
    ['f32', arange(0, 6).mul(0.5).sub(1.25).reshape([2, 3])],
    ['f64', tensor([1 / 3, -2.5e-300, 1e300, 0], { dtype: 'float64' })],
    ['i64', fromTypedArray(BigInt64Array.from([1n, -2n, 3n, -(2n ** 40n)]), [2, 2])],
    ['i32', fromTypedArray(Int32Array.from([7, -8, 2 ** 31 - 1]))],
    ['u8', fromTypedArray(Uint8Array.from([0, 255, 3]))],
    ['mask', tensor([true, false, true, true])],
    ['10', tensor([10, 20])],
    ['scalar', tensor(3.5)],
    ['empty', zeros([0, 3])],
    ['t\u00e9/\u03b1.weight', tensor([[1.5], [-1.5]])],
    ['transposed', arange(0, 6).reshape([2, 3]).t()],
  ]);
}
const SMALL_METADATA = { format: 'pt', note: 'caf\u00e9 "quoted" \\ tab\t end', json: '{"a": [1, 2]}' };

test('reads the fixture written by safetensors_io.py: names in file order, dtypes, shapes, values, metadata', () => {
  tidy(() => {
    const { tensors, metadata } = loadSafetensors(SMALL);
    const want = smallTensors();
    assert.deepEqual([...tensors.keys()], [...want.keys()]);
    for (const [name, w] of want) assertTensorEqual(tensors.get(name)!, w.contiguous(), name);
    assert.deepEqual(tensors.get('transposed')!.toFlatArray(), [0, 3, 1, 4, 2, 5]);
    assert.deepEqual(metadata, SMALL_METADATA);
  });
});

test('writes the same bytes as safetensors_io.py for the same tensors and metadata', () => {
  tidy(() => {
    const p = tmpPath('small');
    saveSafetensors(p, smallTensors(), SMALL_METADATA);
    assert.deepEqual(readFileSync(p), readFileSync(SMALL));
    // and loading then saving a file reproduces it too
    const q = tmpPath('resaved');
    const { tensors, metadata } = loadSafetensors(SMALL);
    saveSafetensors(q, tensors, metadata);
    assert.deepEqual(readFileSync(q), readFileSync(SMALL));
  });
});

test('header: length field, JSON padded with spaces to a multiple of 8, metadata last and only when given', () => {
  tidy(() => {
    const p = tmpPath();
    saveSafetensors(p, { a: tensor([1, 2, 3]) });
    const bytes = readFileSync(p);
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    const text = bytes.subarray(8, 8 + n).toString('utf8');
    assert.equal(text.trimEnd(), '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}');
    assert.match(text, /^[^ ]* *$/);
    assert.equal(bytes.length, 8 + n + 12);
    saveSafetensors(p, { a: tensor([1]) }, {});
    assert.ok(!readFileSync(p).toString('latin1').includes('__metadata__'), 'empty metadata is not written');
  });
});

test('round trip of every dtype, 0-d, empty, non-contiguous and grad-requiring tensors', () => {
  tidy(() => {
    const base = tensor([[-2.5, 0, 1], [3.25, -0.125, 7]]);
    const src = new Map<string, Tensor>([
      ['float32', base],
      ['float64', base.toDtype('float64')],
      ['float16', base.toDtype('float16')],
      ['bfloat16', base.toDtype('bfloat16')],
      ['int64', base.toDtype('int64')],
      ['int32', base.toDtype('int32')],
      ['int16', base.toDtype('int16')],
      ['int8', base.toDtype('int8')],
      ['uint8', base.abs().toDtype('uint8')],
      ['bool', base.gt(0)],
      ['zero_d', tensor(42, { dtype: 'int64' })],
      ['empty', zeros([2, 0, 4], { dtype: 'float64' })],
      ['permuted', arange(0, 24).reshape([2, 3, 4]).permute([2, 0, 1])],
      ['param', tensor([1, 2], { requiresGrad: true })],
    ]);
    const p = tmpPath('dtypes');
    saveSafetensors(p, src, { k: 'v' });
    const header = readSafetensorsHeader(p);
    assert.deepEqual(header.entries.map((e) => e.fileDtype), ['F32', 'F64', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'I64', 'F64', 'F32', 'F32']);
    assert.deepEqual(header.metadata, { k: 'v' });
    const { tensors } = loadSafetensors(p);
    assert.deepEqual([...tensors.keys()], [...src.keys()]);
    for (const [name, t] of src) {
      const got = tensors.get(name)!;
      assert.equal(got.dtype, t.dtype, name);
      assert.deepEqual(got.shape, t.shape, name);
      assert.equal(got.requiresGrad, false, name);
      if (t.dtype === 'float16' || t.dtype === 'bfloat16') assert.ok(got.equal(t), name);
      else assertTensorEqual(got, t.detach().contiguous(), name);
    }
  });
});

test('loaded tensors belong to the current scope', () => {
  const before = memory().liveTensors;
  tidy(() => {
    loadSafetensors(SMALL);
  });
  assert.equal(memory().liveTensors, before);
  const kept = tidy(() => loadSafetensors(SMALL).tensors);
  assert.equal(kept.get('f32')!.isDisposed, false);
  for (const t of kept.values()) t.dispose();
  assert.equal(memory().liveTensors, before);
});

test('reads the golden model fixtures (headers and tensors)', () => {
  tidy(() => {
    const h = readSafetensorsHeader(join(FIXTURES, 'cnn_adam.safetensors'));
    const names = h.entries.map((e) => e.name);
    for (const n of ['x', 'y', 'out', 'loss', 'init.0.weight', 'after.9.bias']) assert.ok(names.includes(n), n);
    assert.ok(!names.includes('grad.7.weight'));
    assert.deepEqual(JSON.parse(h.metadata.grads_omitted), ['7.weight']);
    assert.equal(h.entries.find((e) => e.name === 'y')!.dtype, 'int64');
    const { tensors } = loadSafetensors(join(FIXTURES, 'mlp_adam.safetensors'));
    assert.deepEqual(tensors.get('init.0.weight')!.shape, [256, 45]);
    assert.deepEqual(tensors.get('loss')!.shape, []);
    assert.ok(loadSafetensors(join(FIXTURES, 'ops.safetensors')).tensors.size > 400);
  });
});

test('writes atomically: no temporary file is left, and a failed save keeps the old file', () => {
  tidy(() => {
    const dir = join(work, 'atomic');
    mkdirSync(dir);
    const p = join(dir, 'model.safetensors');
    saveSafetensors(p, { a: tensor([1, 2]) });
    saveSafetensors(p, { a: tensor([3, 4]) });
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
    const good = readFileSync(p);

    // A tensor that passes the checks but fails while its bytes are written.
    const broken = tensor([5, 6]);
    assert.deepEqual([broken.dtype, broken.shape], ['float32', [2]]); // cached, so only the data read fails
    broken.dispose();
    Object.defineProperty(broken, 'isDisposed', { get: () => false });
    assert.throws(() => saveSafetensors(p, { a: tensor([7]), b: broken }), (err: Error) => {
      assert.match(err.message, /model\.safetensors/);
      assert.match(err.message, /'b'/);
      return true;
    });
    assert.deepEqual(readdirSync(dir), ['model.safetensors'], 'the temporary file is removed');
    assert.deepEqual(readFileSync(p), good, 'the old file is intact');

    // The rename fails (the target is a non-empty directory): the temporary file is removed too.
    const target = join(dir, 'sub');
    mkdirSync(target);
    writeFileSync(join(target, 'x'), 'x');
    assert.throws(() => saveSafetensors(target, { a: tensor([1]) }), /sub/);
    assert.deepEqual(readdirSync(dir).sort(), ['model.safetensors', 'sub']);

    assert.throws(() => saveSafetensors(join(dir, 'no', 'such', 'dir.safetensors'), { a: tensor([1]) }), /no[/\\]such[/\\]dir\.safetensors/);
  });
});

test('save rejects bad arguments with errors naming the file and the tensor', () => {
  tidy(() => {
    const p = tmpPath('bad');
    const t = tensor([1]);
    assert.throws(() => saveSafetensors(p, { __metadata__: t }), /bad\.safetensors.*reserved/);
    assert.throws(() => saveSafetensors(p, { w: [1, 2] as unknown as Tensor }), /bad\.safetensors.*'w' is not a Tensor/);
    const gone = tensor([1]);
    gone.dispose();
    assert.throws(() => saveSafetensors(p, { w: gone }), /bad\.safetensors.*'w' is disposed/);
    assert.throws(() => saveSafetensors(p, { w: t }, { epoch: 3 as unknown as string }), /bad\.safetensors.*metadata 'epoch' must be a string/);
    assert.ok(!existsSync(p));
  });
});

// ---- broken files ------------------------------------------------------------------------------

/** A file from a header object (or raw header text) and data bytes. */
function writeRaw(header: object | string, data: Uint8Array | number = 0, name = 'raw'): string {
  const p = tmpPath(name);
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const h = Buffer.from(text, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  writeFileSync(p, Buffer.concat([len, h, typeof data === 'number' ? Buffer.alloc(data) : Buffer.from(data)]));
  return p;
}

function assertLoadFails(p: string, pattern: RegExp, tensorName?: string): void {
  for (const read of [() => loadSafetensors(p), () => readSafetensorsHeader(p)]) {
    assert.throws(read, (err: Error) => {
      assert.ok(err.message.includes(p), `the message names the file: ${err.message}`);
      if (tensorName !== undefined) assert.ok(err.message.includes(`'${tensorName}'`), `the message names tensor '${tensorName}': ${err.message}`);
      assert.match(err.message, pattern);
      return true;
    });
  }
}

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

test('missing file', () => {
  assertLoadFails(join(work, 'does-not-exist.safetensors'), /no such file/);
});

test('a directory instead of a file', () => {
  assertLoadFails(work, /director|not a regular file/);
});

test('file too short for the header length', () => {
  const p = tmpPath('short');
  writeFileSync(p, Buffer.from([1, 2, 3]));
  assertLoadFails(p, /too short \(3 bytes\)/);
});

test('header length beyond the file', () => {
  const p = tmpPath('hlen');
  const b = Buffer.alloc(16, 0x20);
  b.writeBigUInt64LE(1000n);
  writeFileSync(p, b);
  assertLoadFails(p, /header length 1000 goes beyond the end of the file \(16 bytes/);
  const q = tmpPath('hlen-huge');
  const c = Buffer.alloc(16, 0x20);
  c.writeBigUInt64LE(2n ** 63n);
  writeFileSync(q, c);
  assertLoadFails(q, /header length 9223372036854775808 goes beyond/);
});

test('header that is not JSON, not UTF-8, or not an object', () => {
  assertLoadFails(writeRaw('{"a": {"dtype": "F32",'), /not valid JSON/);
  assertLoadFails(writeRaw('[1, 2, 3]'), /must be a JSON object, got an array/);
  const p = tmpPath('latin1');
  const h = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(4n);
  writeFileSync(p, Buffer.concat([len, h]));
  assertLoadFails(p, /not valid UTF-8/);
  // A file that is something else entirely (a PNG signature read as a length).
  const png = tmpPath('png');
  writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
  assertLoadFails(png, /header length \d+ goes beyond/);
});

test('unknown dtype names the tensor and the dtype', () => {
  assertLoadFails(writeRaw({ w: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, 2), /unknown or unsupported dtype 'F8_E4M3'/, 'w');
  assertLoadFails(writeRaw({ w: { dtype: 'U16', shape: [1], data_offsets: [0, 2] } }, 2), /dtype 'U16'/, 'w');
  assertLoadFails(writeRaw({ w: { shape: [1], data_offsets: [0, 4] } }, 4), /no dtype/, 'w');
});

test('bad shape or offsets fields', () => {
  assertLoadFails(writeRaw({ w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } }, 8), /shape must be an array of non-negative integers/, 'w');
  assertLoadFails(writeRaw({ w: { dtype: 'F32', shape: [2], data_offsets: [0] } }, 8), /data_offsets must be \[begin, end\]/, 'w');
  assertLoadFails(writeRaw({ w: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, 4), /end before they begin/, 'w');
});

test('offsets beyond the data (a truncated file)', () => {
  assertLoadFails(writeRaw({ a: f32([2], 0, 8), w: f32([3], 8, 20) }, 14), /\[8, 20\] go beyond the data section \(14 bytes; is the file truncated/, 'w');
  // A real file cut short.
  const whole = readFileSync(SMALL);
  const p = tmpPath('truncated');
  writeFileSync(p, whole.subarray(0, whole.length - 5));
  assertLoadFails(p, /go beyond the data section/, 'transposed');
});

test('offsets not matching shape × dtype size', () => {
  assertLoadFails(writeRaw({ w: f32([2, 3], 0, 20) }, 20), /span 20 bytes but shape \[2, 3\] of F32 needs 24/, 'w');
});

test('overlapping offsets', () => {
  assertLoadFails(writeRaw({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12), /overlap those of tensor 'a'/, 'b');
});

test('gaps and trailing bytes', () => {
  assertLoadFails(writeRaw({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, 12), /gap of 4 bytes/, 'b');
  assertLoadFails(writeRaw({ a: f32([1], 0, 4) }, 9), /holds 9 bytes but its tensors cover 4/);
});

test('bad metadata', () => {
  assertLoadFails(writeRaw({ __metadata__: { epoch: 3 } }), /"__metadata__" entry 'epoch' must be a string/);
  assertLoadFails(writeRaw({ __metadata__: [1] }), /"__metadata__" must be an object/);
});

test('BOOL bytes other than 0/1 are rejected when loading', () => {
  const p = writeRaw({ m: { dtype: 'BOOL', shape: [3], data_offsets: [0, 3] } }, Uint8Array.from([1, 0, 2]));
  assert.throws(() => loadSafetensors(p), (err: Error) => err.message.includes(p) && /'m'.*byte 2/.test(err.message));
});

test('empty header object and header-only file load as no tensors', () => {
  const p = writeRaw('{}      ');
  const { tensors, metadata } = loadSafetensors(p);
  assert.equal(tensors.size, 0);
  assert.deepEqual(metadata, {});
  const q = tmpPath('none');
  saveSafetensors(q, new Map(), { only: 'meta' });
  assert.deepEqual(loadSafetensors(q).metadata, { only: 'meta' });
});

test('loaded tensors are freed if a later tensor fails', () => {
  const before = memory().liveTensors;
  const p = writeRaw({ a: f32([1], 0, 4), m: { dtype: 'BOOL', shape: [1], data_offsets: [4, 5] } }, Uint8Array.from([0, 0, 128, 63, 7]));
  assert.throws(() => loadSafetensors(p), /'m'/);
  assert.equal(memory().liveTensors, before);
});
