// The one CSV writer (src/report/csv.ts, through csv-stringify) and the one NaN → null rule for JSON
// (src/io/json.ts) that every results file uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvText } from '../../src/report/csv.js';
import { finiteOrNull, toJsonSafe } from '../../src/io/json.js';

test('csvText: RFC 4180 quoting (comma, quote, LF and CR), numbers as String() writes them, null and undefined empty', () => {
  assert.equal(csvText(['a', 'b'], []), 'a,b\n');
  assert.equal(csvText(['a', 'b', 'c'], [['x,y', 'say "hi"', 'two\nlines'], ['cr\rhere', 'plain', '']]),
    'a,b,c\n"x,y","say ""hi""","two\nlines"\n"cr\rhere",plain,\n');
  assert.equal(csvText(['n'], [[1.5], [-1e-7], [NaN], [-Infinity], [null], [undefined], [0]]), 'n\n1.5\n-1e-7\nNaN\n-Infinity\n\n\n0\n');
  assert.equal(csvText(['spec', 'ok'], [['htaf:alpha=2,beta=11', true]]), 'spec,ok\n"htaf:alpha=2,beta=11",true\n');
});

test('finiteOrNull / toJsonSafe: NaN and the infinities become null, everything else is kept', () => {
  assert.equal(finiteOrNull(0.5), 0.5);
  assert.equal(finiteOrNull(NaN), null);
  assert.equal(finiteOrNull(Infinity), null);
  assert.equal(finiteOrNull(null), null);
  assert.equal(finiteOrNull(undefined), null);
  assert.deepEqual(toJsonSafe({ a: NaN, b: [1, -Infinity, 'x'], c: { d: 2, e: null } }), { a: null, b: [1, null, 'x'], c: { d: 2, e: null } });
});
