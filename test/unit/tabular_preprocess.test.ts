// fitPreprocessor / preprocessorFromJSON (src/data/preprocess.ts): statistics from the training rows only,
// one-hot with unseen levels as zeros, imputation with a missing indicator, columns constant on the
// training rows, the regression target's scaling, and the JSON round trip.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitPreprocessor, loadTabular, parseCsv, preprocessorFromJSON, tabularFromTable, type TabularDataset } from '../../src/index.js';
import { throwsWith } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'htaf-tabular-pre-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
function load(content: string, target = 'y', task?: 'binary' | 'multiclass' | 'regression'): TabularDataset {
  const file = join(dir, `t${++count}.csv`);
  writeFileSync(file, content);
  return loadTabular(file, task ? { target, task } : { target });
}

/** Row r of an encoding as a plain array. */
function row(x: Float32Array, features: number, r: number): number[] {
  return Array.from(x.subarray(r * features, (r + 1) * features));
}

test('min-max scaling uses the training rows only: a value seen only in test does not change it', () => {
  const make = (testValue: number) => load(`num,color,y\n0,red,a\n5,blue,b\n10,red,a\n${testValue},green,b\n`);
  const train = [0, 1, 2];
  const small = fitPreprocessor(make(7), train);
  const huge = fitPreprocessor(make(1000), train);
  assert.deepEqual(small.toJSON(), huge.toJSON());
  assert.deepEqual(small.featureNames, ['num', 'color=blue', 'color=red']);
  const e = huge.encode([0, 1, 2, 3]);
  assert.equal(e.rows, 4);
  assert.equal(e.features, 3);
  assert.deepEqual(row(e.x, 3, 0), [0, 0, 1]);
  assert.deepEqual(row(e.x, 3, 1), [0.5, 1, 0]);
  assert.deepEqual(row(e.x, 3, 2), [1, 0, 1]);
  // The test row: 1000 scaled by the training range [0, 10] (not clipped); 'green' unseen → zeros.
  assert.deepEqual(row(e.x, 3, 3), [100, 0, 0]);
  assert.deepEqual(Array.from(e.y), [0, 1, 0, 1]);
});

test('missing numbers: the training median, and a __missing column; missing text is its own level', () => {
  const d = load('a,t,y\n1,p,0\n,q,1\n3,,0\n10,p,1\n,q,0\n100,,1\n');
  // Train on rows 0..3: a has values 1, 3, 10 → median 3, range [1, 10]; t has p, q, ''.
  const p = fitPreprocessor(d, [0, 1, 2, 3]);
  assert.deepEqual(p.featureNames, ['a', 'a__missing', 't=p', 't=q', 't=(missing)']);
  const spec = p.toJSON();
  assert.deepEqual(spec.columns[0], { name: 'a', kind: 'numeric', min: 1, max: 10, median: 3, scale: true, indicator: true });
  const e = p.encode([1, 4, 5]);
  const f = e.features;
  assert.deepEqual(row(e.x, f, 0), [2 / 9, 1, 0, 1, 0].map(Math.fround));
  assert.deepEqual(row(e.x, f, 1), [2 / 9, 1, 0, 1, 0].map(Math.fround));
  assert.deepEqual(row(e.x, f, 2), [11, 0, 0, 0, 1]);
  // Even count: the median is the mean of the two middle values.
  assert.deepEqual(fitPreprocessor(d, [0, 2, 3, 5]).toJSON().columns[0], { name: 'a', kind: 'numeric', min: 1, max: 100, median: 6.5, scale: true, indicator: false });
  // No missing value in the training rows: no indicator; a missing test value is still imputed.
  const q = fitPreprocessor(d, [0, 2, 3]);
  assert.deepEqual(q.featureNames.slice(0, 1), ['a']);
  assert.ok(!q.featureNames.includes('a__missing'));
  assert.equal(q.encode([1]).x[0], Math.fround((3 - 1) / 9));
});

test('columns constant on the training rows are dropped with a note; values constant with missing keep the indicator', () => {
  const d = load('k,m,t,x,y\n1,5,u,1,a\n1,5,u,2,b\n1,,u,3,a\n2,5,v,4,b\n');
  const p = fitPreprocessor(d, [0, 1, 2]);
  assert.deepEqual(p.featureNames, ['m__missing', 'x']);
  assert.equal(p.notes.length, 3, p.notes.join('\n'));
  assert.match(p.notes[0], /column 'k': constant \(1\) on the 3 training rows: dropped/);
  assert.match(p.notes[1], /column 'm': its values are constant \(5\) on the training rows: only 'm__missing' is kept/);
  assert.match(p.notes[2], /column 't': one level \("u"\) on the 3 training rows: dropped/);
  assert.deepEqual(Array.from(p.encode([2, 3]).x), [1, 1, 0, 1.5]);
  // Nothing left to learn from: an error.
  const flat = load('k,y\n1,a\n1,b\n2,a\n');
  throwsWith(() => fitPreprocessor(flat, [0, 1]), 'no feature left');
});

test('regression targets: min-max scaled with the training range; unscaleTarget maps back', () => {
  const d = load('x,y\n1,10\n2,20\n3,30\n4,50\n');
  assert.equal(d.task, 'regression');
  const p = fitPreprocessor(d, [0, 1, 2]);
  const e = p.encode([0, 1, 2, 3]);
  assert.deepEqual(Array.from(e.y), [0, 0.5, 1, 2]);
  assert.equal(p.unscaleTarget(0.5), 20);
  assert.equal(p.unscaleTarget(2), 50);
  for (const v of [0, 0.25, 1, 1.7]) assert.ok(Math.abs(p.unscaleTarget(v) - (10 + 20 * v)) < 1e-12);
  throwsWith(() => fitPreprocessor(load('x,y\n1,10\n2,10\n3,30\n', 'y', 'regression'), [0, 1]), "column 'y'", 'constant (10) on the 2 training rows');
  // Classification: identity, and the class index as y.
  const c = load('x,y\n1,b\n2,c\n3,a\n4,b\n');
  const q = fitPreprocessor(c, [0, 1, 2, 3]);
  assert.equal(q.unscaleTarget(0.3), 0.3);
  assert.deepEqual(Array.from(q.encode([0, 1, 2, 3]).y), [1, 2, 0, 1]);
  assert.deepEqual(fitPreprocessor(c, [0, 1, 3]).notes.length, 1);
  assert.match(fitPreprocessor(c, [0, 1, 3]).notes[0], /class "a" absent from the training rows/);
});

test('JSON round trip: the rebuilt preprocessor encodes the same; without a dataset encodeTable works', () => {
  const d = load('n,t,m,y\n1.5,p,,3\n2.5,q,4,5\n-1,p,6,7\n8,r,8,11\n0,q,,13\n');
  const p = fitPreprocessor(d, [0, 1, 2, 3]);
  const json = JSON.parse(JSON.stringify(p.toJSON()));
  const back = preprocessorFromJSON(json, d);
  assert.deepEqual(back.featureNames, p.featureNames);
  assert.deepEqual(back.toJSON(), p.toJSON());
  assert.deepEqual(back.encode([0, 1, 2, 3, 4]), p.encode([0, 1, 2, 3, 4]));
  assert.equal(back.unscaleTarget(0.37), p.unscaleTarget(0.37));
  const bare = preprocessorFromJSON(json);
  throwsWith(() => bare.encode([0]), 'without a dataset', 'encodeTable');
  // A new table with the columns in another order, without the target: y is NaN.
  const fresh = parseCsv('m,t,n\n4,p,2.5\n,s,100\n', 'new.csv');
  const e = bare.encodeTable(fresh);
  assert.deepEqual(p.featureNames, ['n', 't=p', 't=q', 't=r', 'm', 'm__missing']);
  // n: training range [-1, 8]; m: training values 4, 6, 8 (median 6); 's' is an unseen level.
  assert.deepEqual(row(e.x, e.features, 0), [Math.fround(3.5 / 9), 1, 0, 0, 0, 0]);
  assert.deepEqual(row(e.x, e.features, 1), [Math.fround(101 / 9), 0, 0, 0, 0.5, 1]);
  assert.ok(Number.isNaN(e.y[0]));
  throwsWith(() => bare.encodeTable(parseCsv('m,t,n\nabc,p,1\n', 'bad.csv')), "bad.csv: row 2, column 'm'", '"abc" is not a number');
  throwsWith(() => bare.encodeTable(parseCsv('m,n\n1,2\n', 'short.csv')), "short.csv: column 't'", 'not in the file');
});

test('preprocessorFromJSON checks what it is given', () => {
  const d = load('x,y\n1,a\n2,b\n3,a\n');
  const good = fitPreprocessor(d, [0, 1, 2]).toJSON();
  const bad = (patch: Record<string, unknown>) => ({ ...good, ...patch });
  throwsWith(() => preprocessorFromJSON(null as never), 'expected an object');
  throwsWith(() => preprocessorFromJSON(bad({ format: 'x' })), 'format');
  throwsWith(() => preprocessorFromJSON(bad({ version: 9 })), 'version 9');
  throwsWith(() => preprocessorFromJSON(bad({ task: 'tree' })), 'task');
  throwsWith(() => preprocessorFromJSON(bad({ classes: ['a'] })), 'two classes');
  throwsWith(() => preprocessorFromJSON(bad({ columns: [] })), 'columns');
  throwsWith(() => preprocessorFromJSON(bad({ columns: [{ name: 'x', kind: 'numeric', min: 0, max: 'z', median: 0, scale: true, indicator: false }] })), 'columns[0].max');
  throwsWith(() => preprocessorFromJSON(bad({ columns: [{ name: 'x', kind: 'text', levels: ['a', 'a'] }] })), 'columns[0].levels');
  throwsWith(() => preprocessorFromJSON(bad({ task: 'regression', targetRange: [1, 1] })), 'targetRange');
  const other = tabularFromTable(parseCsv('z,y\n1,a\n2,b\n', 'other.csv'), { target: 'y' });
  throwsWith(() => preprocessorFromJSON(good, other), "other.csv has no column 'x'");
});

test('fitPreprocessor checks its rows and its level cap', () => {
  const d = load('t,y\nA,0\nB,1\nC,0\nD,1\n');
  throwsWith(() => fitPreprocessor(d, []), 'no training rows');
  throwsWith(() => fitPreprocessor(d, [0, 7]), 'rows[1] = 7');
  throwsWith(() => fitPreprocessor(d, [0, 1.5]), 'rows[1] = 1.5');
  throwsWith(() => fitPreprocessor(d, [0, 1, 2], { maxLevels: 2 }), "column 't'", '3 distinct values on the training rows', 'cap of 2', 'maxLevels');
  assert.equal(fitPreprocessor(d, [0, 1, 2], { maxLevels: 3 }).featureNames.length, 3);
  throwsWith(() => fitPreprocessor(d, [0, 1]).encode([9]), 'rows[0] = 9');
});
