// 'htaf/runtime': run an exported model (htaf export) without libtorch, a native build or any package:
//   const model = loadModel(bytes);                    // the .htafb file's bytes
//   const { outputs } = model.predict(rows, n);        // n rows of model.graph.inputs features, row-major
// This layer imports nothing else of htaf (tools/check-imports.mjs enforces it), so a bundler can ship it
// to a browser alone. Binary activations stay one bit each; see docs/runtime.md.
import { parseHtafb, type HtafbFile, type RuntimeGraph } from './format.js';
import { heavisidePack, linearBits, linearFloat, popcount, relu, wordsFor } from './kernels.js';

export { HTAFB_FORMAT, HTAFB_VERSION } from './format.js';
export type { LayerSpec, RuntimeGraph } from './format.js';

export interface Prediction {
  /** rows × graph.outputs, row-major: logits (binary: one, multiclass: k) or the regression value. */
  outputs: Float32Array;
  rows: number;
  /** Per row, the predicted class index (binary: logit ≥ 0; multiclass: argmax); absent for regression. */
  classes?: Int32Array;
  /** Per step layer: the share of its bits that are ones. */
  ones: number[];
  /** Per row, the smallest |pre-activation| met by any step: a prediction can differ from another engine's only when this is tiny. */
  margins: Float64Array;
}

export interface LayerInfo {
  name: string;
  op: string;
  outputs: number;
  /** Bits per example this layer's outputs take (1 per unit after a step, 32 otherwise). */
  bitsPerExample: number;
}

export interface RuntimeModel {
  readonly graph: RuntimeGraph;
  predict(input: Float32Array, rows: number): Prediction;
  info(): { layers: LayerInfo[]; parameterBytes: number; metadata: Record<string, string> };
}

/** Loads a model from the bytes of an .htafb file (errors name what is wrong with them). */
export function loadModel(bytes: Uint8Array): RuntimeModel {
  return new Model(parseHtafb(bytes));
}

class Model implements RuntimeModel {
  readonly graph: RuntimeGraph;
  readonly #file: HtafbFile;

  constructor(file: HtafbFile) {
    this.#file = file;
    this.graph = file.graph;
  }

  #f32(name: string): Float32Array {
    return this.#file.tensors.get(name)!.data as Float32Array;
  }

  predict(input: Float32Array, rows: number): Prediction {
    const g = this.graph;
    if (!(input instanceof Float32Array)) throw new Error(`htaf runtime: predict needs a Float32Array of rows × ${g.inputs} features; got ${Object.prototype.toString.call(input)}`);
    if (!Number.isInteger(rows) || rows < 1 || input.length !== rows * g.inputs) {
      throw new Error(`htaf runtime: predict: ${input.length} values are not ${rows} rows × ${g.inputs} features (the model's input shape is [rows, ${g.inputs}])`);
    }
    const margins = new Float64Array(rows).fill(Infinity);
    const ones: number[] = [];
    let real: Float32Array = input;
    let bits: Uint32Array | undefined;
    let width = g.inputs;
    for (const l of g.layers) {
      if (l.op === 'linear') {
        const b = this.#f32(l.bias);
        real = linearFloat(real, rows, width, this.#f32(l.weight), b);
        width = b.length;
      } else if (l.op === 'linear_bits') {
        const b = this.#f32(l.bias);
        real = linearBits(bits!, rows, width, this.#f32(l.weightT), b);
        bits = undefined;
        width = b.length;
      } else if (l.op === 'heaviside') {
        bits = heavisidePack(real, rows, width, margins);
        ones.push(popcount(bits) / (rows * width));
      } else {
        real = relu(real);
      }
    }
    const prediction: Prediction = { outputs: real, rows, ones, margins };
    if (g.task !== 'regression') {
      const k = g.outputs;
      const classes = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        if (k === 1) classes[r] = real[r] >= 0 ? 1 : 0;
        else {
          let best = 0;
          for (let c = 1; c < k; c++) if (real[r * k + c] > real[r * k + best]) best = c;
          classes[r] = best;
        }
      }
      prediction.classes = classes;
    }
    return prediction;
  }

  info(): { layers: LayerInfo[]; parameterBytes: number; metadata: Record<string, string> } {
    let width = this.graph.inputs;
    const layers = this.graph.layers.map((l) => {
      if (l.op === 'linear' || l.op === 'linear_bits') width = this.#f32(l.bias).length;
      return { name: l.name, op: l.op, outputs: width, bitsPerExample: l.op === 'heaviside' ? wordsFor(width) * 32 : 32 * width };
    });
    let parameterBytes = 0;
    for (const t of this.#file.tensors.values()) parameterBytes += t.data.byteLength;
    return { layers, parameterBytes, metadata: { ...this.#file.metadata, graph: '(see graph)' } };
  }
}
