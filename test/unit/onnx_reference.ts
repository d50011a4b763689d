// A naive reference of the runtime graph's semantics (src/runtime/graph.ts) for the ONNX export tests:
// every value NCHW (or [rows, F]) as plain float32 arrays, each op written out loop by loop from its
// definition, with no packing and no sharing with the exporter or the runtime.
import type { NodeSpec, RuntimeGraph } from '../../src/runtime/graph.js';
import type { SourceTensor } from '../../src/export/onnx.js';

interface RefVal {
  data: Float32Array;
  /** Per row: [C, H, W] or [F]. */
  shape: number[];
  rows: number;
}

const f = Math.fround;
const outSide = (s: number, k: number, st: number, p: number) => Math.floor((s + 2 * p - k) / st) + 1;

function ceilSide(s: number, k: number, st: number, p: number): number {
  let o = Math.ceil((s + 2 * p - k) / st) + 1;
  if ((o - 1) * st >= s + p) o--;
  return o;
}

/** Runs the graph on `rows` examples; returns the logits and (if the graph has them) the concept bits. */
export function referenceRun(graph: RuntimeGraph, tensors: Map<string, SourceTensor>, input: Float32Array, rows: number): { logits: Float32Array; concepts?: Float32Array } {
  const vals = new Map<string, RefVal>([['input', { data: input, shape: graph.input, rows }]]);
  for (const node of graph.nodes) vals.set(node.name, refNode(node, node.inputs.map((v) => vals.get(v)!), tensors, rows));
  return { logits: vals.get(graph.output)!.data, ...(graph.concepts ? { concepts: vals.get(graph.concepts)!.data } : {}) };
}

function refNode(node: NodeSpec, ins: RefVal[], tensors: Map<string, SourceTensor>, n: number): RefVal {
  const t = (k: string) => tensors.get(k)!.data as Float32Array;
  const x = ins[0];
  const per = x.shape.reduce((a, b) => a * b, 1);
  const c = x.shape[0];
  const plane = per / c;
  const perChannel = (fn: (v: number, ch: number) => number) => {
    const y = new Float32Array(x.data.length);
    for (let i = 0; i < y.length; i++) y[i] = fn(x.data[i], Math.floor((i % per) / plane));
    return { data: y, shape: x.shape, rows: x.rows };
  };
  switch (node.op) {
    case 'conv2d':
    case 'conv2d_bits':
    case 'conv2d_binary': {
      const [cin, h, w] = x.shape;
      const { kernel: k, stride: s, padding: p } = node;
      const oh = outSide(h, k, s, p);
      const ow = outSide(w, k, s, p);
      let cout: number;
      let weight: (o: number, ci: number, ky: number, kx: number) => number;
      if (node.op === 'conv2d_binary') {
        const bits = tensors.get(node.weightBits)!.data as Int32Array;
        cout = tensors.get(node.scale)!.shape[0];
        const words = Math.ceil(cin / 32);
        weight = (o, ci, ky, kx) => ((bits[((o * k + ky) * k + kx) * words + Math.floor(ci / 32)] >>> (ci % 32)) & 1 ? 1 : -1);
      } else {
        const wt = t(node.weight);
        cout = tensors.get(node.weight)!.shape[3];
        weight = (o, ci, ky, kx) => wt[((ky * k + kx) * cin + ci) * cout + o];
      }
      const y = new Float32Array(x.rows * cout * oh * ow);
      for (let r = 0; r < x.rows; r++) for (let o = 0; o < cout; o++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
        let acc = 0;
        for (let ci = 0; ci < cin; ci++) for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
          const iy = oy * s - p + ky;
          const ix = ox * s - p + kx;
          if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
          acc += x.data[((r * cin + ci) * h + iy) * w + ix] * weight(o, ci, ky, kx);
        }
        let v: number;
        if (node.op === 'conv2d_binary') v = f(f(t(node.scale)[o] * acc) + t(node.bias)[o]);
        else v = f(acc + (node.bias ? t(node.bias)[o] : 0));
        y[((r * cout + o) * oh + oy) * ow + ox] = v;
      }
      return { data: y, shape: [cout, oh, ow], rows: x.rows };
    }
    case 'linear':
    case 'linear_bits': {
      const b = t(node.bias);
      const wt = t(node.weight);
      const out = b.length;
      const y = new Float32Array(x.rows * out);
      for (let r = 0; r < x.rows; r++) for (let o = 0; o < out; o++) {
        let acc = b[o];
        for (let i = 0; i < c; i++) acc += x.data[r * c + i] * wt[i * out + o];
        y[r * out + o] = acc;
      }
      return { data: y, shape: [out], rows: x.rows };
    }
    case 'step': {
      const th = t(node.threshold);
      const g = t(node.gain);
      return perChannel((v, ch) => (g[ch] * (v - th[ch]) >= 0 ? 1 : node.signed ? -1 : 0));
    }
    case 'lif': {
      const T = node.steps;
      const rest = node.vReset ?? 0;
      const v = new Float32Array(n * per).fill(rest);
      const y = new Float32Array(T * n * per);
      for (let s = 0; s < T; s++) {
        for (let i = 0; i < n * per; i++) {
          const cur = x.data[(node.repeat ? 0 : s * n * per) + i];
          const h = f(v[i] + f(f(cur - f(v[i] - rest)) / node.tau));
          const fired = f(h - node.vThreshold) >= 0;
          y[s * n * per + i] = fired ? 1 : 0;
          v[i] = fired ? (node.vReset === null ? f(h - node.vThreshold) : node.vReset) : h;
        }
      }
      return { data: y, shape: x.shape, rows: T * n };
    }
    case 'add': {
      const y = new Float32Array(x.data.length);
      for (let i = 0; i < y.length; i++) y[i] = x.data[i] + ins[1].data[i];
      return { data: y, shape: x.shape, rows: x.rows };
    }
    case 'affine': {
      const sc = t(node.scale);
      const sh = t(node.shift);
      return perChannel((v, ch) => {
        const z = f(f(sc[ch] * v) + sh[ch]);
        return node.relu && !(z > 0) ? 0 : z;
      });
    }
    case 'relu':
      return perChannel((v) => (v > 0 ? v : 0));
    case 'maxpool2d':
    case 'avgpool2d': {
      const [, h, w] = x.shape;
      const { kernel: k, stride: s, padding: p } = node;
      const side = node.op === 'maxpool2d' ? outSide : ceilSide;
      const oh = side(h, k, s, p);
      const ow = side(w, k, s, p);
      const y = new Float32Array(x.rows * c * oh * ow);
      for (let r = 0; r < x.rows; r++) for (let ch = 0; ch < c; ch++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
        let acc = node.op === 'maxpool2d' ? -Infinity : 0;
        let count = 0;
        for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
          const iy = oy * s - p + ky;
          const ix = ox * s - p + kx;
          if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
          const v = x.data[((r * c + ch) * h + iy) * w + ix];
          acc = node.op === 'maxpool2d' ? Math.max(acc, v) : acc + v;
          count++;
        }
        y[((r * c + ch) * oh + oy) * ow + ox] = node.op === 'maxpool2d' ? acc : acc / count;
      }
      return { data: y, shape: [c, oh, ow], rows: x.rows };
    }
    case 'global_avgpool': {
      const T = node.steps ?? 1;
      const out = x.rows / T;
      const sum = new Float64Array(out * c);
      for (let r = 0; r < x.rows; r++) for (let ch = 0; ch < c; ch++) for (let q = 0; q < plane; q++) sum[(r % out) * c + ch] += x.data[(r * c + ch) * plane + q];
      return { data: Float32Array.from(sum, (v) => v / (plane * T)), shape: [c], rows: out };
    }
    case 'layernorm': {
      const wt = t(node.weight);
      const b = t(node.bias);
      const y = new Float32Array(x.data.length);
      for (let r = 0; r < x.rows; r++) {
        const row = x.data.subarray(r * c, (r + 1) * c);
        const mean = row.reduce((a, v) => a + v, 0) / c;
        const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / c;
        for (let i = 0; i < c; i++) y[r * c + i] = ((row[i] - mean) / Math.sqrt(variance + node.eps)) * wt[i] + b[i];
      }
      return { data: y, shape: x.shape, rows: x.rows };
    }
  }
}
