// What a multi-step neuron keeps for backward: the bytes its autograd graph holds after forward,
// beyond its input and its output, per element of x [T, B, ...], for the fused op and the composed loop.
// Run: node dist/bench/neuron_memory.js (a few seconds; no timing involved, so any machine load is fine)
import { IFNode, LIFNode, memory, randn, tidy } from '../src/index.js';

const SHAPE = [4, 32, 16, 28, 28];
const elements = SHAPE.reduce((a, b) => a * b, 1);

function savedBytesPerElement(node: LIFNode | IFNode): number {
  return tidy(() => {
    const x = randn(SHAPE).requiresGrad_();
    const before = memory().cpuAllocatedBytes;
    // The neuron's input as a network gives it: an intermediate (x·1 keeps nothing for backward), freed
    // by its owner after the call, so what remains of it is what the neuron's graph keeps.
    const input = x.mul(1);
    const s = node.call(input);
    input.dispose();
    const after = memory().cpuAllocatedBytes;
    const output = elements * 4;
    s.sum().backward(); // the graph is used, then freed
    return (after - before - output) / elements;
  });
}

console.log(`| neuron, spike function | fused: bytes saved per element | composed | composed/fused |`);
console.log('|---|---|---|---|');
for (const [label, make] of [
  ['LIF, htaf', (fused: boolean) => new LIFNode({ method: 'htaf', fused })],
  ['LIF, ste:sigmoid', (fused: boolean) => new LIFNode({ method: 'ste:sigmoid', fused })],
  ['LIF soft reset, ss', (fused: boolean) => new LIFNode({ method: 'ss', vReset: null, fused })],
  ['IF, ste:rect, detached reset', (fused: boolean) => new IFNode({ method: 'ste:rect', detachReset: true, fused })],
] as const) {
  const f = savedBytesPerElement(make(true));
  const c = savedBytesPerElement(make(false));
  console.log(`| ${label} | ${f.toFixed(1)} | ${c.toFixed(1)} | ${(c / f).toFixed(1)} |`);
  console.log(JSON.stringify({ bench: 'neuron_memory', neuron: label, shape: SHAPE, dtype: 'float32', fused_bytes_per_element: f, composed_bytes_per_element: c }));
}
