// onnxruntime (the onnxruntime-web package: its wasm build, which runs in Node too) as the inference peer
// of htaf's runtime: loads an ONNX model's bytes and runs batches of float32 rows on one thread.
// onnxruntime-web is a devDependency, imported only when this is used.

export interface OnnxPeerOutputs {
  logits: Float32Array;
  /** ICBM models: the concept bits as float 0/1. */
  concepts?: Float32Array;
}

export interface OnnxPeer {
  /** Runs `rows` examples of `inputShape` (row-major, images CHW). */
  run(input: Float32Array, rows: number): Promise<OnnxPeerOutputs>;
  release(): Promise<void>;
}

/** An onnxruntime session on the model bytes, one thread, for inputs of per-example shape `inputShape`. */
export async function createOnnxPeer(model: Uint8Array, inputShape: number[]): Promise<OnnxPeer> {
  let ort: typeof import('onnxruntime-web');
  try {
    ort = await import('onnxruntime-web');
  } catch (e) {
    throw new Error(`the onnxruntime engine needs the onnxruntime-web package (a devDependency of htaf: npm install): ${(e as Error).message}`);
  }
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const per = inputShape.reduce((a, b) => a * b, 1);
  return {
    async run(input, rows) {
      if (!Number.isInteger(rows) || rows < 1 || input.length !== rows * per) {
        throw new Error(`onnxruntime: ${input.length} values are not ${rows} rows of [${inputShape.join(', ')}]`);
      }
      const feeds = { input: new ort.Tensor('float32', input, [rows, ...inputShape]) };
      const out = await session.run(feeds);
      const result: OnnxPeerOutputs = { logits: out.logits.data as Float32Array };
      if (out.concepts) result.concepts = out.concepts.data as Float32Array;
      for (const t of Object.values(out)) t.dispose();
      return result;
    },
    release: () => session.release(),
  };
}
