// A hand-made ICBM run for the naming tests (unit and CLI): 4 classes, 4 nodes, 2 training images per class.
import type { IcbmRunData } from '../../src/concepts/types.js';

export const CLASSES = ['cat', 'dog', 'car', 'truck'];
export const M = 4;
/** Images on, of the 2 training images of each class, per node: q = ON / 2. */
const ON = [
  //      n0 n1 n2 n3
  /* cat   */ [2, 2, 0, 2],
  /* dog   */ [2, 2, 0, 1], // node 3: q = 0.5, activated (>= 0.5)
  /* car   */ [0, 2, 2, 0],
  /* truck */ [0, 2, 1, 0], // node 2: q = 0.5, activated
];
// node 0: {cat, dog} vs {car, truck}; node 1 on everywhere (constant); node 2: {car, truck} vs {cat, dog};
// node 3: the same groups as node 0, so the same prompt.

/** The hand-made run: |w| makes node 2 the top node of cat and dog, node 0 of car and node 1 of truck. */
export function handMadeRun(): IcbmRunData {
  const trainLabels = new Int32Array([0, 0, 1, 1, 2, 2, 3, 3]);
  const trainBits = new Uint8Array(8 * M);
  for (let i = 0; i < 8; i++) {
    const c = trainLabels[i];
    for (let j = 0; j < M; j++) trainBits[i * M + j] = (i % 2) < ON[c][j] ? 1 : 0;
  }
  const headWeight = new Float32Array([
    0.1, 0.2, 0.9, -0.3,
    0.2, -0.1, -0.8, 0.3,
    -0.7, 0.1, 0.2, 0.0,
    0.1, 0.6, -0.2, 0.3,
  ]);
  const testLabels = new Int32Array([0, 2]);
  return {
    meta: {
      dataset: 'hand-made', backbone: 'resnet', method: 'htaf:alpha=2,beta=11', conceptLayer: 'linear', concepts: M, classes: CLASSES,
      imageShape: [1, 2, 2], stats: { mean: [0], std: [1] }, seed: 0, createdAt: '2026-01-01T00:00:00.000Z',
    },
    metrics: {},
    trainBits, trainLabels,
    testBits: new Uint8Array([1, 1, 0, 1, 0, 1, 1, 0]), testSmooth: new Float32Array([1, 1, 0, 1, 0, 1, 1, 0]), testLabels, testPredictions: testLabels,
    headWeight, headBias: new Float32Array(4),
    standardTrainFeatures: new Float32Array(8 * M), standardTestFeatures: new Float32Array(2 * M),
    sampleImages: new Uint8Array(4), sampleIndices: new Int32Array([0]),
    conceptNames: [],
  };
}

