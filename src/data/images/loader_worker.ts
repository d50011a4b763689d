// The batch loader's worker thread: it holds the pixels (shared with the main thread, not copied per
// batch) and answers each request {id, epoch, batch} with that batch's arrays, transferred, so the main
// thread only wraps them in tensors. It runs the same BatchBuilder as ImageLoader.batchesSync.
import { parentPort, workerData } from 'node:worker_threads';
import { BatchBuilder, type BatchPlan } from './batch_builder.js';

/** What the loader hands the worker at start. */
export interface LoaderWorkerData {
  readonly images: Uint8Array;
  readonly labels: Int32Array;
  readonly plan: BatchPlan;
}

/** A request for one batch. */
export interface BatchRequest {
  readonly id: number;
  readonly epoch: number;
  readonly batch: number;
}

/** The answer: the batch's arrays, or the message of what went wrong. */
export type BatchReply =
  | { readonly id: number; readonly x: Float32Array; readonly y: BigInt64Array; readonly indices: Int32Array }
  | { readonly id: number; readonly error: string };

const port = parentPort;
if (port !== null) {
  const { images, labels, plan } = workerData as LoaderWorkerData;
  const builder = new BatchBuilder(images, labels, plan);
  port.on('message', (request: BatchRequest) => {
    let reply: BatchReply;
    try {
      const { x, y, indices } = builder.build(request.epoch, request.batch);
      reply = { id: request.id, x, y, indices };
      port.postMessage(reply, [x.buffer as ArrayBuffer, y.buffer as ArrayBuffer, indices.buffer as ArrayBuffer]);
    } catch (err) {
      reply = { id: request.id, error: err instanceof Error ? err.stack ?? err.message : String(err) };
      port.postMessage(reply);
    }
  });
}
