// `htaf bench infer --engine onnxruntime`: the exported model converted to ONNX in memory (src/export/onnx.ts)
// and run by onnxruntime (wasm, one thread) on the same seeded rows as the other engines, with the same
// JSON fields. onnxruntime keeps every value as float32 (a step's bits too), so the bytes are counted so.
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../data/random.js';
import { parseHtafb } from '../runtime/format.js';
import { convertGraph } from '../export/onnx.js';
import { createOnnxPeer } from './onnx_peer.js';
import { median, msSince } from './stats.js';
import type { InferBenchOptions } from './infer.js';

export async function benchInferOnnx(o: InferBenchOptions) {
  const file = parseHtafb(new Uint8Array(readFileSync(o.model)));
  const graph = file.graph;
  const { model, values } = convertGraph(graph, file.tensors);
  const per = graph.input.reduce((a, b) => a * b, 1);
  const random = mulberry32(o.seed);
  const x = new Float32Array(o.batch * per).map(() => random()); // features as training scaled them: [0, 1]
  const peer = await createOnnxPeer(model, graph.input);
  const times: number[] = [];
  try {
    for (let s = 0; s < o.warmup + o.steps; s++) {
      const start = process.hrtime.bigint();
      await peer.run(x, o.batch);
      if (s >= o.warmup) times.push(msSince(start));
    }
  } finally {
    await peer.release();
  }
  const ms = median(times);
  const bytes = (name: string) => {
    const v = values.get(name)!;
    return 4 * o.batch * v.steps * v.shape.reduce((a, b) => a * b, 1);
  };
  let peak = 4 * o.batch * per;
  for (const n of graph.nodes) peak = Math.max(peak, bytes(n.name));
  const stepBytes = graph.nodes.filter((n) => n.op === 'step' || n.op === 'lif').map((n) => bytes(n.name));
  return {
    impl: 'htaf', engine: 'onnxruntime', model: o.model, batch: o.batch, steps: o.steps, threads: 1,
    ms_per_batch: ms, rows_per_second: (o.batch / ms) * 1000, stat: 'median', peak_activation_bytes: peak, step_output_bytes: stepBytes,
  };
}
