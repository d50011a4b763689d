// The bytes of an .htafb file built in memory from a graph and its tensors (a safetensors header with the
// graph in its metadata, then the tensors' bytes, 8-aligned), so tests can load hand-made graphs into the runtime.
import { HTAFB_FORMAT, HTAFB_VERSION, type RuntimeGraph } from '../../src/runtime/index.js';
import type { SourceTensor } from '../../src/export/onnx.js';

export function htafbBytes(graph: RuntimeGraph, tensors: Map<string, SourceTensor>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: HTAFB_FORMAT, version: String(HTAFB_VERSION), graph: JSON.stringify(graph) } };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let text = JSON.stringify(header);
  while ((8 + text.length) % 8 !== 0) text += ' ';
  const head = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
