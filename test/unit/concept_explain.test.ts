// Explanations (Figure 5b), concept interventions and the Table 3 analog on a hand-made head: logits and
// prediction, each class's top nodes against its usual bits, flips that change the prediction or not,
// the text for the CLI and the table in Markdown / CSV / JSON / text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conceptModel, conceptModelFromRun, conceptTable, conceptTableCsv, conceptTableJson, conceptTableMarkdown, conceptTableText, explainBits, formatExplanation, formatIntervention, headLogits, intervene, usualBit, type ConceptName, type IcbmRunData } from '../../src/concepts.js';
import { throwsWith } from '../helpers/errors.js';

// K = 3 classes, M = 4 nodes.
//            node:  0     1     2     3        bias
//   cat    w =     2    -1    0.5    0          0
//   dog    w =    -1     2    0      1        0.5
//   bird   w =     0    0.5  -3    1.5       -0.5
// q: cat 0.9 0.1 0.6 0.5 / dog 0.2 0.8 0.3 0.7 / bird NaN (no training images)
const BARKS: ConceptName = { node: 1, name: 'barks', zero: 'silent', one: 'barks', source: 'user' };
const MODEL = conceptModel({
  headWeight: new Float32Array([2, -1, 0.5, 0, -1, 2, 0, 1, 0, 0.5, -3, 1.5]),
  headBias: new Float32Array([0, 0.5, -0.5]),
  specificity: new Float64Array([0.9, 0.1, 0.6, 0.5, 0.2, 0.8, 0.3, 0.7, NaN, NaN, NaN, NaN]),
  classes: ['cat', 'dog', 'bird'],
  conceptNames: [BARKS],
});
const Z = new Uint8Array([1, 1, 0, 0]);

test('explainBits: logits, prediction, and the top nodes of the predicted and the true class against their usual bits', () => {
  // logits for z = 1 1 0 0: cat 0 + 2 − 1 = 1, dog 0.5 − 1 + 2 = 1.5, bird −0.5 + 0 + 0.5 = 0 -> dog
  assert.deepEqual(headLogits(MODEL, Z), [1, 1.5, 0]);
  const e = explainBits(MODEL, Z, { trueLabel: 0, topK: 2 });
  assert.equal(e.predicted, 1);
  assert.equal(e.predictedName, 'dog');
  assert.equal(e.correct, false);
  const sum = Math.exp(1) + Math.exp(1.5) + 1;
  assert.ok(Math.abs(e.probabilities[1] - Math.exp(1.5) / sum) < 1e-12);
  // dog: |w| = 1 2 0 1 -> nodes 1, then 0 (ties 3, lower node first). node 1: bit 1, usual 1 (q 0.8);
  // node 0: bit 1, usual 0 (q 0.2) -> disagrees
  assert.deepEqual(e.predictedClass.nodes.map((n) => [n.node, n.importance, n.weight, n.bit, n.usualBit, n.disagrees]), [[1, 2, 2, 1, 1, false], [0, 1, -1, 1, 0, true]]);
  assert.deepEqual(e.predictedClass.disagreeing, [0]);
  assert.deepEqual(e.predictedClass.nodes[0].name, BARKS);
  assert.equal(e.predictedClass.nodes[1].name, null);
  assert.equal(e.predictedClass.logit, 1.5);
  // cat: |w| = 2 1 0.5 0 -> nodes 0, 1. node 0: bit 1, usual 1; node 1 (barks): bit 1, usual 0 (q 0.1) -> disagrees
  assert.ok(e.trueClass !== null);
  assert.deepEqual(e.trueClass.nodes.map((n) => [n.node, n.bit, n.usualBit, n.disagrees]), [[0, 1, 1, false], [1, 1, 0, true]]);
  assert.deepEqual(e.trueClass.disagreeing, [1]);
  // right prediction: no separate true-class evidence; bird has no usual bits (NaN q), so nothing disagrees
  const right = explainBits(MODEL, Z, { trueLabel: 1 });
  assert.equal(right.correct, true);
  assert.equal(right.trueClass, null);
  assert.equal(right.topK, 5);
  assert.equal(right.predictedClass.nodes.length, 4, 'topK larger than M gives all nodes');
  const bird = explainBits(MODEL, new Uint8Array([0, 0, 0, 1]), { trueLabel: 2 }); // logits 0, 1.5, 1 -> dog
  assert.ok(bird.trueClass !== null);
  assert.deepEqual(bird.trueClass.nodes.map((n) => n.usualBit), [null, null, null, null]);
  assert.deepEqual(bird.trueClass.disagreeing, []);
  assert.equal(usualBit(MODEL, 0, 3), 1, 'q = 0.5 counts as the activated group');
  // no true label
  assert.equal(explainBits(MODEL, Z).trueLabel, null);
});

test('intervene: switching a concept changes the logits, and the prediction when it matters', () => {
  // flip node 1 (barks 1 -> 0): cat 0 + 2 = 2, dog 0.5 − 1 = −0.5, bird −0.5 -> cat
  const flip = intervene(MODEL, Z, 1);
  assert.deepEqual([flip.from, flip.to], [1, 0]);
  assert.deepEqual(flip.after.logits, [2, -0.5, -0.5]);
  assert.deepEqual([flip.before.predictedName, flip.after.predictedName, flip.changed], ['dog', 'cat', true]);
  assert.deepEqual([...flip.bits], [1, 0, 0, 0]);
  assert.deepEqual([...Z], [1, 1, 0, 0], 'the input bits are not changed');
  // flip node 3 (0 -> 1): cat 1, dog 2.5, bird 1.5 -> still dog
  const keep = intervene(MODEL, Z, 3);
  assert.deepEqual(keep.after.logits, [1, 2.5, 1.5]);
  assert.equal(keep.changed, false);
  // setting a bit to the value it has changes nothing
  const same = intervene(MODEL, Z, 0, 1);
  assert.deepEqual(same.after.logits, same.before.logits);
  assert.equal(formatIntervention(flip), "Intervention: node 1 'barks' set from 1 (barks) to 0 (silent): the prediction changes from dog to cat (logit of dog -2.000, 1.500 → -0.500).\n");
  assert.match(formatIntervention(keep), /node 3 set from 0 to 1: the prediction stays dog \(logit of dog \+1\.000/);
  throwsWith(() => intervene(MODEL, Z, 4), 'intervene: node 4 is not a concept index in [0, 4)');
  throwsWith(() => intervene(MODEL, Z, 0, 2 as 1), 'intervene: value must be 0 or 1; got 2');
});

test('formatExplanation names the prediction, the true class and the disagreeing concepts', () => {
  const text = formatExplanation(explainBits(MODEL, Z, { trueLabel: 0, topK: 2 }));
  assert.match(text, /^Prediction: dog \(class 1, p = 0\.5\d\d\) — true class cat \(class 0\)/);
  assert.match(text, /Highest logits: dog 1\.500, cat 1\.000, bird 0\.000/);
  assert.match(text, /Predicted class dog \(class 1, logit 1\.500\): top 2 nodes by importance/);
  assert.match(text, /Disagrees with dog's usual bits on 1 of 2: node 0 \(image 1, usually 0\)/);
  assert.match(text, /True class cat \(class 0, logit 1\.000\)/);
  assert.match(text, /Disagrees with cat's usual bits on 1 of 2: 'barks' \(image 1 \(barks\), usually 0 \(silent\)\)/);
  assert.match(formatExplanation(explainBits(MODEL, Z, { trueLabel: 1, topK: 1 })), /\(correct\)[\s\S]*agrees with dog's usual bits on all 1 nodes/);
});

test('explain: bad bits, classes and shapes are named', () => {
  throwsWith(() => explainBits(MODEL, [1, 0, 1]), 'explainBits: bits must hold one 0/1 value per concept (M = 4); got 3 values');
  throwsWith(() => explainBits(MODEL, [1, 0, 2, 0]), 'explainBits: bits[2] is 2');
  throwsWith(() => explainBits(MODEL, Z, { trueLabel: 3 }), 'explainBits: trueLabel 3 is not a class index in [0, 3)');
  throwsWith(() => explainBits(MODEL, Z, { topK: 0 }), 'explainBits: topK must be an integer >= 1; got 0');
  const parts = { headWeight: [1, 2, 3, 4], headBias: [0, 0], specificity: [0, 0, 0, 0], classes: ['a', 'b'] };
  throwsWith(() => conceptModel({ ...parts, headBias: [0] }), 'conceptModel: headBias must hold K = 2 values');
  throwsWith(() => conceptModel({ ...parts, headWeight: [1, 2, 3] }), 'conceptModel: headWeight must hold K × M values with K = 2; it has 3');
  throwsWith(() => conceptModel({ ...parts, specificity: [0] }), 'conceptModel: specificity must hold K × M = 2 × 2 = 4 values');
  throwsWith(() => conceptModel({ ...parts, conceptNames: [{ ...BARKS, node: 2 }] }), 'concept name for node 2 is out of range (M = 2)');
});

test('conceptModelFromRun: q from the training bits, the head and the names of the run', () => {
  const run = {
    meta: { classes: ['a', 'b'], concepts: 2 },
    trainBits: new Uint8Array([1, 0, 1, 1, 0, 1]), trainLabels: new Int32Array([0, 0, 1]),
    headWeight: new Float32Array([1, -1, -1, 1]), headBias: new Float32Array([0, 0]), conceptNames: [{ ...BARKS, node: 0 }],
  } as unknown as IcbmRunData;
  const model = conceptModelFromRun(run);
  assert.deepEqual(Array.from(model.specificity), [1, 0.5, 0, 1]);
  assert.equal(model.names.get(0)?.name, 'barks');
  assert.deepEqual([model.numClasses, model.numConcepts], [2, 2]);
});

test('conceptTable (Table 3): nodes by importance for a class, names or —, Markdown / CSV / JSON / text', () => {
  const t = conceptTable(MODEL, 1);
  assert.equal(t.className, 'dog');
  // dog: importance 1 2 0 1 -> nodes 1, 0, 3, 2
  assert.deepEqual(t.rows.map((r) => r.node), [1, 0, 3, 2]);
  assert.deepEqual(t.rows[0], { node: 1, concept: 'barks', zero: 'silent', one: 'barks', importance: 2, weight: 2, share: 0.8, usualBit: 1 });
  assert.deepEqual([t.rows[1].concept, t.rows[1].zero, t.rows[1].one, t.rows[1].usualBit], ['—', '—', '—', 0]);
  assert.deepEqual(conceptTable(MODEL, 1, { topK: 2 }).rows.map((r) => r.node), [1, 0]);
  const md = conceptTableMarkdown(t);
  assert.match(md, /^### Concepts of class dog \(class 1\), by importance\n\n\| Node \| Concept \| 0 \| 1 \| Importance \| Weight \| Share \(q\) \| Usual bit \|\n/);
  assert.ok(md.includes('| 1 | barks | silent | barks | 2.000 | 2.000 | 0.80 | 1 |'), md);
  assert.ok(md.includes('| 0 | — | — | — | 1.000 | -1.000 | 0.20 | 0 |'), md);
  assert.equal(conceptTableCsv(conceptTable(MODEL, 1, { topK: 2 })),
    'class,class_name,node,concept,zero,one,importance,weight,share,usual_bit\n1,dog,1,barks,silent,barks,2,2,0.8,1\n1,dog,0,—,—,—,1,-1,0.2,0\n');
  // bird has no usual bits: NaN share -> null in JSON, empty in CSV, n/a in text
  const bird = conceptTable(MODEL, 2, { topK: 1 });
  assert.deepEqual(conceptTableJson(bird), {
    classIndex: 2, className: 'bird', rows: [{ node: 2, concept: '—', zero: '—', one: '—', importance: 3, weight: -3, share: null, usualBit: null }],
  });
  assert.ok(conceptTableCsv(bird).endsWith('2,bird,2,—,—,—,3,-3,,\n'));
  assert.equal(conceptTableText(bird).split('\n')[3], '   2  —        —  —       3.000  -3.000        n/a        n/a');
  // commas and quotes in names are quoted in CSV; pipes escaped in Markdown
  const quoted = conceptModel({
    headWeight: [1], headBias: [0], specificity: [1], classes: ['x'],
    conceptNames: [{ node: 0, name: 'a, "b"', zero: 'no|yes', one: 'c', source: 'user' }],
  });
  assert.ok(conceptTableCsv(conceptTable(quoted, 0)).includes('"a, ""b""",no|yes,c'));
  assert.ok(conceptTableMarkdown(conceptTable(quoted, 0)).includes('| a, "b" | no\\|yes | c |'));
  throwsWith(() => conceptTable(MODEL, 3), 'conceptTable: class 3 is not a class index in [0, 3)');
});
