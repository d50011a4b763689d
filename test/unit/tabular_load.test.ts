// loadTabular (src/data/tabular.ts): task detection and override, the bad inputs a user meets (each an
// Error naming file, row and column where it applies), and the warnings (text among numbers, NaN/inf
// strings, constant and ID-like columns, rows without a target).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_LEVELS, fitPreprocessor, loadTabular, MULTICLASS_MAX_LEVELS, MULTICLASS_MIN_ROWS_PER_LEVEL } from '../../src/index.js';
import { throwsWith } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'htaf-tabular-load-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
function csv(content: string): string {
  const file = join(dir, `t${++count}.csv`);
  writeFileSync(file, content);
  return file;
}

/** A CSV from a header and rows of cells. */
function table(header: string[], rows: (string | number)[][]): string {
  return csv([header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('task detection: two levels binary (text or 0/1), numbers regression, 3..20 text levels multiclass', () => {
  const binary = loadTabular(table(['x', 'y'], range(6).map((i) => [i, i % 2 ? 'yes' : 'no'])), { target: 'y' });
  assert.equal(binary.task, 'binary');
  assert.deepEqual(binary.classes, ['no', 'yes']);
  const zeroOne = loadTabular(table(['x', 'y'], range(6).map((i) => [i, i % 2])), { target: 'y' });
  assert.equal(zeroOne.task, 'binary');
  assert.deepEqual(zeroOne.classes, ['0', '1']);
  const regression = loadTabular(table(['x', 'y'], range(6).map((i) => [i, i * 1.5])), { target: 'y' });
  assert.equal(regression.task, 'regression');
  assert.deepEqual(regression.classes, []);
  const multi = loadTabular(table(['x', 'y'], range(9).map((i) => [i, ['a', 'b', 'c'][i % 3]])), { target: 'y' });
  assert.equal(multi.task, 'multiclass');
  assert.deepEqual(multi.classes, ['a', 'b', 'c']);
  // Few distinct integers (like wine quality 3..9) stay regression unless the task says otherwise.
  const quality = table(['x', 'quality'], range(12).map((i) => [i, 3 + (i % 5)]));
  assert.equal(loadTabular(quality, { target: 'quality' }).task, 'regression');
  const asClasses = loadTabular(quality, { target: 'quality', task: 'multiclass' });
  assert.equal(asClasses.task, 'multiclass');
  assert.deepEqual(asClasses.classes, ['3', '4', '5', '6', '7']);
  // Numeric class labels sort numerically.
  assert.deepEqual(loadTabular(table(['x', 'y'], range(6).map((i) => [i, [10, 9, 100][i % 3]])), { target: 'y', task: 'multiclass' }).classes, ['9', '10', '100']);
});

test('the task must fit the target: regression on text, binary on three levels, too many levels for multiclass', () => {
  const text = table(['x', 'y'], range(6).map((i) => [i, ['a', 'b', 'c'][i % 3]]));
  throwsWith(() => loadTabular(text, { target: 'y', task: 'regression' }), text, "row 2, column 'y'", 'numeric target', '"a"');
  throwsWith(() => loadTabular(text, { target: 'y', task: 'binary' }), text, "column 'y'", 'two levels', 'it has 3');
  const many = table(['x', 'y'], range(30).map((i) => [i, `L${i}`]));
  throwsWith(() => loadTabular(many, { target: 'y' }), many, "column 'y'", '30 levels', `more than ${MULTICLASS_MAX_LEVELS}`, "task 'multiclass'");
  assert.equal(loadTabular(many, { target: 'y', task: 'multiclass' }).classes.length, 30);
  throwsWith(() => loadTabular(many, { target: 'y', task: 'multiclass', maxLevels: 10 }), 'cap of 10 classes', 'maxLevels');
  // Text among a numeric target: the error names the row.
  const dirty = table(['x', 'y'], range(40).map((i) => [i, i === 7 ? 'abc' : i * 0.5]));
  throwsWith(() => loadTabular(dirty, { target: 'y' }), dirty, "row 9, column 'y'", '"abc"');
  throwsWith(() => loadTabular(text, { target: 'y', task: 'tree' as never }), 'task must be one of');
});

test('many text levels: classes when each has many rows (26 letters), refused with the reason when ID-like or free text', () => {
  // The UCI letter data's shape: 26 text classes, here 30 rows each.
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
  const letterFile = table(['x', 'letter'], range(26 * 30).map((i) => [i % 17, letters[(i * 7) % 26]]));
  const letter = loadTabular(letterFile, { target: 'letter' });
  assert.equal(letter.task, 'multiclass');
  assert.deepEqual(letter.classes, letters);
  // An ID-like target (one row per level) is still refused, saying why.
  const ids = table(['x', 'id'], range(200).map((i) => [i % 3, `user${i}`]));
  throwsWith(() => loadTabular(ids, { target: 'id' }), ids, "column 'id'", '200 levels', `more than ${MULTICLASS_MAX_LEVELS}`,
    'every row has its own value in 200 rows', 'an ID or a name', "task 'multiclass'");
  // Few rows per level, not all distinct: the median is named.
  const names = table(['x', 'name'], range(120).map((i) => [i % 3, `n${Math.floor(i / 2)}`]));
  throwsWith(() => loadTabular(names, { target: 'name' }), names, '60 levels', 'a median of 2 rows per level in 120 rows',
    `at least ${MULTICLASS_MIN_ROWS_PER_LEVEL}`, 'an ID or a name');
  // Free text (repeated sentences) is refused as such, even with many rows per level.
  const sentences = range(25).map((i) => `the customer said thing number ${i}`);
  const prose = table(['x', 'comment'], range(25 * 10).map((i) => [i % 3, sentences[i % 25]]));
  throwsWith(() => loadTabular(prose, { target: 'comment' }), prose, '25 levels', '25 of them have 4 words or more', 'free text', "task 'multiclass'");
  assert.equal(loadTabular(prose, { target: 'comment', task: 'multiclass' }).classes.length, 25);
  // The class cap holds for a detected target too.
  throwsWith(() => loadTabular(letterFile, { target: 'letter', maxLevels: 20 }), letterFile, '26 levels', 'cap of 20 classes', 'maxLevels');
});

test('bad inputs: empty file, header only, ragged row, absent target, one-level target', () => {
  const empty = csv('');
  throwsWith(() => loadTabular(empty, { target: 'y' }), empty, 'empty');
  const headerOnly = csv('x,y\n');
  throwsWith(() => loadTabular(headerOnly, { target: 'y' }), headerOnly, 'no data rows', 'only a header');
  const ragged = csv('x,y,z\n1,2,3\n4,5\n');
  throwsWith(() => loadTabular(ragged, { target: 'y' }), ragged, "row 3, column 'z'");
  const absent = table(['x', 'Label'], [[1, 'a'], [2, 'b']]);
  throwsWith(() => loadTabular(absent, { target: 'label' }), absent, "column 'label'", 'not in the file', "did you mean 'Label'", "'x', 'Label'");
  const one = table(['x', 'y'], range(5).map((i) => [i, 'same']));
  throwsWith(() => loadTabular(one, { target: 'y' }), one, "column 'y'", 'one level ("same")', 'all 5 rows');
  const onlyTarget = table(['y'], [['a'], ['b']]);
  throwsWith(() => loadTabular(onlyTarget, { target: 'y' }), onlyTarget, 'no columns besides the target');
  throwsWith(() => loadTabular(one, {} as never), 'options.target');
});

test('rows without a target are dropped with a warning naming the first row', () => {
  const f = csv('x,y\n1,a\n2,\n3,b\n4,\n5,a\n');
  const d = loadTabular(f, { target: 'y' });
  assert.equal(d.table.rows.length, 3);
  assert.deepEqual(d.table.lineOf, [2, 4, 6]);
  assert.equal(d.warnings.length, 1);
  assert.match(d.warnings[0], /row 3, column 'y': 2 rows have no target value.*dropped, 3 rows remain/);
  // NaN in a numeric target is missing too.
  const g = csv('x,y\n1,0.5\n2,NaN\n3,1.5\n4,2.5\n');
  const r = loadTabular(g, { target: 'y' });
  assert.equal(r.task, 'regression');
  assert.equal(r.table.rows.length, 3);
  const none = csv('x,y\n1,\n2,\n');
  throwsWith(() => loadTabular(none, { target: 'y' }), none, "column 'y'", 'missing', 'every row');
});

test('"abc" among numbers: the column is treated as text (one-hot), with a warning naming row and column', () => {
  const f = table(['x', 'y'], range(10).map((i) => [i === 4 ? 'abc' : i, i % 2]));
  const d = loadTabular(f, { target: 'y' });
  assert.equal(d.warnings.length, 1);
  assert.match(d.warnings[0], /row 6, column 'x': "abc" among numbers: the column is treated as text \(one-hot\): 1 of its 10 values are not numbers/);
  const p = fitPreprocessor(d, range(10));
  assert.ok(p.featureNames.includes('x=abc') && p.featureNames.includes('x=0'), p.featureNames.join(' '));
  // A decimal comma gets a hint.
  const g = csv('x;y\n1,5;a\n2;b\n3;a\n');
  assert.match(loadTabular(g, { target: 'y' }).warnings[0], /decimal commas/);
});

test('"NaN"/"inf" strings in a numeric column are missing values (warning: column, count, first row), never numbers', () => {
  const f = csv('x,z,y\n1,5,a\nNaN,6,b\n3,inf,a\n-Infinity,7,b\n5,8,a\n');
  const d = loadTabular(f, { target: 'y' });
  assert.equal(d.warnings.length, 2);
  assert.match(d.warnings[0], /row 3, column 'x': 2 values "NaN", "-Infinity" \(the first in this row\) read as missing values, not numbers/);
  assert.match(d.warnings[1], /row 4, column 'z': 1 value "inf"/);
  const p = fitPreprocessor(d, range(5));
  assert.deepEqual(p.featureNames, ['x', 'x__missing', 'z', 'z__missing']);
  const e = p.encode(range(5));
  // x: values 1, 3, 5 → median 3, range [1, 5]; rows 1 and 3 are missing → (3 − 1)/4 = 0.5, flagged.
  const x = range(5).map((r) => e.x[r * 4]);
  const xMissing = range(5).map((r) => e.x[r * 4 + 1]);
  assert.deepEqual(x, [0, 0.5, 0.5, 0.5, 1]);
  assert.deepEqual(xMissing, [0, 1, 0, 1, 0]);
  // A number too large for float64 reads like inf.
  const big = csv('x,y\n1,a\n1e999,b\n2,a\n');
  assert.match(loadTabular(big, { target: 'y' }).warnings[0], /"1e999".*missing/);
});

test('a text column above the level cap (100,000 levels) is refused, naming the option that raises it', () => {
  const n = 100_000;
  const lines = ['id,y'];
  for (let i = 0; i < n; i++) lines.push(`user${i},${i % 2}`);
  const f = csv(lines.join('\n') + '\n');
  throwsWith(() => loadTabular(f, { target: 'y' }), f, `row ${DEFAULT_MAX_LEVELS + 2}, column 'id'`, `${n} distinct values`,
    `cap of ${DEFAULT_MAX_LEVELS} levels`, 'maxLevels', '--max-levels', 'ID column');
  const d = loadTabular(f, { target: 'y', maxLevels: 200_000 });
  assert.equal(d.table.rows.length, n);
  assert.ok(d.warnings.some((w) => /column 'id'.*looks like an ID column/.test(w)), d.warnings.join('\n'));
  throwsWith(() => loadTabular(f, { target: 'y', maxLevels: 1.5 }), 'maxLevels must be an integer');
});

test('constant columns are dropped with a warning; an ID-like text column is warned about', () => {
  const rows = range(12).map((i) => [`id-${i}`, 7, 'k', i, i % 2]);
  const d = loadTabular(table(['name', 'seven', 'kind', 'x', 'y'], rows), { target: 'y' });
  assert.equal(d.warnings.length, 3, d.warnings.join('\n'));
  assert.match(d.warnings[0], /column 'name': every value is different \(12 distinct texts, e.g. "id-0"\): this looks like an ID column/);
  assert.match(d.warnings[1], /column 'seven': the same value "7" in every row: the column is constant and dropped/);
  assert.match(d.warnings[2], /column 'kind': the same value "k" in every row/);
  const p = fitPreprocessor(d, range(12));
  assert.ok(!p.featureNames.some((f) => f.startsWith('seven') || f.startsWith('kind')), p.featureNames.join(' '));
  assert.deepEqual(p.notes, []);
  // Fewer than 10 rows: no ID warning (every text column of a tiny table is distinct).
  assert.deepEqual(loadTabular(table(['name', 'y'], range(5).map((i) => [`n${i}`, i % 2])), { target: 'y' }).warnings, []);
});
