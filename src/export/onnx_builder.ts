// A small builder of ONNX graphs: constants become initializers, each op call a node with fresh output
// names, and encode() writes the ModelProto bytes (protobufjs with the descriptor in onnx_schema.ts).
import protobuf from 'protobufjs';
import { ONNX_BOOL, ONNX_FLOAT, ONNX_INT64, ONNX_IR_VERSION, ONNX_OPSET, ONNX_SCHEMA } from './onnx_schema.js';

/** An attribute value: a float, an int, or a list of ints. */
export type OnnxAttr = { f: number } | { i: number } | { ints: number[] };

export const attrFloat = (f: number): OnnxAttr => ({ f });
export const attrInt = (i: number): OnnxAttr => ({ i });
export const attrInts = (ints: number[]): OnnxAttr => ({ ints });

/** A graph input or output: its name, float32 or bool, and dims (a string names a free dim). */
export interface OnnxIo {
  name: string;
  elemType?: 'float' | 'bool';
  dims: (number | string)[];
}

interface TensorMessage {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

let modelType: protobuf.Type | undefined;

function modelProto(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelType;
}

/** Little-endian bytes of float32 values. */
function floatBytes(v: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 * v.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(4 * i, v[i], true);
  return out;
}

function int64Bytes(v: readonly number[]): Uint8Array {
  const out = new Uint8Array(8 * v.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isSafeInteger(v[i])) throw new Error(`onnx export: ${v[i]} is not an integer an int64 tensor can hold exactly`);
    view.setBigInt64(8 * i, BigInt(v[i]), true);
  }
  return out;
}

export class OnnxGraphBuilder {
  readonly #nodes: object[] = [];
  readonly #initializers: TensorMessage[] = [];
  readonly #used = new Set<string>();

  /** A fresh value name from `hint` (letters, digits, '_', '.', '/' kept; others become '_'). */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./]/g, '_') || 'v';
    let name = base;
    for (let k = 1; this.#used.has(name); k++) name = `${base}_${k}`;
    this.#used.add(name);
    return name;
  }

  /** Reserves a name exactly as given (a graph input or output); an Error if taken. */
  reserve(name: string): string {
    if (this.#used.has(name)) throw new Error(`onnx export: the value name '${name}' is used twice`);
    this.#used.add(name);
    return name;
  }

  /** A float32 constant of the given dims. */
  floats(hint: string, dims: number[], values: ArrayLike<number>): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (values.length !== count) throw new Error(`onnx export: constant '${hint}' has ${values.length} values for dims [${dims}]`);
    return this.#constant(hint, dims, ONNX_FLOAT, floatBytes(values));
  }

  /** A float32 scalar (rank 0). */
  scalar(hint: string, value: number): string {
    return this.#constant(hint, [], ONNX_FLOAT, floatBytes([value]));
  }

  /** An int64 vector (shapes, axes, split sizes). */
  int64s(hint: string, values: number[]): string {
    return this.#constant(hint, [values.length], ONNX_INT64, int64Bytes(values));
  }

  #constant(hint: string, dims: number[], dataType: number, rawData: Uint8Array): string {
    const name = this.fresh(hint);
    this.#initializers.push({ name, dims, dataType, rawData });
    return name;
  }

  /** Adds a node; returns its output names (`outputs` of them, or the names given). */
  op(opType: string, inputs: string[], attrs: Record<string, OnnxAttr> = {}, outputs: number | string[] = 1, hint = opType): string[] {
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, k) => this.fresh(outputs === 1 ? hint : `${hint}_${k}`)) : outputs;
    const attribute = Object.entries(attrs).map(([name, a]) => {
      if ('f' in a) return { name, type: 1, f: a.f };
      if ('i' in a) return { name, type: 2, i: a.i };
      return { name, type: 7, ints: a.ints };
    });
    this.#nodes.push({ input: inputs, output: names, name: this.fresh(`${hint}#node`), opType, attribute });
    return names;
  }

  /** The one-output form of op. */
  op1(opType: string, inputs: string[], attrs: Record<string, OnnxAttr> = {}, hint = opType): string {
    return this.op(opType, inputs, attrs, 1, hint)[0];
  }

  /** The ModelProto bytes of the graph with these inputs and outputs. */
  encode(name: string, inputs: OnnxIo[], outputs: OnnxIo[], docString = ''): Uint8Array {
    const io = (v: OnnxIo) => ({
      name: v.name,
      type: {
        tensorType: {
          elemType: v.elemType === 'bool' ? ONNX_BOOL : ONNX_FLOAT,
          shape: { dim: v.dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
        },
      },
    });
    const type = modelProto();
    const message = type.fromObject({
      irVersion: ONNX_IR_VERSION,
      producerName: 'htaf',
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      docString,
      graph: { name, node: this.#nodes, initializer: this.#initializers, input: inputs.map(io), output: outputs.map(io) },
    });
    return type.encode(message).finish();
  }
}
