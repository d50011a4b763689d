// `htaf bench infer`: inference of an exported model (.htafb) by one of the runtime's engines, by the
// run's own model in htaf's exact mode on libtorch (float32), or by onnxruntime on the file converted to
// ONNX in memory (src/export/onnx.ts; wasm, one thread), on the same inputs (the first test images of
// the run's dataset, or seeded random rows for a tabular model): one JSON line with examples per second,
// milliseconds per batch, the bytes the activations hold at once, and per step/LIF layer its share of ones.
import { readFileSync } from 'node:fs';
import { setNumThreads } from '../core/runtime.js';
import { mulberry32 } from '../data/random.js';
import { loadImageSource } from '../data/images/index.js';
import { ENGINES, kernelsFor, type EngineName } from '../export/engines.js';
import { exactReference } from '../export/reference.js';
import { htafbToOnnx } from '../export/onnx.js';
import { loadModel, type RuntimeModel } from '../runtime/index.js';
import { createOnnxPeer } from './onnx_peer.js';
import { median, msSince } from './stats.js';

export const INFER_ENGINES = [...ENGINES, 'libtorch', 'onnxruntime'] as const;
export type InferEngine = EngineName | 'libtorch' | 'onnxruntime';

export interface InferBenchOptions {
  model: string;
  engine: InferEngine;
  batch: number;
  steps: number;
  warmup: number;
  threads: number;
  seed: number;
  /** The run the model was exported from (for libtorch; default: the one the file names). */
  run?: string;
}

/** One batch of inputs as the runtime takes them. */
async function benchInputs(rt: RuntimeModel, batch: number, seed: number): Promise<Float32Array> {
  const g = rt.graph;
  if (g.kind === 'mlp') {
    const random = mulberry32(seed);
    return new Float32Array(batch * g.input[0]).map(() => random()); // features as training scaled them: [0, 1]
  }
  const dataset = JSON.parse(rt.info().metadata.source ?? '{}').dataset ?? 'fashion-mnist';
  const test = (await loadImageSource(dataset)).test;
  const per = g.input.reduce((a, b) => a * b, 1);
  const pixels = new Uint8Array(batch * per);
  for (let i = 0; i < batch; i++) pixels.set(test.images.subarray(((i % test.labels.length) * per), ((i % test.labels.length) + 1) * per), i * per);
  return rt.standardize(pixels, batch);
}

export async function benchInfer(o: InferBenchOptions) {
  setNumThreads(o.threads);
  const bytes = new Uint8Array(readFileSync(o.model));
  const rt = loadModel(bytes, { kernels: kernelsFor(o.engine === 'libtorch' || o.engine === 'onnxruntime' ? 'js' : o.engine) });
  const x = await benchInputs(rt, o.batch, o.seed);
  const info = rt.info();
  let run: () => void | Promise<void>;
  let dispose: () => void | Promise<void> = () => {};
  let activity: { layer: string; ones: number }[] | undefined;
  if (o.engine === 'libtorch') {
    const runDir = o.run ?? JSON.parse(info.metadata.source ?? '{}').run;
    if (typeof runDir !== 'string') throw new Error(`htaf bench infer: ${o.model} does not name the run it came from; give --run DIR`);
    const ref = exactReference(runDir, rt.graph.input);
    run = () => void ref.run(x, o.batch);
    dispose = () => ref.dispose();
  } else if (o.engine === 'onnxruntime') {
    const peer = await createOnnxPeer(htafbToOnnx(bytes), rt.graph.input);
    run = async () => void (await peer.run(x, o.batch));
    dispose = () => peer.release();
  } else {
    run = () => void rt.predict(x, o.batch);
    activity = rt.predict(x, o.batch).activity.map((a) => ({ layer: a.layer, ones: a.ones }));
  }
  const times: number[] = [];
  try {
    for (let s = 0; s < o.warmup + o.steps; s++) {
      const start = process.hrtime.bigint();
      const pending = run(); // only onnxruntime's is asynchronous; the others are timed without an await
      if (pending) await pending;
      if (s >= o.warmup) times.push(msSince(start));
    }
  } finally {
    await dispose();
  }
  const ms = median(times);
  const per = info.peakActivationBytesPerExample;
  const unit = rt.graph.kind === 'image' ? 'images_per_second' : 'rows_per_second';
  return {
    impl: 'htaf', engine: o.engine, model: o.model, batch: o.batch, steps: o.steps, threads: o.engine === 'onnxruntime' ? 1 : o.threads, stat: 'median',
    ms_per_batch: ms, [unit]: (o.batch / ms) * 1000,
    peak_activation_bytes: (o.engine === 'libtorch' || o.engine === 'onnxruntime' ? per.float32 : per.packed) * o.batch,
    parameter_bytes: info.parameterBytes, float32_parameter_bytes: info.float32ParameterBytes,
    ...(activity ? { activity } : {}),
  };
}
