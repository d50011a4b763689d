// A multi-step neuron layer alone, fused op against composed loop, on x [T, B, C, H, W] in float32:
//   time    forward + backward (median of rounds, alternating the two paths), a ReLU forward beside
//   memory  the bytes its autograd graph holds after forward, beyond its input and its output, per element
// Run: node dist/bench/neuron.js [--rounds 7] [--threads 2]   (time the neurons on a quiet machine)
import { parseArgs } from 'node:util';
import { IFNode, LIFNode, memory, randn, setNumThreads, tidy } from '../src/index.js';
import { median } from '../src/bench/stats.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, threads: { type: 'string', default: '2' } } });
const rounds = Number(values.rounds);
setNumThreads(Number(values.threads));

const SHAPE = [4, 128, 16, 28, 28];
const elements = SHAPE.reduce((a, b) => a * b, 1);
type Make = (fused: boolean) => LIFNode | IFNode;
const NEURONS: [string, Make][] = [
  ['LIF, htaf', (fused) => new LIFNode({ method: 'htaf', fused })],
  ['LIF, ste:sigmoid', (fused) => new LIFNode({ method: 'ste:sigmoid', fused })],
  ['LIF soft reset, ss', (fused) => new LIFNode({ method: 'ss', vReset: null, fused })],
  ['IF, ste:rect, detached reset', (fused) => new IFNode({ method: 'ste:rect', detachReset: true, fused })],
];

/** Bytes the graph keeps per element, and the forward + backward time in ms. */
function measure(node: LIFNode | IFNode): { saved: number; ms: number } {
  return tidy(() => {
    const x = randn(SHAPE).requiresGrad_();
    const g = randn(SHAPE);
    const before = memory().cpuAllocatedBytes;
    // The neuron's input as a network gives it: an intermediate (x·1 keeps nothing for backward), freed
    // by its owner after the call, so what remains of it is what the neuron's graph keeps.
    const input = x.mul(1);
    const start = performance.now();
    const s = node.call(input);
    input.dispose();
    const saved = (memory().cpuAllocatedBytes - before - elements * 4) / elements;
    s.backward(g);
    return { saved, ms: performance.now() - start }; // the memory reading is inside, and costs nothing
  });
}

const relu = (): number =>
  tidy(() => {
    const x = randn(SHAPE);
    const start = performance.now();
    x.relu();
    return performance.now() - start;
  });

console.log(`x [${SHAPE.join(', ')}] float32, ${values.threads} threads, median of ${rounds}; ReLU forward alone: ${median(Array.from({ length: rounds }, relu)).toFixed(1)} ms`);
console.log('| neuron, spike function | fused: ms fwd+bwd | composed | composed/fused | fused: bytes kept per element | composed |');
console.log('|---|---|---|---|---|---|');
for (const [label, make] of NEURONS) {
  const fused = make(true);
  const composed = make(false);
  measure(fused); // warm-up
  measure(composed);
  const f: { saved: number; ms: number }[] = [];
  const c: { saved: number; ms: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    f.push(measure(fused));
    c.push(measure(composed));
  }
  const fm = median(f.map((m) => m.ms));
  const cm = median(c.map((m) => m.ms));
  console.log(`| ${label} | ${fm.toFixed(1)} | ${cm.toFixed(1)} | ${(cm / fm).toFixed(2)} | ${f[0].saved.toFixed(1)} | ${c[0].saved.toFixed(1)} |`);
}
