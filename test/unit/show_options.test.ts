// The one value formatter (src/core/show.ts) and the one options-object check (src/core/options.ts)
// that every layer's error messages use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHOW, showValue } from '../../src/core/show.js';
import { checkKnownKeys, checkOptionsObject } from '../../src/core/options.js';
import { tensor } from '../../src/index.js';

test('showValue: numbers as JavaScript prints them, strings quoted and cut, arrays item by item, objects by JSON or class', () => {
  assert.equal(showValue(NaN), 'NaN');
  assert.equal(showValue(-Infinity), '-Infinity');
  assert.equal(showValue(-1e-8), '-1e-8');
  assert.equal(showValue(true), 'true');
  assert.equal(showValue(undefined), 'undefined');
  assert.equal(showValue(null), 'null');
  assert.equal(showValue(12n), '12');
  assert.equal(showValue('a "b"'), '"a \\"b\\""');
  assert.equal(showValue('a', { quote: "'" }), "'a'");
  assert.equal(showValue('x'.repeat(50)), `"${'x'.repeat(40)}..."`);
  assert.equal(showValue([1, 'a', [2, [3]]]), '[1, "a", [2, [...]]]');
  assert.equal(showValue(Array.from({ length: 10 }, (_, i) => i)), '[0, 1, 2, 3, 4, 5, 6, 7, ... (10 items)]');
  assert.equal(showValue({ state: {} }), '{"state":{}}');
  assert.match(showValue(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`key${i}`, i]))), /^an object with keys key0, key1, key2, .*, key29$/);
  assert.equal(showValue(new Float32Array(2)), 'Float32Array');
  assert.equal(showValue(() => 1), 'function');
  assert.equal(showValue({ [SHOW]: () => 'mine' }), 'mine');
  assert.equal(showValue({ [SHOW]: () => { throw new Error('no'); } }), 'object');
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(showValue(t), 'float32[2, 3]');
  t.dispose();
  assert.equal(showValue(t), '<disposed tensor>');
});

test('checkOptionsObject / checkKnownKeys: undefined is {}, a non-object or an unknown key is refused naming owner and allowed keys', () => {
  assert.deepEqual(checkOptionsObject('Owner', undefined, ['a']), {});
  const o = { a: 1 };
  assert.equal(checkOptionsObject('Owner', o, ['a', 'b']), o);
  assert.throws(() => checkOptionsObject('Owner', { c: 1 } as object, ['a', 'b']), { message: "Owner: unknown option 'c'; allowed: a, b" });
  assert.throws(() => checkOptionsObject('Owner', null as never, ['a', 'b']), { message: 'Owner: the options argument must be an object with any of: a, b; got null' });
  assert.throws(() => checkOptionsObject('Owner', [1] as never, ['a']), { message: 'Owner: the options argument must be an object with any of: a; got [1]' });
  assert.throws(() => checkOptionsObject('Owner', 'x' as never, ['a']), { message: 'Owner: the options argument must be an object with any of: a; got "x"' });
  assert.throws(() => checkKnownKeys('Adam: param group 1', { beta1: 1 }, ['lr'], 'key'), { message: "Adam: param group 1: unknown key 'beta1'; allowed: lr" });
});
