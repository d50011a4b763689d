// Offline naming from a class × attribute table (src/concepts/candidates.ts): Jaccard matching of a node's
// activated classes (q >= 0.5) with each attribute and its complement, meanings of 0/1 the right way
// round, the shipped Fashion-MNIST table, and CSV errors naming the file, row and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { candidateAttributes, candidateName, jaccard, matchCandidates, nameByCandidates, negateAttribute, readAttributeTable, type IcbmRunData } from '../../src/concepts.js';
import { throwsWith } from '../helpers/errors.js';

const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const FASHION_CSV = fileURLToPath(new URL('../../../datasets/fashion-mnist-attributes.csv', import.meta.url));

function withCsv(text: string, fn: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-cand-'));
  try {
    const file = join(dir, 'attrs.csv');
    writeFileSync(file, text);
    fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Four classes, three attributes:
//            round  red  has stem
//   apple      1     1     1
//   cherry     1     1     1
//   banana     0     0     1
//   lemon      1     0     0
const TABLE = 'class,round,red,has stem\napple,1,1,1\ncherry,1,1,1\nbanana,0,0,1\nlemon,1,0,0\n';

test('jaccard and negateAttribute', () => {
  assert.equal(jaccard([1, 1, 0, 0], [1, 0, 1, 0]), 1 / 3); // {0,1} ∩ {0,2} = {0}; ∪ = {0,1,2}
  assert.equal(jaccard([1, 0], [1, 0]), 1);
  assert.equal(jaccard([0, 0], [0, 0]), 0); // two empty sets: no evidence
  throwsWith(() => jaccard([1], [1, 0]), 'jaccard: the sets are over 1 and 2 items');
  assert.equal(negateAttribute('footwear'), 'not footwear');
  assert.equal(negateAttribute('has sleeves'), 'no sleeves');
  assert.equal(negateAttribute('is red'), 'is not red');
});

test('matchCandidates: best Jaccard per node, the complement when it fits better, ties to the first attribute', () => {
  withCsv(TABLE, (file) => {
    // the run lists the classes in another order; rows follow the run
    const classes = ['lemon', 'banana', 'apple', 'cherry'];
    const t = readAttributeTable(file, classes);
    assert.deepEqual(t.attributes, ['round', 'red', 'has stem']);
    assert.deepEqual([...t.present], [1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    // q (K = 4 in the run's order lemon, banana, apple, cherry; M = 5)
    //   node 0: on for apple, cherry            -> red {apple, cherry}: J = 1
    //   node 1: on for banana, lemon            -> complement of red {lemon, banana}: J = 1 ('not red' = 1)
    //   node 2: on for lemon only               -> has stem absent {lemon}: J = 1; round {lemon, apple, cherry}: 1/3
    //   node 3: on for every class              -> separates nothing: no match
    //   node 4: on for banana, apple (q = 0.5 counts as on), lemon NaN (no images, left out)
    //           over {banana, apple, cherry}: round {apple, cherry} J = 1/3, red {apple, cherry} 1/3,
    //           has stem {all three} 2/3, complement of round {banana} 1/2, of red {banana} 1/2 -> has stem, 2/3
    const q = new Float64Array([
      0.1, 0.9, 0.95, 1, NaN,
      0.2, 0.7, 0.1, 1, 0.9,
      0.9, 0.3, 0.0, 1, 0.5,
      0.8, 0.1, 0.2, 1, 0.2,
    ]);
    const matches = matchCandidates(q, 5, t);
    assert.deepEqual(matches, [
      { node: 0, attribute: 'red', complement: false, score: 1 },
      { node: 1, attribute: 'red', complement: true, score: 1 },
      { node: 2, attribute: 'has stem', complement: true, score: 1 },
      { node: 4, attribute: 'has stem', complement: false, score: 2 / 3 },
    ]);
    const names = matches.map(candidateName);
    assert.deepEqual(names[0], { node: 0, name: 'red', zero: 'not red', one: 'red', source: 'candidates', score: 1 });
    assert.deepEqual(names[1], { node: 1, name: 'red', zero: 'red', one: 'not red', source: 'candidates', score: 1 });
    assert.deepEqual(names[2], { node: 2, name: 'has stem', zero: 'has stem', one: 'no stem', source: 'candidates', score: 1 });
    // only some nodes
    assert.deepEqual(matchCandidates(q, 5, t, { nodes: [1] }).map((m) => m.node), [1]);
    throwsWith(() => matchCandidates(q, 5, t, { nodes: [5] }), 'matchCandidates: node 5 is not a concept index in [0, 5)');
    throwsWith(() => matchCandidates(q, 4, t), 'specificity must hold K × M = 4 × 4 = 16', 'has 20');
    // ties: node on for {apple, cherry} in a table where 'round' and 'red' both equal that set -> 'round' (listed first)
    withCsv('class,round,red\napple,1,1\ncherry,1,1\nbanana,0,0\n', (f2) => {
      const t2 = readAttributeTable(f2);
      assert.deepEqual(t2.classes, ['apple', 'cherry', 'banana']);
      assert.equal(matchCandidates([0.9, 0.9, 0.1], 1, t2)[0].attribute, 'round');
    });
  });
});

test('nameByCandidates on a run: the shipped Fashion-MNIST table names footwear nodes both ways round', () => {
  // 4 training images per class of the 10 Fashion-MNIST classes; M = 3:
  //   node 0 on for Sandal, Sneaker, Ankle boot (footwear); node 1 on for every other class (not footwear);
  //   node 2 on for Pullover, Coat, Shirt (long sleeves).
  const m = 3;
  const labels: number[] = [];
  const bits: number[] = [];
  for (let c = 0; c < 10; c++) {
    for (let i = 0; i < 4; i++) {
      labels.push(c);
      const foot = [5, 7, 9].includes(c) ? 1 : 0;
      bits.push(foot, 1 - foot, [2, 4, 6].includes(c) && i > 0 ? 1 : 0); // long sleeves on 3 of 4 images
    }
  }
  const run = {
    meta: { classes: FASHION, concepts: m },
    trainBits: Uint8Array.from(bits),
    trainLabels: Int32Array.from(labels),
  } as unknown as IcbmRunData;
  const names = nameByCandidates(run, FASHION_CSV);
  assert.deepEqual(names.map((n) => [n.node, n.name, n.zero, n.one, n.score]), [
    [0, 'footwear', 'not footwear', 'footwear', 1],
    [1, 'footwear', 'footwear', 'not footwear', 1],
    [2, 'has long sleeves', 'no long sleeves', 'has long sleeves', 1],
  ]);
  assert.deepEqual(nameByCandidates(run, FASHION_CSV, { nodes: [2] }).map((n) => n.node), [2]);
  assert.ok(candidateAttributes(FASHION_CSV).includes('footwear'));
  // the run's classes must all be in the table
  const other = { ...run, meta: { classes: [...FASHION.slice(0, 9), 'Boot'], concepts: m } } as unknown as IcbmRunData;
  throwsWith(() => nameByCandidates(other, FASHION_CSV), FASHION_CSV, 'no row for the run\'s class "Boot"');
});

test('the shipped table: ten Fashion-MNIST classes, 0/1 attributes, each attribute splitting the classes', () => {
  const t = readAttributeTable(FASHION_CSV, FASHION);
  assert.equal(t.classes.length, 10);
  assert.ok(t.attributes.length >= 10);
  const na = t.attributes.length;
  for (let a = 0; a < na; a++) {
    let on = 0;
    for (let c = 0; c < 10; c++) on += t.present[c * na + a];
    assert.ok(on > 0 && on < 10, `${t.attributes[a]} holds for some classes, not all`);
  }
  // a few honest facts
  const has = (cls: string, attr: string) => t.present[FASHION.indexOf(cls) * na + t.attributes.indexOf(attr)];
  assert.equal(has('Sandal', 'footwear'), 1);
  assert.equal(has('Bag', 'footwear'), 0);
  assert.equal(has('Pullover', 'has long sleeves'), 1);
  assert.equal(has('Sandal', 'has open toes'), 1);
});

test('attribute CSV errors name the file, row and column', () => {
  withCsv('class,round,red\napple,1,yes\n', (f) => throwsWith(() => readAttributeTable(f), f, "row 2, column 'red'", 'must be 0 or 1', '"yes"'));
  withCsv('class,round,red\napple,1,1\nApple,0,1\n', (f) => throwsWith(() => readAttributeTable(f), f, 'row 3', 'class "Apple" has a row already (row 2)'));
  withCsv('class,round,Round\napple,1,1\n', (f) => throwsWith(() => readAttributeTable(f), f, "column 'Round'", 'listed twice'));
  withCsv('class\napple\n', (f) => throwsWith(() => readAttributeTable(f), f, 'at least one attribute column'));
  withCsv('class,round\n', (f) => throwsWith(() => readAttributeTable(f), f, 'no rows'));
  withCsv('class,round,red\napple,1\n', (f) => throwsWith(() => readAttributeTable(f), f, 'row 2'));
  withCsv('class,round,\napple,1,0\n', (f) => throwsWith(() => readAttributeTable(f), f, 'column 3 has no name'));
  withCsv(' ,round\n,1\n', (f) => throwsWith(() => readAttributeTable(f), f, 'row 2', 'the class name is empty'));
  withCsv(TABLE, (f) => {
    throwsWith(() => readAttributeTable(f, ['apple', 'cherry', 'banana']), f, 'row 5', 'class "lemon" is not one of the run\'s classes');
    throwsWith(() => readAttributeTable(f, ['apple', 'cherry', 'banana', 'lemon', 'kiwi']), 'no row for the run\'s class "kiwi"');
    // names compare ignoring case and spaces; the run's spelling is kept
    assert.deepEqual(readAttributeTable(f, ['Lemon', ' APPLE', 'cherry', 'banana']).classes, ['Lemon', ' APPLE', 'cherry', 'banana']);
  });
  throwsWith(() => readAttributeTable('/nonexistent/attrs.csv'), '/nonexistent/attrs.csv', 'no such file');
});
