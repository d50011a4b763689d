// `htaf bench infer`: inference of an exported model (.htafb) by the runtime's kernels against the same
// network in htaf's exact mode on libtorch (float32), on the same rows: one JSON line with rows per
// second, milliseconds per batch and the bytes one batch's activations take (bits after a step).
import { readFileSync } from 'node:fs';
import { setNumThreads } from '../core/runtime.js';
import { tidy } from '../core/scope.js';
import { Heaviside } from '../activations/index.js';
import { Linear, Module, ReLU, Sequential } from '../nn/index.js';
import { noGrad } from '../autograd/grad_mode.js';
import { fromTypedArray } from '../tensor/creation.js';
import { mulberry32 } from '../data/random.js';
import { loadModel, type RuntimeModel } from '../runtime/index.js';
import { parseHtafb } from '../runtime/format.js';
import { median, msSince } from './stats.js';

export const INFER_ENGINES = ['js', 'libtorch', 'onnxruntime'] as const;
export type InferEngine = (typeof INFER_ENGINES)[number];

export interface InferBenchOptions {
  model: string;
  engine: InferEngine;
  batch: number;
  steps: number;
  warmup: number;
  threads: number;
  seed: number;
}

/** The exported graph as htaf modules, the exact step in place of each step (the runtime's reference). */
function libtorchModel(rt: RuntimeModel, bytes: Uint8Array): Module {
  // The weights come out of the file through the runtime's own reader, so both engines run one set of numbers.
  const tensors = new Map([...parseHtafb(bytes).tensors].map(([k, t]) => [k, t.data as Float32Array]));
  const mods: Module[] = [];
  let width = rt.graph.inputs;
  for (const l of rt.graph.layers) {
    if (l.op === 'linear' || l.op === 'linear_bits') {
      const b = tensors.get(l.bias)!;
      const lin = new Linear(width, b.length);
      tidy(() => {
        const w = l.op === 'linear' ? fromTypedArray(tensors.get(l.weight)!, [b.length, width]) : fromTypedArray(tensors.get(l.weightT)!, [width, b.length]).t().contiguous();
        noGrad(() => {
          lin.weight.copy_(w);
          lin.bias!.copy_(fromTypedArray(b));
        });
      });
      mods.push(lin);
      width = b.length;
    } else mods.push(l.op === 'heaviside' ? new Heaviside() : new ReLU());
  }
  const m = new Sequential(...mods);
  m.eval();
  return m;
}

export function benchInfer(o: InferBenchOptions) {
  if (o.engine === 'onnxruntime') throw new Error('htaf bench infer: the onnxruntime engine is asynchronous; it runs through benchInferOnnx (infer_onnx.ts)');
  setNumThreads(o.threads);
  const bytes = new Uint8Array(readFileSync(o.model));
  const rt = loadModel(bytes);
  const f = rt.graph.inputs;
  const random = mulberry32(o.seed);
  const x = new Float32Array(o.batch * f).map(() => random()); // features as training scaled them: [0, 1]
  const times: number[] = [];
  let run: () => void;
  let dispose = () => {};
  if (o.engine === 'js') {
    run = () => void rt.predict(x, o.batch);
  } else {
    const m = libtorchModel(rt, bytes);
    const input = fromTypedArray(x, [o.batch, f]).keep();
    run = () => tidy(() => noGrad(() => void m.call(input).contiguous().toTypedArray()));
    dispose = () => {
      input.dispose();
      m.dispose();
    };
  }
  try {
    for (let s = 0; s < o.warmup + o.steps; s++) {
      const start = process.hrtime.bigint();
      run();
      if (s >= o.warmup) times.push(msSince(start));
    }
  } finally {
    dispose();
  }
  const ms = median(times);
  // The largest activation buffer one batch needs: 4 bytes a real value; the js engine keeps a step's
  // outputs as packed bits (libtorch as float32 0/1), but both compute each Linear's outputs as reals.
  let peak = 4 * o.batch * f;
  for (const l of rt.info().layers) peak = Math.max(peak, o.engine === 'js' && l.op === 'heaviside' ? (l.bitsPerExample / 8) * o.batch : 4 * o.batch * l.outputs);
  const stepBytes = rt.info().layers.filter((l) => l.op === 'heaviside').map((l) => (o.engine === 'js' ? l.bitsPerExample / 8 : 4 * l.outputs) * o.batch);
  return {
    impl: 'htaf', engine: o.engine, model: o.model, batch: o.batch, steps: o.steps, threads: o.threads,
    ms_per_batch: ms, rows_per_second: (o.batch / ms) * 1000, stat: 'median', peak_activation_bytes: peak, step_output_bytes: stepBytes,
  };
}
