// The built-in datasets (datasets/*.csv, src/data/builtin.ts): each loads with the rows, columns,
// target and task datasets/README.md states, and a split fits and encodes without surprises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { builtinDatasets, builtinNames, fitPreprocessor, loadBuiltin, loadTabular, randomSplit } from '../../src/index.js';

const README: Record<string, { rows: number; columns: number; target: string; task: string; classes: string[] }> = {
  churn: { rows: 7043, columns: 20, target: 'churn', task: 'binary', classes: ['No', 'Yes'] },
  credit: { rows: 4454, columns: 14, target: 'Status', task: 'binary', classes: ['bad', 'good'] },
  concrete: { rows: 1030, columns: 9, target: 'compressive_strength', task: 'regression', classes: [] },
  boston: { rows: 506, columns: 14, target: 'medv', task: 'regression', classes: [] },
};

test('the registry names four datasets whose files exist and are listed in datasets/README.md', () => {
  assert.deepEqual(builtinNames().sort(), Object.keys(README).sort());
  const readme = readFileSync(new URL('../../../datasets/README.md', import.meta.url), 'utf8');
  for (const [name, d] of Object.entries(builtinDatasets)) {
    assert.ok(existsSync(d.file), d.file);
    assert.equal(d.name, name);
    assert.ok(readme.includes(`${name}.csv`), `README lists ${name}.csv`);
    assert.ok(readme.includes(d.rows.toLocaleString('en-US')), `README gives ${name}'s rows`);
  }
  assert.throws(() => loadBuiltin('wine'), /unknown built-in dataset 'wine'.*churn/);
  assert.throws(() => loadBuiltin('toString'), /unknown built-in dataset/);
});

for (const [name, want] of Object.entries(README)) {
  test(`${name}: ${want.rows} rows, ${want.columns} columns, target ${want.target}, ${want.task}`, () => {
    const d = loadBuiltin(name);
    assert.equal(d.table.rows.length, want.rows);
    assert.equal(d.table.header.length, want.columns);
    assert.equal(d.target, want.target);
    assert.equal(d.task, want.task);
    assert.deepEqual(d.classes, want.classes);
    assert.deepEqual(d.warnings, [], 'no warnings on the shipped data');
    assert.equal(d.table.delimiter, ',');
    const entry = builtinDatasets[name];
    assert.deepEqual([entry.rows, entry.columns, entry.target, entry.task], [want.rows, want.columns, want.target, want.task]);
    // Task detection agrees with the registry.
    assert.equal(loadTabular(entry.file, { target: entry.target }).task, want.task);
    const split = randomSplit(d.table.rows.length, 0);
    const p = fitPreprocessor(d, split.train);
    const train = p.encode(split.train);
    assert.equal(train.rows, split.train.length);
    assert.equal(train.features, p.featureNames.length);
    for (const v of train.x) assert.ok(v >= 0 && v <= 1, 'training features lie in [0, 1]');
    for (const v of train.y) assert.ok(Number.isFinite(v));
    if (want.task === 'regression') {
      assert.equal(Math.min(...train.y), 0);
      assert.equal(Math.max(...train.y), 1);
    }
    const test_ = p.encode(split.test);
    for (const v of test_.x) assert.ok(Number.isFinite(v));
  });
}

test('churn: total_charges has 11 missing values (tenure 0), imputed and flagged', () => {
  const d = loadBuiltin('churn');
  const c = d.table.header.indexOf('total_charges');
  const missing = d.table.rows.map((r, i) => (r[c] === '' ? i : -1)).filter((i) => i >= 0);
  assert.equal(missing.length, 11);
  const p = fitPreprocessor(d, d.table.rows.map((_, i) => i));
  const k = p.featureNames.indexOf('total_charges__missing');
  assert.ok(k >= 0, p.featureNames.join(' '));
  const e = p.encode(missing);
  for (let r = 0; r < missing.length; r++) assert.equal(e.x[r * e.features + k], 1);
  assert.equal(p.featureNames.filter((f) => f.startsWith('contract=')).length, 3);
});
