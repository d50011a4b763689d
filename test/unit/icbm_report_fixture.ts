// A small hand-built ICBM run for the report's tests: 4 classes (names that need HTML escaping),
// 6 concepts, 1 × 8 × 8 images whose pixels tell the class apart. Each class has a fixed bit pattern
// (so q piles up at 0 and 1), flipped on a few seeded images; the standard model's "ReLU features"
// carry the same pattern blurred by noise (so the matched-threshold baseline is less class-specific).
import type { IcbmRunData } from '../../src/concepts/types.js';
import { mulberry32 } from '../../src/data/random.js';

export const FIXTURE_CLASSES = ['T-shirt <top>', 'Trouser & "Pants"', "Bag's", 'Boot'] as const;
export const FIXTURE_M = 6;

/** PATTERN[c][j]: the bit class c usually has on node j. */
export const FIXTURE_PATTERN = [
  [1, 0, 1, 0, 1, 0],
  [1, 1, 0, 0, 0, 1],
  [0, 0, 1, 1, 0, 1],
  [0, 1, 0, 1, 1, 0],
];

/** Head weights: node j matters most for class j % 4, so each class's top node is known. */
export function fixtureHeadWeight(): Float32Array {
  const k = FIXTURE_CLASSES.length;
  const w = new Float32Array(k * FIXTURE_M);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < FIXTURE_M; j++) w[c * FIXTURE_M + j] = (FIXTURE_PATTERN[c][j] ? 1 : -1) * (0.1 + 0.01 * j + (j % 4 === c ? 1 : 0));
  }
  return w;
}

export interface FixtureOptions {
  train?: number;
  test?: number;
  samples?: number;
  channels?: 1 | 3;
  seed?: number;
}

export function buildIcbmRun(options: FixtureOptions = {}): IcbmRunData {
  const ntr = options.train ?? 40;
  const nte = options.test ?? 24;
  const s = options.samples ?? 16;
  const channels = options.channels ?? 1;
  const random = mulberry32(options.seed ?? 7);
  const k = FIXTURE_CLASSES.length;
  const m = FIXTURE_M;
  const bitsFor = (labels: Int32Array) => {
    const bits = new Uint8Array(labels.length * m);
    for (let i = 0; i < labels.length; i++) {
      for (let j = 0; j < m; j++) {
        const flip = random() < 0.08 ? 1 : 0;
        bits[i * m + j] = FIXTURE_PATTERN[labels[i]][j] ^ flip;
      }
    }
    return bits;
  };
  const labelsOf = (n: number) => Int32Array.from({ length: n }, (_, i) => i % k);
  const trainLabels = labelsOf(ntr);
  const testLabels = labelsOf(nte);
  const trainBits = bitsFor(trainLabels);
  const testBits = bitsFor(testLabels);
  const smoothOf = (bits: Uint8Array) => Float32Array.from(bits, (b) => (b ? 0.995 - 0.3 * random() ** 8 : 0.005 + 0.3 * random() ** 8));
  const reluOf = (labels: Int32Array) => {
    const f = new Float32Array(labels.length * m);
    for (let i = 0; i < labels.length; i++) {
      for (let j = 0; j < m; j++) f[i * m + j] = Math.max(0, FIXTURE_PATTERN[labels[i]][j] * 1.5 + 2.2 * (random() - 0.5));
    }
    return f;
  };
  const predictions = Int32Array.from(testLabels, (l, i) => (i % 7 === 3 ? (l + 1) % k : l));
  const per = channels * 8 * 8;
  const sampleIndices = Int32Array.from({ length: s }, (_, i) => (i * 5) % nte);
  const sampleImages = new Uint8Array(s * per);
  for (let p = 0; p < s; p++) {
    const c = testLabels[sampleIndices[p]];
    for (let ch = 0; ch < channels; ch++) {
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          // class c: a bright band in rows 2c..2c+1, and a channel tint for RGB
          const band = y >= 2 * c && y < 2 * c + 2 ? 230 : 30;
          sampleImages[p * per + ch * 64 + y * 8 + x] = Math.min(255, band + (ch === c % channels ? 20 : 0) + ((x + p) % 3) * 5);
        }
      }
    }
  }
  return {
    meta: {
      dataset: 'toy <fashion>', backbone: 'resnet', method: 'htaf:alpha=2,beta=11', conceptLayer: 'linear-bn',
      concepts: m, classes: [...FIXTURE_CLASSES], imageShape: [channels, 8, 8],
      stats: { mean: new Array(channels).fill(0.5), std: new Array(channels).fill(0.25) }, seed: 3, createdAt: '2026-11-30T12:00:00.000Z',
    },
    metrics: {
      standard: { accuracy: 0.91, binarity: 0.12, conceptAccuracy: 0.8 },
      icbm: { accuracy: 0.9, smoothAccuracy: 0.905, binarity: 0.97, conceptAccuracy: 0.95 },
      bm: { accuracy: 0.7, binarity: 1, conceptAccuracy: 0.75 },
      budget: '<script>alert(1)</script> seconds',
    },
    trainBits, trainLabels, testBits, testLabels,
    testSmooth: smoothOf(testBits),
    testPredictions: predictions,
    headWeight: fixtureHeadWeight(),
    headBias: new Float32Array(k),
    standardTrainFeatures: reluOf(trainLabels),
    standardTestFeatures: reluOf(testLabels),
    sampleImages, sampleIndices,
    conceptNames: [
      { node: 0, name: '<b>Upper body</b> & co', zero: 'not "worn"', one: "worn on the body's top", source: 'candidates', score: 0.75 },
    ],
  };
}
