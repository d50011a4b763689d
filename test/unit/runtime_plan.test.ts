// The runtime refuses a bad image graph before it runs anything, each time naming the layer and what is
// wrong (src/runtime/plan.ts), and an image model refuses input of the wrong size or type at predict: a
// hand-made graph, loaded from in-memory .htafb bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, type NodeSpec, type RuntimeGraph } from '../../src/runtime/index.js';
import { htafbBytes } from './htafb_bytes.js';

const f32 = (shape: number[], fill = 0.5) => ({ dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });

/** A small valid image graph: conv → step → conv on bits → pool → linear. */
function graph(edit?: (nodes: NodeSpec[], tensors: Map<string, ReturnType<typeof f32>>) => void): Uint8Array {
  const tensors = new Map([
    ['c1.weight', f32([3, 3, 1, 4])], ['s.threshold', f32([4], 0)], ['s.gain', f32([4], 1)],
    ['c2.weight', f32([3, 3, 4, 8])], ['fc.weight', f32([8, 10])], ['fc.bias', f32([10])],
  ]);
  const nodes: NodeSpec[] = [
    { op: 'conv2d', name: 'c1', inputs: ['input'], weight: 'c1.weight', kernel: 3, stride: 1, padding: 1 },
    { op: 'step', name: 's', inputs: ['c1'], threshold: 's.threshold', gain: 's.gain' },
    { op: 'conv2d_bits', name: 'c2', inputs: ['s'], weight: 'c2.weight', kernel: 3, stride: 2, padding: 1 },
    { op: 'global_avgpool', name: 'pool', inputs: ['c2'] },
    { op: 'linear', name: 'fc', inputs: ['pool'], weight: 'fc.weight', bias: 'fc.bias' },
  ];
  edit?.(nodes, tensors);
  const g: RuntimeGraph = { kind: 'image', input: [1, 8, 8], task: 'multiclass', outputs: 10, nodes, output: 'fc' };
  return htafbBytes(g, tensors);
}

test('runtime plan: a valid hand-made image graph runs; margins and activity come out', () => {
  const m = loadModel(graph());
  const p = m.predict(new Float32Array(2 * 64).map((_, i) => Math.sin(i)), 2);
  assert.equal(p.outputs.length, 20);
  assert.equal(p.activity.length, 1);
  assert.deepEqual(m.info().layers.map((l) => [l.name, l.kind, l.shape.join('×')]), [
    ['c1', 'real', '8×8×4'], ['s', 'bits', '8×8×4'], ['c2', 'real', '4×4×8'], ['pool', 'real', '8'], ['fc', 'real', '10'],
  ]);
});

test('runtime plan: each bad graph is an error naming the layer', () => {
  const bad = (edit: Parameters<typeof graph>[0], message: RegExp) => assert.throws(() => loadModel(graph(edit)), message);
  bad((n) => ((n[2] as { op: string }).op = 'conv3d'), /layer 'c2' \(#2\) is a 'conv3d', an op this runtime lacks/);
  bad((n) => (n[2].inputs = ['nowhere']), /layer 'c2' reads 'nowhere', which no earlier layer makes/);
  bad((n) => (n[2].inputs = ['c1']), /layer 'c2' \(conv2d_bits\) needs bits input; 'c1' is real \[8, 8, 4\]/);
  bad((_, t) => t.delete('c2.weight'), /layer 'c2' \(conv2d_bits\): its weight tensor "c2.weight" is missing from the file/);
  bad((_, t) => t.set('s.gain', f32([3], 1)), /layer 's' \(step\): tensor 's.gain' is F32 \[3\], expected F32 \[4\]/);
  bad((n) => ((n[2] as { kernel: number }).kernel = 0), /layer 'c2' \(conv2d_bits\): kernel must be a positive integer/);
  bad((n) => n.pop(), /the graph's output 'fc' is no layer's value/);
  bad((n) => (n[1].name = 'c1'), /layer 'c1' \(#1\): a value of that name exists already/);
});

test('runtime plan: predict refuses input of the wrong size or type; standardize needs channel statistics', () => {
  const m = loadModel(graph());
  assert.throws(() => m.predict(new Float32Array(63), 1), /63 values are not 1 rows × \[1, 8, 8\]/);
  assert.throws(() => m.predict(new Float64Array(64) as unknown as Float32Array, 1), /needs a Float32Array/);
  assert.throws(() => m.standardize(new Uint8Array(64), 1), /standardize is for image models \(this file holds no channel statistics\)/);
});
