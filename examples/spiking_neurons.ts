// Multi-step spiking neurons: a LIF layer over T time steps, its fused time loop against the composed
// reference, and the exact spikes of inference.
// Run: node dist/examples/spiking_neurons.js
import { LIFNode, manualSeed, randn, setNumThreads, setStepMode, tidy } from '../src/index.js';

setNumThreads(2);
manualSeed(0);
// Input currents over time, time first: [T = 4, batch 32, 16 channels, 28×28].
const x = randn([4, 32, 16, 28, 28]).requiresGrad_();

const fused = new LIFNode({ method: 'htaf', tau: 2 }); // the default: one native op for all T steps
const composed = new LIFNode({ method: 'htaf', tau: 2, fused: false }); // ~10 tensor ops per step
console.log(String(composed));

function trainStep(node: LIFNode): { ms: number; rate: number; grad: number[] } {
  return tidy(() => {
    x.grad = null;
    const start = performance.now();
    const spikes = node.call(x);
    spikes.mean().backward(); // BPTT through charge, HTAF and reset
    const ms = performance.now() - start;
    return { ms, rate: spikes.mean().item() as number, grad: x.grad!.flatten().slice(0, 0, 3).toFlatArray() };
  });
}

trainStep(fused); // warm up
trainStep(composed);
const a = trainStep(fused);
const b = trainStep(composed);
console.log(`fused:    ${a.ms.toFixed(1)} ms forward+backward, mean spike ${a.rate.toFixed(4)}`);
console.log(`composed: ${b.ms.toFixed(1)} ms forward+backward, mean spike ${b.rate.toFixed(4)}`);
const gradDiff = Math.max(...a.grad.map((g, i) => Math.abs(g - b.grad[i])));
console.log(`same mean spike: ${a.rate === b.rate}; gradients differ by ${gradDiff.toExponential(1)} (rounding)`);

// Inference: the spike function becomes the exact step, and every spike is 0 or 1.
setStepMode(fused, 'exact');
tidy(() => {
  const s = fused.call(x.detach());
  const binary = s.eq(0).logicalOr(s.eq(1)).all().item();
  console.log(`exact mode: every spike 0 or 1: ${binary}; firing rate ${((s.mean().item() as number) * 100).toFixed(1)}%`);
});
