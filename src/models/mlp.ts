// The tabular network of the paper (docs/method.md §3, Table 8): a plain MLP, Linear → activation → ... → Linear,
// no batch norm. With a binary activation (HTAF, SS, STE, Heaviside) it is the deep Heaviside network
// (DHN): each hidden activation is smooth in training and the exact step at inference (setStepMode).
// State-dict names follow a PyTorch nn.Sequential held as `layers`: layers.0.weight, layers.0.bias,
// layers.2.weight, ... (activations at the odd indices hold no parameters).
import { Linear, Module, Sequential } from '../nn/index.js';
import { activationFactory } from '../activations/index.js';
import type { Tensor } from '../tensor/tensor.js';

function checkSize(what: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new Error(`TabularMlp: ${what} must be a positive integer; got ${String(n)}`);
  return n;
}

export class TabularMlp extends Module {
  readonly layers: Sequential;
  /** The hidden activations, one per hidden layer, in order (forward hooks here see the hidden units). */
  readonly activations: Module[];
  /** The linear layers, hidden.length + 1 of them; the last one gives the outputs (logits). */
  readonly linears: Linear[];
  /** The activation spec the hidden layers were built from. */
  readonly activation: string;

  /**
   * @param inFeatures input features
   * @param hidden widths of the hidden layers, e.g. [256, 256, 128] (may be empty: a linear model)
   * @param outFeatures outputs (1 logit for binary tasks and regression, k logits for k classes)
   * @param activation activation spec of the hidden layers (registry), e.g. 'htaf:alpha=2,beta=11', 'relu'
   */
  constructor(inFeatures: number, hidden: readonly number[], outFeatures: number, activation: string) {
    super();
    checkSize('inFeatures', inFeatures);
    checkSize('outFeatures', outFeatures);
    if (!Array.isArray(hidden)) throw new Error(`TabularMlp: hidden must be an array of layer widths; got ${String(hidden)}`);
    hidden.forEach((h, i) => checkSize(`hidden[${i}]`, h));
    if (typeof activation !== 'string') throw new Error(`TabularMlp: activation must be a spec string such as 'htaf' or 'relu'; got ${typeof activation}`);
    const make = activationFactory(activation); // throws on a bad spec, naming it
    this.activation = activation;
    this.linears = [];
    this.activations = [];
    const seq: Module[] = [];
    let width = inFeatures;
    for (const h of hidden) {
      const linear = new Linear(width, h);
      const act = make();
      this.linears.push(linear);
      this.activations.push(act);
      seq.push(linear, act);
      width = h;
    }
    const head = new Linear(width, outFeatures);
    this.linears.push(head);
    seq.push(head);
    this.layers = this.registerModule('layers', new Sequential(...seq));
  }

  forward(x: Tensor): Tensor {
    return this.layers.call(x);
  }

  extraRepr(): string {
    const widths = [this.linears[0].inFeatures, ...this.linears.map((l) => l.outFeatures)];
    return `${widths.join('-')}, activation=${this.activation}`;
  }
}
