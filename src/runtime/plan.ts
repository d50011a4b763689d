// Checks a graph against its tensors before anything runs, and works out what every value is: its kind
// (real, bits, signs), its per-example shape ([H, W, C] or [F]), how many rows it has per example (T for
// a spike train) and how many bit planes (a sum of spike maps). An op the runtime lacks, an input that
// does not exist or has the wrong kind or shape, a tensor missing or of the wrong dtype or shape: each
// an Error naming the layer. It also finds, per value, the last node that reads it (to free it early).
import { OPS, type NodeSpec, type RuntimeGraph, type ValueKind } from './graph.js';
import type { RuntimeTensor } from './format_types.js';
import { bytesPerPixel, outSide, wordsFor } from './kernels.js';
import { ceilOutSide } from './ops.js';

export interface ValueInfo {
  kind: ValueKind;
  /** Per row: [H, W, C] for a map, [F] for a vector. */
  shape: number[];
  /** Rows per example: 1, or T for a spike train (time folded into the rows). */
  steps: number;
  /** Bit planes (bits values): 1, or the count of spike maps summed. */
  planes: number;
  /** Index of the last node reading it (the graph's outputs: the node count). */
  lastUse: number;
}

export interface Plan {
  values: Map<string, ValueInfo>;
}

function fail(msg: string): never {
  throw new Error(`htaf runtime: ${msg}`);
}

const channels = (v: ValueInfo): number => v.shape[v.shape.length - 1];

/** Bytes one row of a value takes (bits: one per activation, a pixel's rounded up to 1, 2 or 4·⌈C/32⌉ bytes). */
export function rowBytes(v: ValueInfo): number {
  const pixels = v.shape.length === 3 ? v.shape[0] * v.shape[1] : 1;
  return v.kind === 'real' ? 4 * pixels * channels(v) : pixels * bytesPerPixel(channels(v)) * v.planes;
}

export function planGraph(g: RuntimeGraph, tensors: Map<string, RuntimeTensor>): Plan {
  if (!g || (g.kind !== 'mlp' && g.kind !== 'image')) fail(`graph kind ${JSON.stringify(g?.kind)} is not one this runtime runs (mlp, image)`);
  if (!Array.isArray(g.input) || g.input.length !== (g.kind === 'mlp' ? 1 : 3) || g.input.some((d) => !Number.isInteger(d) || d < 1)) {
    fail(`the graph's input ${JSON.stringify(g.input)} must be ${g.kind === 'mlp' ? '[features]' : '[channels, height, width]'} of positive integers`);
  }
  if (!Number.isInteger(g.outputs) || g.outputs < 1) fail('the graph\'s outputs must be a positive integer');
  if (!Array.isArray(g.nodes) || g.nodes.length === 0) fail('the graph has no nodes');
  const values = new Map<string, ValueInfo>();
  const input = g.kind === 'mlp' ? [g.input[0]] : [g.input[1], g.input[2], g.input[0]];
  values.set('input', { kind: 'real', shape: input, steps: 1, planes: 1, lastUse: -1 });
  g.nodes.forEach((node, i) => {
    const name = typeof node?.name === 'string' && node.name !== '' ? node.name : `#${i}`;
    if (!OPS.includes(node?.op)) fail(`layer '${name}' (#${i}) is a '${String(node?.op)}', an op this runtime lacks (it runs ${OPS.join(', ')})`);
    if (values.has(name)) fail(`layer '${name}' (#${i}): a value of that name exists already`);
    if (!Array.isArray(node.inputs) || node.inputs.length !== (node.op === 'add' ? 2 : 1)) fail(`layer '${name}' (${node.op}) needs ${node.op === 'add' ? 2 : 1} input(s); got ${JSON.stringify(node.inputs)}`);
    const ins = node.inputs.map((v) => {
      const info = values.get(v);
      if (!info) fail(`layer '${name}' reads '${v}', which no earlier layer makes`);
      info.lastUse = i;
      return info;
    });
    values.set(name, { ...infer(name, node, ins, tensors), lastUse: -1 });
  });
  for (const [what, v] of [['output', g.output], ['concepts', g.concepts]] as const) {
    if (v === undefined && what === 'concepts') continue;
    const info = values.get(v ?? '');
    if (!info) fail(`the graph's ${what} '${v}' is no layer's value`);
    info.lastUse = g.nodes.length;
  }
  const out = values.get(g.output)!;
  if (out.kind !== 'real' || out.shape.length !== 1 || out.shape[0] !== g.outputs || out.steps !== 1) {
    fail(`the graph's output '${g.output}' is ${describe(out)}, not the ${g.outputs} values it declares`);
  }
  if (g.concepts !== undefined) {
    const c = values.get(g.concepts)!;
    if (c.kind !== 'bits' || c.shape.length !== 1 || c.planes !== 1) fail(`the graph's concepts '${g.concepts}' are ${describe(c)}, not a vector of bits`);
  }
  return { values };
}

function describe(v: ValueInfo): string {
  return `${v.kind} [${v.shape.join(', ')}]${v.steps > 1 ? ` over ${v.steps} steps` : ''}${v.planes > 1 ? ` in ${v.planes} planes` : ''}`;
}

function infer(name: string, node: NodeSpec, ins: ValueInfo[], tensors: Map<string, RuntimeTensor>): Omit<ValueInfo, 'lastUse'> {
  const x = ins[0];
  const where = `layer '${name}' (${node.op})`;
  const need = (key: string | undefined, dtype: RuntimeTensor['dtype'], shape: number[], what: string): RuntimeTensor => {
    const t = key === undefined ? undefined : tensors.get(key);
    if (!t) fail(`${where}: its ${what} tensor ${JSON.stringify(key)} is missing from the file`);
    if (t.dtype !== dtype || t.shape.join(',') !== shape.join(',')) fail(`${where}: tensor '${key}' is ${t.dtype} [${t.shape}], expected ${dtype} [${shape}]`);
    return t;
  };
  const kindIs = (...kinds: ValueKind[]) => {
    if (!kinds.includes(x.kind)) fail(`${where} needs ${kinds.join(' or ')} input; '${node.inputs[0]}' is ${describe(x)}`);
  };
  const isMap = () => {
    if (x.shape.length !== 3) fail(`${where} needs an image map [H, W, C]; '${node.inputs[0]}' is ${describe(x)}`);
  };
  const geometry = (n: { kernel: number; stride: number; padding: number }) => {
    for (const k of ['kernel', 'stride', 'padding'] as const) {
      if (!Number.isInteger(n[k]) || n[k] < (k === 'padding' ? 0 : 1)) fail(`${where}: ${k} must be a ${k === 'padding' ? 'non-negative' : 'positive'} integer; got ${JSON.stringify(n[k])}`);
    }
  };
  const cin = channels(x);
  const same = { kind: x.kind, shape: x.shape, steps: x.steps, planes: x.planes };
  switch (node.op) {
    case 'conv2d':
    case 'conv2d_bits':
    case 'conv2d_binary': {
      kindIs(node.op === 'conv2d' ? 'real' : node.op === 'conv2d_bits' ? 'bits' : 'signs');
      isMap();
      geometry(node);
      const k = node.kernel;
      let cout: number;
      if (node.op === 'conv2d_binary') {
        cout = tensors.get(node.scale)?.shape[0] ?? NaN;
        need(node.scale, 'F32', [cout], 'scale');
        need(node.bias, 'F32', [cout], 'bias');
        need(node.weightBits, 'I32', [cout, k, k, wordsFor(cin)], 'weightBits');
      } else {
        cout = tensors.get(node.weight)?.shape[3] ?? NaN;
        need(node.weight, 'F32', [k, k, cin, cout], 'weight');
        if (node.bias !== undefined) need(node.bias, 'F32', [cout], 'bias');
      }
      const oh = outSide(x.shape[0], k, node.stride, node.padding);
      const ow = outSide(x.shape[1], k, node.stride, node.padding);
      if (!(oh >= 1 && ow >= 1)) fail(`${where}: a ${k}×${k} kernel (padding ${node.padding}) does not fit the ${x.shape[0]}×${x.shape[1]} map`);
      return { kind: 'real', shape: [oh, ow, cout], steps: x.steps, planes: 1 };
    }
    case 'linear':
    case 'linear_bits': {
      kindIs(node.op === 'linear' ? 'real' : 'bits');
      if (x.shape.length !== 1) fail(`${where} needs a vector; '${node.inputs[0]}' is ${describe(x)}`);
      const out = tensors.get(node.bias)?.shape[0] ?? NaN;
      need(node.bias, 'F32', [out], 'bias');
      need(node.weight, 'F32', [cin, out], 'weight');
      return { kind: 'real', shape: [out], steps: x.steps, planes: 1 };
    }
    case 'step':
      kindIs('real');
      need(node.threshold, 'F32', [cin], 'threshold');
      need(node.gain, 'F32', [cin], 'gain');
      return { kind: node.signed ? 'signs' : 'bits', shape: x.shape, steps: x.steps, planes: 1 };
    case 'lif': {
      kindIs('real');
      if (!Number.isInteger(node.steps) || node.steps < 1) fail(`${where}: steps must be a positive integer; got ${JSON.stringify(node.steps)}`);
      if (!(node.tau > 1) || !Number.isFinite(node.vThreshold) || !(node.vReset === null || Number.isFinite(node.vReset))) fail(`${where}: needs tau > 1, a finite vThreshold and a finite or null vReset`);
      const expect = node.repeat ? 1 : node.steps;
      if (x.steps !== expect) fail(`${where}: its input has ${x.steps} step(s) per example, expected ${expect}`);
      return { kind: 'bits', shape: x.shape, steps: node.steps, planes: 1 };
    }
    case 'add': {
      const y = ins[1];
      if (x.kind !== y.kind || x.kind === 'signs' || x.shape.join(',') !== y.shape.join(',') || x.steps !== y.steps) {
        fail(`${where}: '${node.inputs[0]}' is ${describe(x)} and '${node.inputs[1]}' is ${describe(y)}; it adds two real or two bits values of one shape`);
      }
      return { ...same, planes: x.kind === 'bits' ? x.planes + y.planes : 1 };
    }
    case 'affine':
      kindIs('real');
      need(node.scale, 'F32', [cin], 'scale');
      need(node.shift, 'F32', [cin], 'shift');
      return same;
    case 'relu':
      kindIs('real');
      return same;
    case 'maxpool2d':
    case 'avgpool2d': {
      kindIs('real');
      isMap();
      geometry(node);
      const side = node.op === 'maxpool2d' ? outSide : ceilOutSide;
      const oh = side(x.shape[0], node.kernel, node.stride, node.padding);
      const ow = side(x.shape[1], node.kernel, node.stride, node.padding);
      if (!(oh >= 1 && ow >= 1)) fail(`${where}: the window does not fit the ${x.shape[0]}×${x.shape[1]} map`);
      return { kind: 'real', shape: [oh, ow, cin], steps: x.steps, planes: 1 };
    }
    case 'global_avgpool': {
      kindIs('real', 'bits');
      isMap();
      const steps = node.steps ?? 1;
      if (steps !== x.steps) fail(`${where}: steps ${steps} but '${node.inputs[0]}' has ${x.steps} step(s) per example`);
      return { kind: 'real', shape: [cin], steps: 1, planes: 1 };
    }
    case 'layernorm':
      kindIs('real');
      if (x.shape.length !== 1) fail(`${where} needs a vector; '${node.inputs[0]}' is ${describe(x)}`);
      if (!(node.eps > 0)) fail(`${where}: eps must be positive`);
      need(node.weight, 'F32', [cin], 'weight');
      need(node.bias, 'F32', [cin], 'bias');
      return same;
  }
}
