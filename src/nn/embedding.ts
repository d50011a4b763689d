// Embedding: a lookup table of numEmbeddings vectors of size embeddingDim, indexed by int64 tensors.
import { embedding, empty } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../autograd/grad_mode.js';
import { normal_ } from './init.js';
import { checkOptions, checkNonNegativeInt, FACTORY_KEYS, type FactoryOptions } from './layer_options.js';
import { Module } from './module.js';

export interface EmbeddingOptions extends FactoryOptions {
  /** This row is initialized to zeros and gets no gradient (negative counts from the end). */
  paddingIdx?: number | null;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** Normalized to a non-negative row, or null. */
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    checkOptions('Embedding', options, ['paddingIdx', ...FACTORY_KEYS]);
    this.numEmbeddings = checkNonNegativeInt('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = checkNonNegativeInt('Embedding', 'embeddingDim', embeddingDim);
    const pad = options.paddingIdx ?? null;
    if (pad !== null && (!Number.isInteger(pad) || pad >= numEmbeddings || pad < -numEmbeddings)) {
      throw new Error(`Embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings - 1}]; got ${JSON.stringify(pad)}`);
    }
    this.paddingIdx = pad === null ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.weight = this.registerParameter('weight', empty([numEmbeddings, embeddingDim], { dtype: options.dtype, device: options.device }));
    this.resetParameters();
  }

  /** PyTorch's default: N(0, 1), then the padding row zeroed. */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.weight.select(0, this.paddingIdx);
      noGrad(() => row.fill_(0));
      row.dispose();
    }
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx ?? -1 });
  }

  extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
