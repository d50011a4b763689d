// htaf's image backbones against torchvision 0.14 (tools/golden/torchvision_models.py):
// 1. resnet18, wide_resnet50_2 and vit_b_32 at full size: the state dicts list the same names, shapes and
//    dtypes in the same order as torchvision's, and with every tensor filled by the same counter-based
//    formula (reproduced here bit for bit) the logits on the same 224×224 image agree to 1e-4.
// 2. Weights saved from PyTorch (its own seeded init, batch-norm statistics from training-mode batches)
//    as safetensors load with loadSafetensors + loadStateDict (strict) and give PyTorch's logits:
//    torchvision's VisionTransformer and ResNet classes at small sizes, and the reference WideResNet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ResNet, VisionTransformer, WideResNet, fromTypedArray, loadSafetensors, noGrad, resnet18, tensor, tidy, vitB32, wideResnet50_2,
  type Module, type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/compare.js';

const FIXTURES = join(import.meta.dirname, '../../../test/golden/fixtures');
const FULL_ATOL = 1e-4;
const SMALL_ATOL = 1e-5;

// ---- the fill formula of tools/golden/torchvision_models.py -----------------------------------------

function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(name, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** u_i in [0, 1) for i < n: FNV-1a seed of the name, XOR i·0x9E3779B9, murmur3's fmix32, / 2^32. */
function uniform01(name: string, n: number): Float64Array {
  const seed = seedOf(name);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = (seed ^ Math.imul(i, 0x9e3779b9)) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b) >>> 0;
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35) >>> 0;
    x ^= x >>> 16;
    out[i] = (x >>> 0) / 4294967296;
  }
  return out;
}

/** The formula's float32 values for a state-dict tensor, or null for those it leaves alone. */
function fillValues(name: string, shape: readonly number[]): Float32Array | null {
  if (name.endsWith('num_batches_tracked')) return null;
  const n = shape.reduce((a, b) => a * b, 1);
  const u = uniform01(name, n);
  const out = new Float32Array(n);
  let f: (u: number) => number;
  if (name.endsWith('running_var')) f = (v) => 0.5 + v;
  else if (name.endsWith('running_mean')) f = (v) => (v * 2 - 1) * 0.1;
  else if (name.endsWith('weight') && shape.length >= 2) {
    const scale = Math.sqrt(3 / shape.slice(1).reduce((a, b) => a * b, 1));
    f = (v) => (v * 2 - 1) * scale;
  } else if (name.endsWith('weight')) f = (v) => 0.5 + 0.5 * v;
  else f = (v) => (v * 2 - 1) * 0.1;
  for (let i = 0; i < n; i++) out[i] = f(u[i]);
  return out;
}

function formulaInput(name: string, shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const u = uniform01(name, n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = u[i] * 2 - 1;
  return fromTypedArray(out, shape);
}

// ---- fixtures -------------------------------------------------------------------------------------

interface Probe {
  name: string;
  shape: number[];
  first: number[];
  last: number;
  sum: number;
}

interface FullModel {
  builder: string;
  input_shape: number[];
  state: [string, number[], string][];
  logits: number[];
}

interface SmallModel {
  model: string;
  file: string;
  input_name: string;
  input_shape: number[];
  logits_shape: number[];
  logits: number[];
}

const full = JSON.parse(readFileSync(join(FIXTURES, 'torchvision_logits.json'), 'utf8')) as { probes: Probe[]; models: Record<string, FullModel> };
const small = JSON.parse(readFileSync(join(FIXTURES, 'torchvision_small.json'), 'utf8')) as { models: Record<string, SmallModel> };

test('the fill formula reproduces the Python fixture script bit for bit', () => {
  for (const p of full.probes) {
    const v = p.name === 'input' ? tidy(() => formulaInput('input', p.shape).toTypedArray() as Float32Array) : fillValues(p.name, p.shape)!;
    assert.deepEqual([...v.slice(0, p.first.length)], p.first, `${p.name}: first values`);
    assert.equal(v[v.length - 1], p.last, `${p.name}: last value`);
    let sum = 0;
    for (const x of v) sum += x;
    assert.ok(Math.abs(sum - p.sum) < 1e-9 * Math.max(1, Math.abs(p.sum)), `${p.name}: sum ${sum} vs ${p.sum}`);
  }
});

/** Our state dict as [name, shape, dtype] in order, as the fixture lists torchvision's. */
function stateList(model: Module): [string, number[], string][] {
  return tidy(() => [...model.stateDict()].map(([name, t]) => [name, [...t.shape], t.dtype] as [string, number[], string]));
}

/** Fills the model's tensors, one at a time, from the formula by name. */
function fillByName(model: Module): void {
  tidy(() => {
    noGrad(() => {
      for (const [name, t] of model.stateDict()) {
        const v = fillValues(name, t.shape);
        if (v) tidy(() => t.copy_(fromTypedArray(v, t.shape)));
      }
    });
  });
}

const FULL_BUILDERS: Record<string, () => Module> = {
  resnet18: () => resnet18(),
  wide_resnet50_2: () => wideResnet50_2(),
  vit_b_32: () => vitB32(),
};

for (const [key, build] of Object.entries(FULL_BUILDERS)) {
  test(`${key}: torchvision's state-dict names/shapes and logits at 224×224 (formula weights)`, (t) => {
    const expected = full.models[key];
    assert.ok(expected, `torchvision_logits.json has no model '${key}'`);
    const model = build();
    try {
      assert.deepEqual(stateList(model), expected.state, `${key}: state dict differs from ${expected.builder}`);
      fillByName(model);
      model.eval();
      tidy(() => {
        const logits = noGrad(() => model.call(formulaInput('input', expected.input_shape)) as Tensor);
        const r = assertClose(logits, tensor(expected.logits).reshape([1, expected.logits.length]), { atol: FULL_ATOL, what: `${key} logits` });
        t.diagnostic(`${key}: max |logit diff| ${r.maxAbsDiff.toExponential(2)}`);
      });
    } finally {
      model.dispose();
    }
  });
}

// ---- weights written by PyTorch -------------------------------------------------------------------

const SMALL_BUILDERS: Record<string, () => Module> = {
  vit: () => new VisionTransformer({ imageSize: 32, patchSize: 8, numLayers: 2, numHeads: 2, hiddenDim: 32, mlpDim: 64, numClasses: 10 }),
  resnet_basic: () => new ResNet({ block: 'basic', layers: [1, 1, 1, 1], baseWidth: 8, inChannels: 1, numClasses: 10, cifarStem: true }),
  resnet_bottleneck: () => new ResNet({ block: 'bottleneck', layers: [1, 1, 1, 1], baseWidth: 4, inChannels: 3, numClasses: 10, cifarStem: true }),
  wrn: () => new WideResNet({ depth: 10, widen: 1, inChannels: 1, numClasses: 10 }),
};

for (const [key, build] of Object.entries(SMALL_BUILDERS)) {
  test(`${key}: a safetensors file saved from PyTorch loads strictly and gives PyTorch's logits`, (t) => {
    const expected = small.models[key];
    assert.ok(expected, `torchvision_small.json has no model '${key}'`);
    const model = build();
    try {
      tidy(() => {
        const { tensors, metadata } = loadSafetensors(join(FIXTURES, expected.file));
        assert.equal(metadata.model, expected.model);
        const result = model.loadStateDict(tensors); // strict: every name and shape must match
        assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
        model.eval();
        const logits = noGrad(() => model.call(formulaInput(expected.input_name, expected.input_shape)) as Tensor);
        const r = assertClose(logits, tensor(expected.logits).reshape(expected.logits_shape), { atol: SMALL_ATOL, what: `${key} logits` });
        t.diagnostic(`${key}: max |logit diff| ${r.maxAbsDiff.toExponential(2)}`);
      });
    } finally {
      model.dispose();
    }
  });
}
