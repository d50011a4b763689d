// Creation of tensors: the op table's factories, tensor() from nested and typed arrays in every dtype with
// a JavaScript typed array, data round trips, and the errors of wrong input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arange, cudaAvailable, eye, full, fromTypedArray, linspace, ones, rand, randint, randn, randperm, tensor, zeros,
  type DType, type Tensor,
} from '../../src/index.js';

/** Runs fn and disposes the tensors it returns (and any listed), so the file leaves nothing behind. */
function use<T extends Tensor | Tensor[]>(make: () => T, fn: (t: T) => void): void {
  const t = make();
  try {
    fn(t);
  } finally {
    for (const x of Array.isArray(t) ? t : [t]) x.dispose();
  }
}

test('zeros/ones/full: shape, default float32, dtype option, values', () => {
  use(() => zeros([2, 3]), (t) => {
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.equal(t.device, 'cpu');
    assert.deepEqual(t.toArray(), [[0, 0, 0], [0, 0, 0]]);
  });
  use(() => ones(4, { dtype: 'int64' }), (t) => {
    assert.deepEqual(t.shape, [4]);
    assert.equal(t.dtype, 'int64');
    assert.deepEqual(t.toArray(), [1, 1, 1, 1]);
  });
  use(() => full([2], 2.5, { dtype: 'float64' }), (t) => {
    assert.equal(t.dtype, 'float64');
    assert.deepEqual(t.toArray(), [2.5, 2.5]);
  });
  use(() => full([3], 1, { dtype: 'bool' }), (t) => assert.deepEqual(t.toArray(), [true, true, true]));
  use(() => zeros([]), (t) => {
    assert.deepEqual(t.shape, []);
    assert.equal(t.toArray(), 0);
    assert.equal(t.item(), 0);
  });
  use(() => zeros([0, 3]), (t) => {
    assert.deepEqual(t.shape, [0, 3]);
    assert.deepEqual(t.toArray(), []);
  });
});

test('arange, linspace, eye', () => {
  use(() => arange(0, 5), (t) => {
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(t.toArray(), [0, 1, 2, 3, 4]);
  });
  use(() => arange(1, 2, 0.25), (t) => assert.deepEqual(t.toArray(), [1, 1.25, 1.5, 1.75]));
  use(() => arange(10, 0, -3, { dtype: 'int64' }), (t) => {
    assert.equal(t.dtype, 'int64');
    assert.deepEqual(t.toArray(), [10, 7, 4, 1]);
  });
  use(() => linspace(0, 1, 5), (t) => assert.deepEqual(t.toArray(), [0, 0.25, 0.5, 0.75, 1]));
  use(() => linspace(-1, 1, 1), (t) => assert.deepEqual(t.toArray(), [-1]));
  use(() => linspace(0, 1, 0), (t) => assert.deepEqual(t.shape, [0]));
  use(() => eye(3, { dtype: 'int32' }), (t) => assert.deepEqual(t.toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]));
});

test('randn/rand/randint/randperm: shapes, dtypes and ranges', () => {
  use(() => randn([200, 50]), (t) => {
    assert.deepEqual(t.shape, [200, 50]);
    assert.equal(t.dtype, 'float32');
    const v = t.toFlatArray();
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
    assert.ok(Math.abs(sd - 1) < 0.05, `sd ${sd}`);
  });
  use(() => randn([3], { dtype: 'float64' }), (t) => assert.equal(t.dtype, 'float64'));
  use(() => rand([1000]), (t) => {
    const v = t.toFlatArray();
    assert.ok(v.every((x) => x >= 0 && x < 1));
    assert.ok(Math.min(...v) < 0.05 && Math.max(...v) > 0.95);
  });
  use(() => randint(-3, 4, [1000]), (t) => {
    assert.equal(t.dtype, 'int64');
    const v = t.toFlatArray();
    assert.ok(v.every((x) => Number.isInteger(x) && x >= -3 && x < 4));
    assert.deepEqual([...new Set(v)].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3]);
  });
  use(() => randint(0, 2, [2, 2], { dtype: 'int32' }), (t) => assert.equal(t.dtype, 'int32'));
  use(() => randperm(6), (t) => assert.deepEqual(t.toFlatArray().sort(), [0, 1, 2, 3, 4, 5]));
});

test('the requiresGrad option of every float factory makes a leaf that requires grad', () => {
  const made: Tensor[] = [
    zeros([2], { requiresGrad: true }),
    ones([2], { requiresGrad: true }),
    full([2], 3, { requiresGrad: true }),
    eye(2, { requiresGrad: true }),
    arange(0, 2, 1, { requiresGrad: true }),
    linspace(0, 1, 2, { requiresGrad: true }),
    randn([2], { requiresGrad: true }),
    rand([2], { requiresGrad: true }),
    tensor([1, 2], { requiresGrad: true }),
    tensor([1, 2], { dtype: 'float64', requiresGrad: true }),
  ];
  try {
    for (const t of made) {
      assert.equal(t.requiresGrad, true);
      assert.equal(t.isLeaf, true);
    }
    for (const t of [zeros([2]), tensor([1])]) {
      made.push(t);
      assert.equal(t.requiresGrad, false);
    }
  } finally {
    made.forEach((t) => t.dispose());
  }
  assert.throws(() => zeros([2], { dtype: 'int64', requiresGrad: true }), /zeros\(.*floating point/);
  assert.throws(() => tensor([1, 2], { dtype: 'int32', requiresGrad: true }), /^Error: tensor: requiresGrad needs a floating dtype/);
});

test('tensor() from nested arrays in each dtype round-trips through toArray and toTypedArray', () => {
  const cases: [DType, unknown[], new (n: number) => ArrayLike<unknown>][] = [
    ['float32', [[1.5, -2], [0.25, 3]], Float32Array],
    ['float64', [[0.1, -2], [1e300, 3]], Float64Array],
    ['int64', [[1, -2], [2 ** 53, 3]], BigInt64Array],
    ['int32', [[1, -2], [2 ** 31 - 1, -(2 ** 31)]], Int32Array],
    ['uint8', [[0, 255], [7, 3]], Uint8Array],
    ['bool', [[true, false], [false, true]], Uint8Array],
  ];
  for (const [dtype, data, ctor] of cases) {
    use(() => tensor(data as never, { dtype }), (t) => {
      assert.equal(t.dtype, dtype);
      assert.deepEqual(t.shape, [2, 2]);
      assert.deepEqual(t.toArray(), data, dtype);
      const typed = t.toTypedArray();
      assert.ok(typed instanceof ctor, `${dtype} gives ${typed.constructor.name}`);
      assert.equal(typed.length, 4);
    });
  }
  use(() => tensor([[1, 2], [3, 4]]), (t) => assert.equal(t.dtype, 'float32'));
  use(() => tensor([true, false]), (t) => assert.equal(t.dtype, 'bool'));
  use(() => tensor(7), (t) => {
    assert.deepEqual(t.shape, []);
    assert.equal(t.toArray(), 7);
  });
  use(() => tensor([[], []]), (t) => assert.deepEqual(t.shape, [2, 0]));
  use(() => tensor([2, 0, NaN], { dtype: 'bool' }), (t) => assert.deepEqual(t.toArray(), [true, false, true]));
  use(() => tensor([1.5, 2], { dtype: 'float16' }), (t) => {
    assert.equal(t.dtype, 'float16');
    assert.throws(() => t.toArray(), /^Error: toTypedArray\(self=float16\[2\]\): dtype float16 has no JavaScript typed array/);
  });
  use(() => tensor([[1, 2, 3]]), (t) => assert.deepEqual(t.toFlatArray(), [1, 2, 3]));
});

test('tensor()/fromTypedArray() from typed arrays keep the dtype and copy the data', () => {
  const cases: [ArrayLike<number | bigint> & ArrayBufferView, DType][] = [
    [new Float32Array([1, 2.5, -3]), 'float32'],
    [new Float64Array([1, 2.5, -3]), 'float64'],
    [new BigInt64Array([1n, -2n, 3n]), 'int64'],
    [new Int32Array([1, -2, 3]), 'int32'],
    [new Int16Array([1, -2, 3]), 'int16'],
    [new Int8Array([1, -2, 3]), 'int8'],
    [new Uint8Array([1, 2, 3]), 'uint8'],
  ];
  for (const [data, dtype] of cases) {
    use(() => tensor(data as never), (t) => {
      assert.equal(t.dtype, dtype);
      assert.deepEqual(t.shape, [3]);
      assert.deepEqual(Array.from(t.toTypedArray() as ArrayLike<unknown>), Array.from(data as ArrayLike<unknown>));
    });
  }
  const src = new Float32Array([1, 2, 3, 4, 5, 6]);
  use(() => fromTypedArray(src, [2, 3]), (t) => {
    src[0] = 100; // the tensor holds a copy
    assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  });
  use(() => fromTypedArray(new Uint8Array([0, 1, 5]), undefined, { dtype: 'bool' }), (t) => {
    assert.equal(t.dtype, 'bool');
    assert.deepEqual(Array.from(t.toTypedArray() as Uint8Array), [0, 1, 1], 'bool bytes are 0/1');
  });
  use(() => fromTypedArray(new Int32Array([1, 2]), [2], { dtype: 'float64' }), (t) => {
    assert.equal(t.dtype, 'float64');
    assert.deepEqual(t.toArray(), [1, 2]);
  });
  // A view into a larger buffer reads only its own elements.
  const big = new Float32Array([9, 1, 2, 9]);
  use(() => tensor(big.subarray(1, 3)), (t) => assert.deepEqual(t.toArray(), [1, 2]));
});

test('tensor() rejects ragged, non-numeric and out-of-range data, and unknown options, naming the op', () => {
  assert.throws(() => tensor([[1, 2], [3]]), /^Error: tensor: ragged nested array: data\[1\] has 1 items, expected 2/);
  assert.throws(() => tensor([[1, 2], 3] as never), /^Error: tensor: ragged nested array/);
  assert.throws(() => tensor([1, [2]] as never), /^Error: tensor: ragged nested array: data\[1\] is an array/);
  assert.throws(() => tensor([1, 'a'] as never), /^Error: tensor: data\[1\] is 'a', expected a number or boolean/);
  assert.throws(() => tensor([1, null] as never), /^Error: tensor: data\[1\] is null/);
  assert.throws(() => tensor(undefined as never), /^Error: tensor: data is undefined/);
  assert.throws(() => tensor({} as never), /^Error: tensor: data is object/);
  assert.throws(() => tensor([1.5], { dtype: 'int64' }), /^Error: tensor: element 0 \(1.5\) is not an integer/);
  assert.throws(() => tensor([1.5], { dtype: 'int32' }), /^Error: tensor: element 0 \(1.5\) is not an integer/);
  assert.throws(() => tensor([300], { dtype: 'uint8' }), /^Error: tensor: element 0 \(300\) is not an integer in \[0, 255\]/);
  assert.throws(() => tensor([-1], { dtype: 'uint8' }), /not an integer in \[0, 255\]/);
  assert.throws(() => tensor([1e20], { dtype: 'int64' }), /not an integer in/);
  assert.throws(() => tensor([NaN], { dtype: 'int32' }), /not an integer in/);
  assert.throws(() => tensor([1], { dtyp: 'int64' } as never), /^Error: tensor: unknown option 'dtyp'/);
  assert.throws(() => tensor([1], { dtype: 'int65' } as never), /^Error: tensor: unknown dtype 'int65'/);
  assert.throws(() => tensor([1], { device: 'tpu' } as never), /^Error: tensor: unknown device 'tpu'/);
  assert.throws(() => tensor([1], 'float32' as never), /^Error: tensor: the options argument must be an object/);
  assert.throws(() => fromTypedArray(new Float32Array(6), [4, 2]), /^Error: fromTypedArray: shape \[4, 2\] holds 8 elements but the array has 6/);
  assert.throws(() => fromTypedArray(new Float32Array(2), [-1, -2]), /^Error: fromTypedArray: shape must be an array of non-negative integers/);
  assert.throws(() => fromTypedArray(new Uint16Array(2) as never), /^Error: fromTypedArray: unsupported array type Uint16Array/);
  assert.throws(() => fromTypedArray([1, 2] as never), /^Error: fromTypedArray: data must be a typed array/);
  assert.throws(() => fromTypedArray(new DataView(new ArrayBuffer(8)) as never), /^Error: fromTypedArray: data must be a typed array/);
});

test("device 'cuda' gives a clear error on a CPU-only libtorch", { skip: cudaAvailable() && 'CUDA is available here' }, () => {
  assert.throws(() => zeros([2], { device: 'cuda' }), (e: Error) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^zeros\(/);
    assert.match(e.message, /device 'cuda' is not available: the linked libtorch has no CUDA support/);
    return true;
  });
  use(() => ones([2, 3]), (t) => {
    assert.throws(() => t.to('cuda'), /^Error: toDevice\(self=float32\[2, 3\], device='cuda'.*not available/);
    assert.throws(() => t.toDevice('cuda:1'), /device 'cuda:1' is not available/);
    assert.throws(() => t.toDevice('cuda:x' as never), /Invalid device string: 'cuda:x'/);
  });
  assert.throws(() => tensor([1, 2], { device: 'cuda' }), /^Error: tensor: .*device 'cuda' is not available/);
  assert.throws(() => zeros([2], { device: 'gpu' as never }), /argument 'device' must be a device string/);
});
