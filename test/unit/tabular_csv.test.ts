// readCsv (src/data/csv.ts): delimiters, quotes, BOM, line endings, header detection, and errors that
// name the file, the row (= the file's line) and the column, on small CSVs written here.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../../src/index.js';
import { throwsWith } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'htaf-tabular-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
function csv(content: string | Buffer, name = `t${++count}.csv`): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** Asserts fn throws an Error whose message contains every part. */
test('comma CSV with a header: fields, line numbers, delimiter', () => {
  const t = readCsv(csv('a,b,c\n1,2,x\n3,4,y\n'));
  assert.deepEqual(t.header, ['a', 'b', 'c']);
  assert.deepEqual(t.rows, [['1', '2', 'x'], ['3', '4', 'y']]);
  assert.deepEqual(t.lineOf, [2, 3]);
  assert.equal(t.delimiter, ',');
  assert.equal(t.hasHeader, true);
  assert.equal(t.warnings, undefined);
});

test('delimiters ; TAB | are detected by consistency; a quoted delimiter does not count', () => {
  for (const d of [';', '\t', '|']) {
    const t = readCsv(csv(`a${d}b${d}c\n1${d}2,5${d}x\n3${d}4${d}"y${d}z"\n`));
    assert.equal(t.delimiter, d, `delimiter ${JSON.stringify(d)}`);
    assert.deepEqual(t.header, ['a', 'b', 'c']);
    assert.deepEqual(t.rows[1], ['3', '4', `y${d}z`]);
  }
  // Commas inside quoted fields of a semicolon file, and semicolons inside quoted fields of a comma file.
  assert.equal(readCsv(csv('a;b\n"1,5";"2,5"\n"3,1";"4,0"\n')).delimiter, ';');
  const t = readCsv(csv('a,b\n"x;y;z",1\n"p;q;r",2\n'));
  assert.equal(t.delimiter, ',');
  assert.deepEqual(t.rows[0], ['x;y;z', '1']);
  // A one-column file.
  assert.deepEqual(readCsv(csv('only\nx\ny\n')).header, ['only']);
});

test('quoted fields: delimiters, doubled quotes, line breaks inside; later rows keep their line numbers', () => {
  const t = readCsv(csv('name,note,n\n"Smith, J.","said ""hi""",1\n"multi\nline",plain,2\nlast,"x",3\n'));
  assert.deepEqual(t.rows, [['Smith, J.', 'said "hi"', '1'], ['multi\nline', 'plain', '2'], ['last', 'x', '3']]);
  assert.deepEqual(t.lineOf, [2, 3, 5]);
  // Unquoted fields are trimmed; spaces inside quotes are kept.
  assert.deepEqual(readCsv(csv('a,b\n 1 ," x "\n')).rows, [['1', ' x ']]);
  // A stray quote inside an unquoted field is kept as a character.
  assert.deepEqual(readCsv(csv('a,b\n5 in",2\n')).rows, [['5 in"', '2']]);
});

test('a UTF-8 BOM is stripped (the first column name is clean); CRLF and CR line endings; blank lines skipped', () => {
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,é\r\n1,ü\r\n\r\n2,ß\r\n')]);
  const t = readCsv(csv(bom));
  assert.deepEqual(t.header, ['id', 'é']);
  assert.deepEqual(t.rows, [['1', 'ü'], ['2', 'ß']]);
  assert.deepEqual(t.lineOf, [2, 4]);
  const cr = readCsv(csv('a,b\r1,2\r3,4'));
  assert.deepEqual(cr.rows, [['1', '2'], ['3', '4']]);
});

test('header detection: numbers in the first line mean no header (columns named column1..)', () => {
  const t = readCsv(csv('1,2,x\n3,4,y\n'));
  assert.equal(t.hasHeader, false);
  assert.deepEqual(t.header, ['column1', 'column2', 'column3']);
  assert.deepEqual(t.rows.length, 2);
  assert.deepEqual(t.lineOf, [1, 2]);
  assert.equal(t.warnings?.length, 1);
  assert.match(t.warnings![0], /no header line found.*row 1 has the number "1".*column1\.\.column3.*header: true/);
  // All text: a first line whose values recur below is data; one with new names is a header.
  const data = readCsv(csv('red,S\nblue,M\nred,S\nblue,M\n'));
  assert.equal(data.hasHeader, false);
  assert.equal(data.rows.length, 4);
  assert.equal(readCsv(csv('color,size\nred,S\nblue,M\n')).hasHeader, true);
  // A header of names over numeric columns.
  assert.equal(readCsv(csv('x,y\n1,2\n')).hasHeader, true);
  // The options override detection.
  const forced = readCsv(csv('2019,2020\n1,2\n'), { header: true });
  assert.deepEqual(forced.header, ['2019', '2020']);
  assert.deepEqual(forced.rows, [['1', '2']]);
  assert.equal(readCsv(csv('a;b\n1;2\n'), { delimiter: ',' }).header.length, 1);
});

test('a column without a name is named columnK with a warning; a name used twice is an error naming both columns', () => {
  const t = readCsv(csv('a,,c\n1,2,3\n'));
  assert.deepEqual(t.header, ['a', 'column2', 'c']);
  assert.match(t.warnings![0], /row 1: column 2 has no name; it is called 'column2'/);
  const f = csv('a,b,a\n1,2,3\n');
  throwsWith(() => readCsv(f), f, 'row 1', "column 'a'", 'columns 1 and 3');
});

test('an empty file (or only blank lines) is an error naming the file', () => {
  for (const content of ['', '\n\n   \n', '\ufeff']) {
    const f = csv(content);
    throwsWith(() => readCsv(f), f, 'empty');
  }
  const missing = join(dir, 'nope.csv');
  throwsWith(() => readCsv(missing), missing, 'no such file');
});

test('a header line only reads as a table with no rows (loadTabular refuses it)', () => {
  const t = readCsv(csv('a,b,c\n'));
  assert.deepEqual(t.header, ['a', 'b', 'c']);
  assert.equal(t.rows.length, 0);
});

test('a ragged row is an error naming the file, the row (its line) and the first missing column', () => {
  const short = csv('a,b,c\n1,2,3\n\n4,5\n6,7,8\n');
  throwsWith(() => readCsv(short), short, "row 4, column 'c'", '2 fields where the header has 3');
  const long = csv('a,b\n1,2\n3,4,5\n');
  throwsWith(() => readCsv(long), long, 'row 3', '3 fields where the header has 2', 'quote fields');
});

test('a quote never closed is an error naming the row where it opens', () => {
  const f = csv('a,b\n1,2\n3,"oops\n4,5\n6,7\n');
  throwsWith(() => readCsv(f), f, 'row 3', 'never closed');
  const g = csv('a,b\n1,"x"y\n');
  throwsWith(() => readCsv(g), g, 'row 2', 'closing "');
});

test('text that is not UTF-8, UTF-16 and binary files are refused with the file named', () => {
  const latin1 = csv(Buffer.concat([Buffer.from('a,b\n1,2\n3,caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
  throwsWith(() => readCsv(latin1), latin1, 'row 3', 'not valid UTF-8');
  const utf16 = csv(Buffer.from('\ufeffa,b\n1,2\n', 'utf16le'));
  throwsWith(() => readCsv(utf16), utf16, 'UTF-16');
  const nul = csv(Buffer.from('a,b\n1,\u00002\n'));
  throwsWith(() => readCsv(nul), nul, 'row 2', 'NUL');
});
