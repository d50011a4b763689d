// The ONNX export (src/export/onnx.ts) run by onnxruntime (onnxruntime-web's wasm, one thread) against
// htaf's runtime (loadModel(...).predict on the same graph as an .htafb) and a naive reference of the
// graph's semantics (onnx_reference.ts): small synthetic graphs with random weights
// that together use every op: a binary (Bi-Real-like) image net with ±∞ thresholds, negative and zero
// gains and more than 32 channels per word; a spiking net with LIF over T = 3 steps, hard and soft reset,
// repeated and per-step inputs and a sum of spike maps; a tabular net with concept bits. The logits of all
// three agree to float32 rounding and the bits exactly; malformed graphs are errors that name the layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import type { NodeSpec, RuntimeGraph } from '../../src/runtime/graph.js';
import { graphToOnnx, type SourceTensor } from '../../src/export/onnx.js';
import { ONNX_SCHEMA } from '../../src/export/onnx_schema.js';
import { createOnnxPeer } from '../../src/bench/onnx_peer.js';
import { mulberry32 } from '../../src/data/random.js';
import { loadModel } from '../../src/runtime/index.js';
import { referenceRun } from './onnx_reference.js';
import { htafbBytes } from './htafb_bytes.js';

class Maker {
  readonly tensors = new Map<string, SourceTensor>();
  readonly #random: () => number;

  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  normal(): number {
    const u = 1 - this.#random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.#random());
  }

  /** An F32 tensor of N(mean, sd) values (or given ones). */
  f32(name: string, shape: number[], sd = 1, mean = 0, values?: number[]): string {
    const count = shape.reduce((a, b) => a * b, 1);
    const data = values ? Float32Array.from(values) : Float32Array.from({ length: count }, () => mean + sd * this.normal());
    assert.equal(data.length, count);
    this.tensors.set(name, { dtype: 'F32', shape, data });
    return name;
  }

  /** Random ±1 weights packed as the runtime stores them: I32 [Cout, k, k, words], unused bits 0. */
  bits(name: string, cout: number, k: number, cin: number): string {
    const words = Math.ceil(cin / 32);
    const data = new Int32Array(cout * k * k * words);
    for (let o = 0; o < cout * k * k; o++) for (let c = 0; c < cin; c++) if (this.#random() < 0.5) data[o * words + (c >>> 5)] |= 1 << (c & 31);
    this.tensors.set(name, { dtype: 'I32', shape: [cout, k, k, words], data });
    return name;
  }

  input(rows: number, per: number): Float32Array {
    return Float32Array.from({ length: rows * per }, () => this.normal());
  }
}

/** A binary image net: conv → sign step (±∞ thresholds, a negative and a zero gain) → 35-channel binary conv → pools → layer norm → linear. */
function binaryImageNet(m: Maker): RuntimeGraph {
  const c = 35;
  const threshold = Array.from({ length: c }, () => 0.5 * m.normal());
  threshold[0] = Infinity;
  threshold[1] = -Infinity;
  threshold[5] = Infinity; // with a negative gain: always on
  const gain = Array.from({ length: c }, () => 0.5 + Math.abs(m.normal()));
  gain[2] = -1.3;
  gain[3] = 0;
  gain[5] = -0.7;
  gain[7] = -2;
  const nodes: NodeSpec[] = [
    { op: 'conv2d', name: 'c1', inputs: ['input'], kernel: 3, stride: 1, padding: 1, weight: m.f32('c1.w', [3, 3, 3, c], 0.4), bias: m.f32('c1.b', [c], 0.2) },
    { op: 'step', name: 's1', inputs: ['c1'], signed: true, threshold: m.f32('s1.t', [c], 0, 0, threshold), gain: m.f32('s1.g', [c], 0, 0, gain) },
    { op: 'conv2d_binary', name: 'b2', inputs: ['s1'], kernel: 3, stride: 2, padding: 1, weightBits: m.bits('b2.w', 6, 3, c), scale: m.f32('b2.s', [6], 0.01, 0.05), bias: m.f32('b2.b', [6], 0.3) },
    { op: 'affine', name: 'a2', inputs: ['b2'], relu: true, scale: m.f32('a2.s', [6], 0.2, 1), shift: m.f32('a2.h', [6], 0.3) },
    { op: 'avgpool2d', name: 'ap', inputs: ['a2'], kernel: 3, stride: 2, padding: 1 },
    { op: 'affine', name: 'a3', inputs: ['ap'], scale: m.f32('a3.s', [6], 0.5), shift: m.f32('a3.h', [6], 0.5) },
    { op: 'relu', name: 'r3', inputs: ['a3'] },
    { op: 'maxpool2d', name: 'mp', inputs: ['r3'], kernel: 2, stride: 1, padding: 1 },
    { op: 'global_avgpool', name: 'gp', inputs: ['mp'] },
    { op: 'layernorm', name: 'ln', inputs: ['gp'], eps: 1e-5, weight: m.f32('ln.w', [6], 0.2, 1), bias: m.f32('ln.b', [6], 0.1) },
    { op: 'linear', name: 'fc', inputs: ['ln'], weight: m.f32('fc.w', [6, 3], 0.5), bias: m.f32('fc.b', [3], 0.1) },
  ];
  return { kind: 'image', input: [3, 8, 7], task: 'multiclass', outputs: 3, nodes, output: 'fc' };
}

/** A spiking net over T = 3 steps: direct-encoded LIF (hard reset), a per-step LIF with soft reset, their spike sum, a LIF resetting to −0.5. */
function spikingNet(m: Maker): RuntimeGraph {
  const T = 3;
  const nodes: NodeSpec[] = [
    { op: 'conv2d', name: 'c1', inputs: ['input'], kernel: 3, stride: 1, padding: 1, weight: m.f32('c1.w', [3, 3, 2, 8], 0.5) },
    { op: 'affine', name: 'a1', inputs: ['c1'], scale: m.f32('a1.s', [8], 0.2, 1), shift: m.f32('a1.h', [8], 0.3, 0.5) },
    { op: 'lif', name: 'l1', inputs: ['a1'], steps: T, tau: 2, vThreshold: 1, vReset: 0, repeat: true },
    { op: 'conv2d_bits', name: 'c2', inputs: ['l1'], kernel: 3, stride: 1, padding: 1, weight: m.f32('c2.w', [3, 3, 8, 8], 0.4), bias: m.f32('c2.b', [8], 0.2) },
    { op: 'affine', name: 'a2', inputs: ['c2'], scale: m.f32('a2.s', [8], 0.2, 1), shift: m.f32('a2.h', [8], 0.3, 0.6) },
    { op: 'lif', name: 'l2', inputs: ['a2'], steps: T, tau: 1.5, vThreshold: 1, vReset: null },
    { op: 'add', name: 'sum', inputs: ['l2', 'l1'] },
    { op: 'conv2d_bits', name: 'c3', inputs: ['sum'], kernel: 1, stride: 2, padding: 0, weight: m.f32('c3.w', [1, 1, 8, 4], 0.6) },
    { op: 'affine', name: 'a3', inputs: ['c3'], scale: m.f32('a3.s', [4], 0.2, 1), shift: m.f32('a3.h', [4], 0.3, 0.8) },
    { op: 'lif', name: 'l3', inputs: ['a3'], steps: T, tau: 2, vThreshold: 1, vReset: -0.5 },
    { op: 'global_avgpool', name: 'gp', inputs: ['l3'], steps: T },
    { op: 'linear', name: 'fc', inputs: ['gp'], weight: m.f32('fc.w', [4, 1], 1), bias: m.f32('fc.b', [1], 0.1) },
  ];
  return { kind: 'image', input: [2, 6, 6], task: 'binary', outputs: 1, nodes, output: 'fc' };
}

/** A tabular net whose second step's bits are concepts (ICBM-like): linear → step → linear_bits → relu → linear → step → linear_bits. */
function conceptMlp(m: Maker): RuntimeGraph {
  const threshold = Array.from({ length: 12 }, () => 0.3 * m.normal());
  threshold[4] = -Infinity;
  threshold[9] = Infinity;
  const gain = Array.from({ length: 12 }, () => 1 + Math.abs(m.normal()));
  gain[4] = -1;
  gain[6] = -0.25;
  const nodes: NodeSpec[] = [
    { op: 'linear', name: 'l0', inputs: ['input'], weight: m.f32('l0.w', [10, 12], 0.5), bias: m.f32('l0.b', [12], 0.2) },
    { op: 'step', name: 's0', inputs: ['l0'], threshold: m.f32('s0.t', [12], 0, 0, threshold), gain: m.f32('s0.g', [12], 0, 0, gain) },
    { op: 'linear_bits', name: 'l1', inputs: ['s0'], weight: m.f32('l1.w', [12, 8], 0.5), bias: m.f32('l1.b', [8], 0.2) },
    { op: 'relu', name: 'r1', inputs: ['l1'] },
    { op: 'linear', name: 'l2', inputs: ['r1'], weight: m.f32('l2.w', [8, 6], 0.7), bias: m.f32('l2.b', [6], 0.2) },
    { op: 'step', name: 's2', inputs: ['l2'], threshold: m.f32('s2.t', [6], 0.2), gain: m.f32('s2.g', [6], 0.3, 1) },
    { op: 'linear_bits', name: 'l3', inputs: ['s2'], weight: m.f32('l3.w', [6, 4], 1), bias: m.f32('l3.b', [4], 0.1) },
  ];
  return { kind: 'mlp', input: [10], task: 'multiclass', outputs: 4, nodes, output: 'l3', concepts: 's2' };
}

async function compare(graph: RuntimeGraph, m: Maker, rows: number) {
  const per = graph.input.reduce((a, b) => a * b, 1);
  const x = m.input(rows, per);
  const onnx = graphToOnnx(graph, m.tensors);
  const peer = await createOnnxPeer(onnx, graph.input);
  try {
    const got = await peer.run(x, rows);
    const want = referenceRun(graph, m.tensors, x, rows);
    const runtime = loadModel(htafbBytes(graph, m.tensors)).predict(x, rows);
    assert.equal(got.logits.length, rows * graph.outputs);
    for (let i = 0; i < want.logits.length; i++) {
      const tol = 1e-4 * (1 + Math.abs(want.logits[i]));
      assert.ok(Math.abs(got.logits[i] - runtime.outputs[i]) <= tol, `logit ${i}: onnxruntime ${got.logits[i]}, runtime ${runtime.outputs[i]}`);
      assert.ok(Math.abs(got.logits[i] - want.logits[i]) <= tol, `logit ${i}: onnxruntime ${got.logits[i]}, reference ${want.logits[i]}`);
    }
    if (want.concepts) {
      assert.deepEqual(Array.from(got.concepts!), Array.from(want.concepts));
      assert.deepEqual(Array.from(got.concepts!), Array.from(runtime.concepts!));
    } else assert.equal(got.concepts, undefined);
    return { got, want };
  } finally {
    await peer.release();
  }
}

test('onnx export: a binary image net (sign steps with ±∞ thresholds, negative and zero gains; 35-channel binary conv; ceil-mode avg pool; layer norm) runs in onnxruntime as in the runtime and the reference', async () => {
  const m = new Maker(11);
  const { want } = await compare(binaryImageNet(m), m, 4);
  assert.ok(new Set(Array.from(want.logits, (v) => v.toFixed(3))).size > 4, 'the logits vary with the input (the test is not vacuous)');
});

test('onnx export: a spiking net (LIF over T = 3, hard and soft reset, repeated and per-step input, a sum of spike maps) runs in onnxruntime as in the runtime and the reference', async () => {
  const m = new Maker(12);
  const graph = spikingNet(m);
  const { want } = await compare(graph, m, 3);
  // The spike rates into the head are neither all 0 nor all 1 (the LIFs fire, not always).
  const rates = referenceRun({ ...graph, output: 'gp', outputs: 4 }, m.tensors, m.input(3, 72), 3).logits;
  assert.ok(rates.some((r) => r > 0) && rates.some((r) => r < 1), `spike rates ${Array.from(rates)}`);
  assert.equal(want.logits.length, 3);
});

test('onnx export: LIF alone, T = 3, hard and soft reset: the spike trains match the reference bit for bit', async () => {
  for (const vReset of [0, null]) {
    const m = new Maker(vReset === null ? 21 : 22);
    const nodes: NodeSpec[] = [
      { op: 'lif', name: 'lif', inputs: ['input'], steps: 3, tau: 2, vThreshold: 1, vReset, repeat: true },
      { op: 'global_avgpool', name: 'rate', inputs: ['lif'], steps: 3 },
    ];
    // One constant current per neuron (a 1×2×2 map per example); the output is each example's firing rate.
    const graph: RuntimeGraph = { kind: 'image', input: [1, 2, 2], task: 'regression', outputs: 1, nodes, output: 'rate' };
    const x = Float32Array.from({ length: 5 * 4 }, () => 1.5 * m.normal() + 1);
    const peer = await createOnnxPeer(graphToOnnx(graph, m.tensors), [1, 2, 2]);
    try {
      const got = await peer.run(x, 5);
      const want = referenceRun(graph, m.tensors, x, 5);
      assert.deepEqual(Array.from(loadModel(htafbBytes(graph, m.tensors)).predict(x, 5).outputs), Array.from(want.logits), `runtime, reset ${vReset}`);
      assert.deepEqual(Array.from(got.logits), Array.from(want.logits), `reset ${vReset}`);
      assert.ok(want.logits.some((r) => r > 0 && r < 1), `some rates are strictly between 0 and 1: ${Array.from(want.logits)}`);
    } finally {
      await peer.release();
    }
  }
});

test('onnx export: a tabular net with concept bits (±∞ thresholds, negative gains) gives the reference logits and concepts', async () => {
  const m = new Maker(13);
  const { got } = await compare(conceptMlp(m), m, 5);
  assert.equal(got.concepts!.length, 5 * 6);
  assert.ok(got.concepts!.every((v) => v === 0 || v === 1));
});

test('onnx export: the model is ONNX opset 17 with a free batch dim; malformed graphs are errors that name the layer', () => {
  const m = new Maker(14);
  const graph = conceptMlp(m);
  const bytes = graphToOnnx(graph, m.tensors);
  const model = protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobuf.INamespace).lookupType('onnx.ModelProto').decode(bytes).toJSON();
  assert.equal(Number(model.irVersion), 8);
  assert.deepEqual(model.opsetImport.map((o: { version: string }) => Number(o.version)), [17]);
  assert.deepEqual(model.graph.input.map((v: { name: string }) => v.name), ['input']);
  assert.deepEqual(model.graph.output.map((v: { name: string }) => v.name), ['logits', 'concepts']);
  assert.deepEqual(model.graph.input[0].type.tensorType.shape.dim, [{ dimParam: 'N' }, { dimValue: '10' }]);

  const edit = (change: (nodes: NodeSpec[]) => void): RuntimeGraph => {
    const g = structuredClone(graph);
    change(g.nodes);
    return g;
  };
  assert.throws(() => graphToOnnx(edit((n) => ((n[0] as { weight: string }).weight = 'nope')), m.tensors), /onnx export: layer 'l0' \(linear\): its weight tensor "nope" is missing/);
  assert.throws(() => graphToOnnx(edit((n) => (n[2].inputs = ['l0'])), m.tensors), /layer 'l1' \(linear_bits\) needs bits input; 'l0' is real \[12\]/);
  assert.throws(() => graphToOnnx(edit((n) => (n[3].inputs = ['ghost'])), m.tensors), /layer 'r1' reads 'ghost', which no earlier layer makes/);
  assert.throws(() => graphToOnnx(edit((n) => ((n[0] as { op: string }).op = 'softmax')), m.tensors), /layer 'l0' \(softmax\): an op the ONNX export lacks/);
  assert.throws(() => graphToOnnx({ ...graph, outputs: 5 }, m.tensors), /the graph's output 'l3' is real \[4\], not the 5 values it declares/);
  assert.throws(() => graphToOnnx({ ...graph, input: [3, 4] }, m.tensors), /must be \[features\]/);
  const bad = new Map(m.tensors);
  bad.set('l1.w', { dtype: 'F32', shape: [8, 12], data: new Float32Array(96) });
  assert.throws(() => graphToOnnx(graph, bad), /layer 'l1' \(linear_bits\): tensor 'l1.w' is F32 \[8,12\], expected F32 \[12,8\]/);
});
