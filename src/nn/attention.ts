// MultiheadAttention, as torch.nn.MultiheadAttention computes it, so a Vision Transformer saved from PyTorch
// loads by name (in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias) and gives the same numbers.
// It is composed from existing ops (linear, matmul, softmax, reshape, transpose): libtorch's fused
// attention kernel is not in the op table, and the composition is what PyTorch 1.13 runs on CPU anyway.
// Only the common configuration is built: key and value of the query's width (the packed in_proj_weight),
// no bias_k/bias_v, no add_zero_attn.
import { dropout, empty, linear, zeros } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { constant_, xavierUniform_ } from './init.js';
import { checkOptions, checkPositiveInt, FACTORY_KEYS, type FactoryOptions } from './layer_options.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout on the attention weights in training (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Inputs and outputs are [batch, sequence, embed] (true) or [sequence, batch, embed] (false, the default, as PyTorch). */
  batchFirst?: boolean;
}

export interface MultiheadAttentionCallOptions {
  /** Return the attention weights as the second element (default true, as PyTorch); false returns null there. */
  needWeights?: boolean;
  /** With needWeights, average the weights over the heads ([B, L, S]) or keep them per head ([B, H, L, S]) (default true). */
  averageAttnWeights?: boolean;
  /**
   * [L, S] or [B·numHeads, L, S]. A bool mask marks with true the positions that may NOT be attended to;
   * a float mask is added to the attention scores.
   */
  attnMask?: Tensor | null;
  /** [B, S] (or [S] unbatched) bool: true marks key positions to ignore (padding). */
  keyPaddingMask?: Tensor | null;
}

const CALL_KEYS = ['needWeights', 'averageAttnWeights', 'attnMask', 'keyPaddingMask'];

function shapeText(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  /** [3·embedDim, embedDim]: the query, key and value projections stacked (PyTorch's packed layout). */
  readonly inProjWeight: Tensor;
  readonly inProjBias: Tensor | null;
  readonly outProj: Linear;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    checkOptions('MultiheadAttention', options, ['dropout', 'bias', 'batchFirst', ...FACTORY_KEYS]);
    this.embedDim = checkPositiveInt('MultiheadAttention', 'embedDim', embedDim);
    this.numHeads = checkPositiveInt('MultiheadAttention', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) {
      throw new Error(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    }
    this.headDim = embedDim / numHeads;
    this.dropout = options.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1)) {
      throw new Error(`MultiheadAttention: dropout must be a probability in [0, 1]; got ${JSON.stringify(options.dropout)}`);
    }
    this.batchFirst = options.batchFirst ?? false;
    const bias = options.bias ?? true;
    const factory = { dtype: options.dtype, device: options.device };
    // PyTorch's registration order, which is its state-dict order.
    this.inProjWeight = this.registerParameter('in_proj_weight', empty([3 * embedDim, embedDim], factory));
    this.inProjBias = this.registerParameter('in_proj_bias', bias ? zeros([3 * embedDim], factory) : null);
    this.outProj = this.registerModule('out_proj', new Linear(embedDim, embedDim, { bias, ...factory }));
    this.resetParameters();
  }

  /**
   * PyTorch's _reset_parameters: in_proj_weight Xavier-uniform, both biases 0; out_proj.weight keeps the
   * Linear default it drew when built (before in_proj_weight, the same order of draws as PyTorch).
   */
  resetParameters(): void {
    xavierUniform_(this.inProjWeight);
    if (this.inProjBias) constant_(this.inProjBias, 0);
    if (this.outProj.bias) constant_(this.outProj.bias, 0);
  }

  /**
   * Attention of query over key/value (self-attention: pass the same tensor three times). Returns
   * [output, weights]: output has the query's shape; weights [B, L, S] (or per head, or null, see options).
   */
  forward(query: Tensor, key: Tensor = query, value: Tensor = key, options: MultiheadAttentionCallOptions = {}): [Tensor, Tensor | null] {
    checkOptions('MultiheadAttention.forward', options, CALL_KEYS);
    const batched = this.#checkInputs(query, key, value);
    // Work batch-first, [B, L, E].
    const toInternal = (t: Tensor) => (!batched ? t.unsqueeze(0) : this.batchFirst ? t : t.transpose(0, 1));
    const [q, k, v] = this.#project(toInternal(query), toInternal(key), toInternal(value), query === key && key === value);
    const [B, L] = [q.shape[0], q.shape[1]];
    const S = k.shape[1];
    const heads = (t: Tensor, len: number) => t.reshape([B, len, this.numHeads, this.headDim]).transpose(1, 2);
    // PyTorch scales q before the product (not the scores): the same rounding as its own composition.
    let scores = heads(q, L).div(Math.sqrt(this.headDim)).matmul(heads(k, S).transpose(-2, -1)); // [B, H, L, S]
    scores = this.#applyMasks(scores, options, batched, B, L, S);
    let weights = scores.softmax(-1);
    if (this.dropout > 0 && this.training) weights = dropout(weights, this.dropout, true);
    const context = weights.matmul(heads(v, S)).transpose(1, 2).reshape([B, L, this.embedDim]);
    let output = this.outProj.call(context);
    output = !batched ? output.squeeze(0) : this.batchFirst ? output : output.transpose(0, 1);
    if (!(options.needWeights ?? true)) return [output, null];
    let w = options.averageAttnWeights ?? true ? weights.mean(1) : weights;
    if (!batched) w = w.squeeze(0);
    return [output, w];
  }

  /** Checks ranks and widths; returns whether the inputs are batched (3-D) rather than unbatched (2-D). */
  #checkInputs(query: Tensor, key: Tensor, value: Tensor): boolean {
    const rank = query.shape.length;
    if (rank !== 2 && rank !== 3) {
      throw new Error(`MultiheadAttention: query must be 3-D (${this.batchFirst ? '[batch, seq, embed]' : '[seq, batch, embed]'}) or 2-D unbatched [seq, embed]; got ${shapeText(query)}`);
    }
    for (const [name, t] of [['key', key], ['value', value]] as const) {
      if (t.shape.length !== rank) throw new Error(`MultiheadAttention: ${name} must have the query's rank ${rank}; got ${name} ${shapeText(t)}, query ${shapeText(query)}`);
    }
    for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) {
      if (t.shape[rank - 1] !== this.embedDim) {
        throw new Error(`MultiheadAttention: ${name} must have embedDim ${this.embedDim} features in its last dim; got ${shapeText(t)}`);
      }
    }
    const batchDim = this.batchFirst ? 0 : 1;
    const seqDim = 1 - batchDim;
    if (rank === 3 && (key.shape[batchDim] !== query.shape[batchDim] || value.shape[batchDim] !== query.shape[batchDim])) {
      throw new Error(`MultiheadAttention: query, key and value must have the same batch size; got ${shapeText(query)}, ${shapeText(key)}, ${shapeText(value)}`);
    }
    const kSeq = rank === 3 ? key.shape[seqDim] : key.shape[0];
    const vSeq = rank === 3 ? value.shape[seqDim] : value.shape[0];
    if (kSeq !== vSeq) throw new Error(`MultiheadAttention: key and value must have the same sequence length; got ${shapeText(key)} and ${shapeText(value)}`);
    return rank === 3;
  }

  /** The three input projections: one packed product for self-attention, three slices of the weight otherwise. */
  #project(q: Tensor, k: Tensor, v: Tensor, selfAttention: boolean): [Tensor, Tensor, Tensor] {
    if (selfAttention) {
      const [pq, pk, pv] = linear(q, this.inProjWeight, this.inProjBias).chunk(3, -1);
      return [pq, pk, pv];
    }
    const w = this.inProjWeight.chunk(3, 0);
    const b = this.inProjBias ? this.inProjBias.chunk(3, 0) : [null, null, null];
    return [linear(q, w[0], b[0]), linear(k, w[1], b[1]), linear(v, w[2], b[2])];
  }

  #applyMasks(scores: Tensor, options: MultiheadAttentionCallOptions, batched: boolean, B: number, L: number, S: number): Tensor {
    const { attnMask, keyPaddingMask } = options;
    let out = scores;
    if (attnMask !== undefined && attnMask !== null) {
      const m = attnMask.shape;
      let mask: Tensor;
      if (m.length === 2 && m[0] === L && m[1] === S) mask = attnMask;
      else if (m.length === 3 && m[0] === B * this.numHeads && m[1] === L && m[2] === S) mask = attnMask.reshape([B, this.numHeads, L, S]);
      else throw new Error(`MultiheadAttention: attnMask must be [${L}, ${S}] or [${B * this.numHeads}, ${L}, ${S}] (batch·heads, target, source); got ${shapeText(attnMask)}`);
      out = attnMask.dtype === 'bool' ? out.maskedFill(mask, -Infinity) : out.add(mask);
    }
    if (keyPaddingMask !== undefined && keyPaddingMask !== null) {
      const expected = batched ? [B, S] : [S];
      if (keyPaddingMask.dtype !== 'bool' || keyPaddingMask.shape.length !== expected.length || keyPaddingMask.shape.some((d, i) => d !== expected[i])) {
        throw new Error(`MultiheadAttention: keyPaddingMask must be a bool tensor [${expected.join(', ')}]; got ${keyPaddingMask.dtype}${shapeText(keyPaddingMask)}`);
      }
      out = out.maskedFill(keyPaddingMask.reshape([B, 1, 1, S]), -Infinity);
    }
    return out;
  }

  extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, dropout=${this.dropout}, batchFirst=${this.batchFirst}, bias=${this.inProjBias !== null}`;
  }
}
