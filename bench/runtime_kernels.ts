// Times the runtime's kernels per engine (js, wasm, each native build this CPU runs) on two layer shapes:
// an early layer (n=64, 28×28×16 → 16, k=3) and a Bi-Real late layer (n=64, 7×7×128 → 128, k=3), one thread.
// Prints a Markdown table of median (and fastest) milliseconds per call and images per second, in CPU
// time of this process (the kernels run on one thread), so other work on the machine counts less. Inputs: real maps half
// zeros (after a ReLU), bits 20% ones (spikes), signs 50/50.
//   node dist/bench/runtime_kernels.js [--rounds 5] [--only js,wasm,native/avx2]
import { parseArgs } from 'node:util';
import { median } from '../src/bench/stats.js';
import { bytesPerPixel, jsKernels, packedWords, wordsFor, type ConvShape, type Kernels } from '../src/runtime/kernels.js';
import { createWasmKernels } from '../src/runtime/wasm.js';
import { nativeKernelIsas, nativeKernels, setNativeKernelIsa } from '../src/export/native_kernels.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, only: { type: 'string' } } });
const rounds = Number(values.rounds);

let seed = 7;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
};
const floats = (n: number, zeros = 0): Float32Array => Float32Array.from({ length: n }, () => (random() < zeros ? 0 : random() * 2 - 1));
/** Activation bits, one per activation (kernels.ts: bytesPerPixel bytes a pixel). */
function bits(pixels: number, channels: number, density: number): Uint32Array {
  const bpp = bytesPerPixel(channels);
  const out = new Uint32Array(packedWords(pixels, channels));
  const bytes = new Uint8Array(out.buffer);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) if (random() < density) bytes[p * bpp + (c >>> 3)] |= 1 << (c & 7);
  return out;
}
/** A binary conv's weight bits: whole words per tap. */
function tapBits(pixels: number, channels: number, density: number): Uint32Array {
  const words = wordsFor(channels);
  const out = new Uint32Array(pixels * words);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < channels; c++) if (random() < density) out[p * words + (c >>> 5)] |= 1 << (c & 31);
  return out;
}

const SHAPES: { name: string; s: ConvShape }[] = [
  { name: '28×28×16→16 k3', s: { n: 64, h: 28, w: 28, cin: 16, cout: 16, kernel: 3, stride: 1, padding: 1 } },
  { name: '7×7×128→128 k3', s: { n: 64, h: 7, w: 7, cin: 128, cout: 128, kernel: 3, stride: 1, padding: 1 } },
];

const engines: { name: string; kernels: Kernels; use(): void }[] = [
  { name: 'js', kernels: jsKernels, use: () => {} },
  { name: 'wasm', kernels: createWasmKernels(), use: () => {} },
  ...nativeKernelIsas().available.map((isa) => ({ name: `native/${isa}`, kernels: nativeKernels(), use: () => { setNativeKernelIsa(isa); } })),
].filter((e) => !values.only || values.only.split(',').includes(e.name));

console.log('| shape | kernel | engine | ms / call (median) | ms (fastest) | images / s |');
console.log('|---|---|---|---:|---:|---:|');
for (const { name, s } of SHAPES) {
  const pixels = s.n * s.h * s.w;
  const x = floats(pixels * s.cin, 0.5);
  const weight = floats(s.kernel * s.kernel * s.cin * s.cout);
  const bias = floats(s.cout);
  const scale = floats(s.cout);
  const plane = bits(pixels, s.cin, 0.2);
  const signs = bits(pixels, s.cin, 0.5);
  const weightBits = new Int32Array(tapBits(s.cout * s.kernel * s.kernel, s.cin, 0.5).buffer);
  const threshold = floats(s.cin);
  const gain = floats(s.cin);
  const margins = new Float64Array(s.n);
  const calls: [string, (k: Kernels) => unknown][] = [
    ['convFloat', (k) => k.convFloat(x, weight, bias, s)],
    ['convBits', (k) => k.convBits([plane], weight, bias, s)],
    ['convBinary', (k) => k.convBinary(signs, weightBits, scale, bias, s)],
    ['step', (k) => k.step(x, pixels, s.cin, threshold, gain, s.h * s.w, margins)],
  ];
  for (const [kernel, call] of calls) {
    for (const e of engines) {
      e.use();
      call(e.kernels); // warm: JIT, wasm weight copies
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const t0 = process.cpuUsage();
        call(e.kernels);
        const t = process.cpuUsage(t0);
        times.push((t.user + t.system) / 1000);
      }
      const ms = median(times);
      console.log(`| ${name} | ${kernel} | ${e.name} | ${ms.toFixed(2)} | ${Math.min(...times).toFixed(2)} | ${Math.round((s.n * 1000) / ms)} |`);
    }
  }
}
