// ICBM run data on disk (src/concepts/run_data.ts): a round trip of every array and the meta, concept
// names merged by node, and the errors for a missing file, a wrong shape or dtype, labels out of range,
// bits that are not 0/1 and bad names — each naming the file and the field. No tensor is left alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromTypedArray, loadSafetensors, memory, saveSafetensors, type Tensor } from '../../src/index.js';
import { readConceptNames, readIcbmRun, validateIcbmRun, writeConceptNames, writeIcbmRun, CONCEPTS_FILE, CONCEPT_NAMES_FILE, RUN_FILE, type ConceptName, type IcbmRunData } from '../../src/concepts.js';
import { throwsWith } from '../helpers/errors.js';

// Ntr = 4, Nte = 3, M = 2, K = 3, S = 2 samples of 1 × 2 × 2 images.
function sampleRun(overrides: Partial<Record<keyof IcbmRunData, unknown>> = {}): IcbmRunData {
  return {
    meta: {
      dataset: 'fashion-mnist', backbone: 'resnet', method: 'htaf:alpha=2,beta=11', conceptLayer: 'linear', concepts: 2,
      classes: ['a', 'b', 'c'], imageShape: [1, 2, 2], stats: { mean: [0.25], std: [0.5] }, seed: 7, createdAt: '2026-11-28T00:00:00Z',
    },
    metrics: { icbm: { accuracy: 0.75 } },
    trainBits: new Uint8Array([1, 0, 0, 1, 1, 1, 0, 0]),
    trainLabels: new Int32Array([0, 1, 2, 0]),
    testBits: new Uint8Array([1, 1, 0, 1, 0, 0]),
    testSmooth: new Float32Array([0.999, 0.98, 0.001, 0.995, 0.5, 0.0]),
    testLabels: new Int32Array([2, 1, 0]),
    testPredictions: new Int32Array([2, 1, 1]),
    headWeight: new Float32Array([0.5, -1, 1.5, 2, -0.25, 0]),
    headBias: new Float32Array([0.1, 0, -0.1]),
    standardTrainFeatures: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]),
    standardTestFeatures: new Float32Array([0.5, 0, 1.5, 0, 2.5, 3.5]),
    sampleImages: new Uint8Array([0, 64, 128, 255, 1, 2, 3, 4]),
    sampleIndices: new Int32Array([0, 2]),
    conceptNames: [],
    ...overrides,
  } as IcbmRunData;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'htaf-run-'));
}

/** Rewrites concepts.safetensors with one tensor replaced. */
function replaceTensor(dir: string, name: string, make: () => Tensor): void {
  const file = join(dir, CONCEPTS_FILE);
  const { tensors } = loadSafetensors(file);
  const old = tensors.get(name)!;
  const fresh = make();
  tensors.set(name, fresh);
  saveSafetensors(file, tensors);
  for (const t of tensors.values()) t.dispose();
  old.dispose();
}

test('writeIcbmRun / readIcbmRun: every array, the meta and the metrics round-trip; no tensor stays alive', () => {
  const dir = tempDir();
  try {
    const live = memory().liveTensors;
    const run = sampleRun();
    writeIcbmRun(join(dir, 'run'), run); // the folder is created
    const back = readIcbmRun(join(dir, 'run'));
    assert.deepEqual(back, run);
    assert.ok(back.trainBits instanceof Uint8Array && back.testLabels instanceof Int32Array && back.testSmooth instanceof Float32Array);
    assert.equal(memory().liveTensors, live);
    const json = JSON.parse(readFileSync(join(dir, 'run', RUN_FILE), 'utf8'));
    assert.equal(json.format, 'htaf-icbm-run');
    assert.deepEqual(json.metrics, run.metrics);
    assert.ok(!existsSync(join(dir, 'run', CONCEPT_NAMES_FILE)), 'no names, no names file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run without a standard model (empty features) or without training images round-trips', () => {
  const dir = tempDir();
  try {
    const noStandard = sampleRun({ standardTrainFeatures: new Float32Array(0), standardTestFeatures: new Float32Array(0) });
    writeIcbmRun(dir, noStandard);
    assert.deepEqual(readIcbmRun(dir), noStandard);
    const { tensors } = loadSafetensors(join(dir, CONCEPTS_FILE));
    assert.deepEqual(tensors.get('standard_test_features')!.shape, [0, 2]);
    for (const t of tensors.values()) t.dispose();
    const noTrain = sampleRun({ trainBits: new Uint8Array(0), trainLabels: new Int32Array(0), standardTrainFeatures: new Float32Array(0) });
    writeIcbmRun(dir, noTrain);
    assert.deepEqual(readIcbmRun(dir), noTrain);
    throwsWith(() => writeIcbmRun(dir, sampleRun({ testLabels: new Int32Array(0) })), 'writeIcbmRun: testLabels is empty (no test images)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('concept names: written with the run, merged by node, replaced by a later run without names', () => {
  const dir = tempDir();
  try {
    const names: ConceptName[] = [{ node: 1, name: 'footwear', zero: 'not footwear', one: 'footwear', source: 'candidates', score: 0.75 }];
    writeIcbmRun(dir, sampleRun({ conceptNames: names }));
    assert.deepEqual(readIcbmRun(dir).conceptNames, names);
    const zero: ConceptName = { node: 0, name: 'sleeves', zero: 'no sleeves', one: 'sleeves', source: 'llm' };
    const newOne: ConceptName = { node: 1, name: 'shoe', zero: 'not a shoe', one: 'a shoe', source: 'user' };
    writeConceptNames(dir, [newOne, zero]);
    assert.deepEqual(readConceptNames(dir), [zero, newOne]); // sorted by node, node 1 replaced
    writeConceptNames(dir, [{ ...zero, name: 'has sleeves' }]);
    assert.deepEqual(readConceptNames(dir).map((n) => n.name), ['has sleeves', 'shoe']);
    // node out of range for the run's M = 2; the same node twice
    throwsWith(() => writeConceptNames(dir, [{ ...zero, node: 2 }]), 'writeConceptNames', 'names[0].node is 2', 'M = 2');
    throwsWith(() => writeConceptNames(dir, [zero, zero]), 'names[1].node 0 is named twice');
    throwsWith(() => writeConceptNames(dir, [{ ...zero, source: 'guess' as never }]), "names[0].source must be one of llm, candidates, user", '"guess"');
    throwsWith(() => writeConceptNames(dir, [{ ...zero, one: '' }]), 'names[0].one must be a non-empty string');
    assert.deepEqual(readConceptNames(dir).map((n) => n.name), ['has sleeves', 'shoe'], 'a refused write changes nothing');
    // a bad names file is named on read
    writeFileSync(join(dir, CONCEPT_NAMES_FILE), JSON.stringify({ format: 'htaf-concept-names', version: 1, names: [{ node: 'x' }] }));
    throwsWith(() => readConceptNames(dir), 'readConceptNames', CONCEPT_NAMES_FILE, 'names[0].node must be an integer >= 0; got "x"');
    throwsWith(() => readIcbmRun(dir), CONCEPT_NAMES_FILE, 'names[0].node');
    // a new run without names removes the old run's names
    writeIcbmRun(dir, sampleRun());
    assert.deepEqual(readConceptNames(dir), []);
    assert.deepEqual(readIcbmRun(dir).conceptNames, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeIcbmRun refuses bad data before writing anything, naming the field', () => {
  const dir = tempDir();
  try {
    const out = join(dir, 'never');
    throwsWith(() => writeIcbmRun(out, sampleRun({ trainBits: new Uint8Array([1, 0, 0, 1, 1, 2, 0, 0]) })), 'writeIcbmRun', 'trainBits must hold 0 or 1; trainBits[5] (image 2, node 1) is 2');
    throwsWith(() => writeIcbmRun(out, sampleRun({ testLabels: new Int32Array([2, 3, 0]) })), 'testLabels[1] is 3, not a class index in [0, 3)');
    throwsWith(() => writeIcbmRun(out, sampleRun({ testPredictions: new Int32Array([-1, 0, 0]) })), 'testPredictions[0] is -1');
    throwsWith(() => writeIcbmRun(out, sampleRun({ headWeight: new Float32Array(4) })), 'headWeight must hold [3, 2] = 6 values', 'has 4');
    throwsWith(() => writeIcbmRun(out, sampleRun({ trainLabels: [0, 1, 2, 0] })), 'trainLabels must be a Int32Array; got an array');
    throwsWith(() => writeIcbmRun(out, sampleRun({ sampleIndices: new Int32Array([0, 3]) })), 'sampleIndices[1] is 3, not a test image index in [0, 3)');
    throwsWith(() => writeIcbmRun(out, sampleRun({ testSmooth: new Float32Array([0, 0, NaN, 0, 0, 0]) })), 'testSmooth[2] is NaN');
    throwsWith(() => writeIcbmRun(out, sampleRun({ standardTestFeatures: new Float32Array(8) })), 'standardTestFeatures must hold [3, 2] = 6 values');
    throwsWith(() => writeIcbmRun(out, sampleRun({ sampleImages: new Uint8Array(4) })), 'sampleImages must hold [2, 1, 2, 2] = 8 values');
    const meta = sampleRun().meta;
    throwsWith(() => writeIcbmRun(out, sampleRun({ meta: { ...meta, concepts: 0 } })), 'meta.concepts (M) must be an integer >= 1; got number 0');
    throwsWith(() => writeIcbmRun(out, sampleRun({ meta: { ...meta, classes: ['a', 'b', 'a'] } })), 'meta.classes[2] "a" is listed twice');
    throwsWith(() => writeIcbmRun(out, sampleRun({ meta: { ...meta, stats: { mean: [0, 0], std: [1] } } })), 'meta.stats.mean must hold 1 finite numbers');
    throwsWith(() => writeIcbmRun(out, sampleRun({ conceptNames: [{ node: 5, name: 'x', zero: 'a', one: 'b', source: 'user' }] })), 'conceptNames', 'node is 5');
    assert.ok(!existsSync(out), 'nothing written');
    throwsWith(() => validateIcbmRun(sampleRun({ metrics: null })), 'validateIcbmRun: metrics must be an object; got null');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readIcbmRun: missing folder or file, wrong format, wrong shape or dtype, bad values — the file and the field named', () => {
  const dir = tempDir();
  try {
    throwsWith(() => readIcbmRun(join(dir, 'nope')), 'readIcbmRun: no run folder', 'nope');
    writeIcbmRun(dir, sampleRun());
    const live = memory().liveTensors;

    replaceTensor(dir, 'train_bits', () => fromTypedArray(new Uint8Array([1, 0, 0, 1, 1, 1, 0, 0]), [2, 4]));
    throwsWith(() => readIcbmRun(dir), 'readIcbmRun', CONCEPTS_FILE, "tensor 'train_bits' (trainBits) has shape [2, 4]; expected [4, 2]");
    replaceTensor(dir, 'train_bits', () => fromTypedArray(new Uint8Array([1, 0, 0, 1, 1, 1, 0, 7]), [4, 2]));
    throwsWith(() => readIcbmRun(dir), CONCEPTS_FILE, 'trainBits must hold 0 or 1; trainBits[7] (image 3, node 1) is 7');
    replaceTensor(dir, 'train_bits', () => fromTypedArray(new Uint8Array([1, 0, 0, 1, 1, 1, 0, 0]), [4, 2]));
    replaceTensor(dir, 'test_labels', () => fromTypedArray(new Int32Array([2, 1, 9])));
    throwsWith(() => readIcbmRun(dir), CONCEPTS_FILE, 'testLabels[2] is 9, not a class index in [0, 3)');
    replaceTensor(dir, 'test_labels', () => fromTypedArray(new Float32Array([2, 1, 0])));
    throwsWith(() => readIcbmRun(dir), CONCEPTS_FILE, "tensor 'test_labels' (testLabels) has dtype float32; expected int32");
    replaceTensor(dir, 'test_labels', () => fromTypedArray(new Int32Array([2, 1, 0, 0])));
    throwsWith(() => readIcbmRun(dir), "tensor 'test_bits' (testBits) has shape [3, 2]; expected [4, 2]");
    assert.equal(memory().liveTensors, live, 'failed reads dispose what they loaded');

    writeIcbmRun(dir, sampleRun());
    const file = join(dir, CONCEPTS_FILE);
    const { tensors } = loadSafetensors(file);
    tensors.get('head_bias')!.dispose();
    tensors.delete('head_bias');
    saveSafetensors(file, tensors);
    for (const t of tensors.values()) t.dispose();
    throwsWith(() => readIcbmRun(dir), CONCEPTS_FILE, "tensor 'head_bias' (headBias) is missing");

    rmSync(file);
    throwsWith(() => readIcbmRun(dir), CONCEPTS_FILE, 'no such file');
    const runFile = join(dir, RUN_FILE);
    const run = JSON.parse(readFileSync(runFile, 'utf8'));
    writeFileSync(runFile, JSON.stringify({ ...run, meta: { ...run.meta, imageShape: [1, 2] } }));
    throwsWith(() => readIcbmRun(dir), RUN_FILE, 'meta.imageShape must be [C, H, W] of positive integers; got [1,2]');
    writeFileSync(runFile, JSON.stringify({ ...run, format: 'other' }));
    throwsWith(() => readIcbmRun(dir), RUN_FILE, 'format must be "htaf-icbm-run"; got "other"');
    writeFileSync(runFile, '{"format": ');
    throwsWith(() => readIcbmRun(dir), RUN_FILE, 'is not valid JSON');
    rmSync(runFile);
    throwsWith(() => readIcbmRun(dir), RUN_FILE, 'no such file');
    assert.equal(memory().liveTensors, live);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
