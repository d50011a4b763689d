// torchvision's VisionTransformer (Dosovitskiy et al. 2021), with its state-dict names (class_token,
// conv_proj, encoder.pos_embedding, encoder.layers.encoder_layer_0.ln_1 / self_attention / ln_2 /
// mlp.0 / mlp.3, encoder.ln, heads.head), so ViT weights saved from PyTorch load as they are. Patches
// are embedded by a stride-p conv, a learned class token is prepended, pre-norm encoder blocks
// (LayerNorm eps 1e-6) follow, and the class token after the last LayerNorm is the pooled feature.
// Options size it for a CPU (patch size, depth, width, heads) and pick the MLP's activation (GELU as
// torchvision by default). Not built: torchvision's representation_size (pre_logits) and conv stems.
import { Conv2d, Dropout, LayerNorm, Linear, Module, MultiheadAttention, Sequential } from '../nn/index.js';
import { cat, zeros, empty } from '../tensor/functions.generated.js';
import * as init from '../nn/init.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptionsObject } from '../core/options.js';
import { activationOption, checkImageBatch, positiveIntOption, probabilityOption, type FeatureBackbone } from './backbone.js';

export interface VisionTransformerOptions {
  /** Height and width of the (square) input images. Required. */
  imageSize: number;
  /** Side of each square patch; must divide imageSize. Required. */
  patchSize: number;
  /** Encoder blocks. Required. */
  numLayers: number;
  /** Attention heads; must divide hiddenDim. Required. */
  numHeads: number;
  /** Width of the tokens. Required. */
  hiddenDim: number;
  /** Hidden width of each block's MLP. Required. */
  mlpDim: number;
  /** Outputs of heads.head. Default 1000. */
  numClasses?: number;
  /** Channels of the input images. Default 3. */
  inChannels?: number;
  /** Dropout after the embedding, the attention and in the MLP, in training. Default 0. */
  dropout?: number;
  /** Dropout on the attention weights, in training. Default 0. */
  attentionDropout?: number;
  /** Spec of the MLP's activation (registry), one module per block. Default 'gelu' (torchvision). */
  activation?: string;
}

const VIT_KEYS = ['imageSize', 'patchSize', 'numLayers', 'numHeads', 'hiddenDim', 'mlpDim', 'numClasses', 'inChannels', 'dropout', 'attentionDropout', 'activation'];
const LN_EPS = 1e-6;

/** Pre-norm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(·)). */
export class EncoderBlock extends Module {
  readonly ln_1: LayerNorm;
  readonly self_attention: MultiheadAttention;
  readonly dropout: Dropout;
  readonly ln_2: LayerNorm;
  /** torchvision's MLPBlock: Linear (mlp.0), activation (1), Dropout (2), Linear (mlp.3), Dropout (4). */
  readonly mlp: Sequential;
  /** The MLP's activation (mlp.1). */
  readonly act: Module;

  constructor(numHeads: number, hiddenDim: number, mlpDim: number, dropoutRate: number, attentionDropout: number, makeActivation: () => Module) {
    super();
    this.ln_1 = this.registerModule('ln_1', new LayerNorm(hiddenDim, { eps: LN_EPS }));
    this.self_attention = this.registerModule('self_attention', new MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout, batchFirst: true }));
    this.dropout = this.registerModule('dropout', new Dropout(dropoutRate));
    this.ln_2 = this.registerModule('ln_2', new LayerNorm(hiddenDim, { eps: LN_EPS }));
    this.act = makeActivation();
    const fc1 = new Linear(hiddenDim, mlpDim);
    const fc2 = new Linear(mlpDim, hiddenDim);
    this.mlp = this.registerModule('mlp', new Sequential(fc1, this.act, new Dropout(dropoutRate), fc2, new Dropout(dropoutRate)));
    // torchvision's MLPBlock init: Xavier-uniform weights, biases N(0, 1e-6²).
    for (const fc of [fc1, fc2]) {
      init.xavierUniform_(fc.weight);
      init.normal_(fc.bias!, 0, 1e-6);
    }
  }

  forward(input: Tensor): Tensor {
    const h = this.ln_1.call(input);
    const [attended] = this.self_attention.call(h, h, h, { needWeights: false });
    const x = this.dropout.call(attended).add(input);
    return x.add(this.mlp.call(this.ln_2.call(x)));
  }
}

/** Position embedding, dropout, the blocks (layers.encoder_layer_i) and the final LayerNorm. */
export class VitEncoder extends Module {
  readonly pos_embedding: Tensor;
  readonly dropout: Dropout;
  readonly layers: Sequential;
  readonly ln: LayerNorm;

  constructor(seqLength: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number, dropoutRate: number, attentionDropout: number, makeActivation: () => Module) {
    super();
    // BERT's initialization, as torchvision.
    this.pos_embedding = this.registerParameter('pos_embedding', empty([1, seqLength, hiddenDim]));
    init.normal_(this.pos_embedding, 0, 0.02);
    this.dropout = this.registerModule('dropout', new Dropout(dropoutRate));
    const blocks: Record<string, Module> = {};
    for (let i = 0; i < numLayers; i++) blocks[`encoder_layer_${i}`] = new EncoderBlock(numHeads, hiddenDim, mlpDim, dropoutRate, attentionDropout, makeActivation);
    this.layers = this.registerModule('layers', new Sequential(blocks));
    this.ln = this.registerModule('ln', new LayerNorm(hiddenDim, { eps: LN_EPS }));
  }

  forward(input: Tensor): Tensor {
    return this.ln.call(this.layers.call(this.dropout.call(input.add(this.pos_embedding))));
  }
}

export class VisionTransformer extends Module implements FeatureBackbone {
  readonly imageSize: number;
  readonly patchSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly hiddenDim: number;
  readonly mlpDim: number;
  readonly numClasses: number;
  readonly inChannels: number;
  readonly dropout: number;
  readonly attentionDropout: number;
  /** The MLPs' activation spec. */
  readonly activation: string;
  /** Tokens per image: patches + the class token. */
  readonly seqLength: number;

  readonly class_token: Tensor;
  readonly conv_proj: Conv2d;
  readonly encoder: VitEncoder;
  readonly heads: Sequential;
  readonly #head: Linear;

  constructor(options: VisionTransformerOptions) {
    super();
    checkOptionsObject('VisionTransformer', options, VIT_KEYS);
    const req = (name: keyof VisionTransformerOptions) => {
      if (options[name] === undefined) throw new Error(`VisionTransformer: option ${name} is required`);
      return positiveIntOption('VisionTransformer', name, options[name], 0);
    };
    this.imageSize = req('imageSize');
    this.patchSize = req('patchSize');
    this.numLayers = req('numLayers');
    this.numHeads = req('numHeads');
    this.hiddenDim = req('hiddenDim');
    this.mlpDim = req('mlpDim');
    if (this.imageSize % this.patchSize !== 0) {
      throw new Error(`VisionTransformer: patchSize (${this.patchSize}) must divide imageSize (${this.imageSize})`);
    }
    if (this.hiddenDim % this.numHeads !== 0) {
      throw new Error(`VisionTransformer: numHeads (${this.numHeads}) must divide hiddenDim (${this.hiddenDim})`);
    }
    this.numClasses = positiveIntOption('VisionTransformer', 'numClasses', options.numClasses, 1000);
    this.inChannels = positiveIntOption('VisionTransformer', 'inChannels', options.inChannels, 3);
    this.dropout = probabilityOption('VisionTransformer', 'dropout', options.dropout, 0);
    this.attentionDropout = probabilityOption('VisionTransformer', 'attentionDropout', options.attentionDropout, 0);
    const act = activationOption('VisionTransformer', options.activation, 'gelu');
    this.activation = act.spec;

    const p = this.patchSize;
    this.conv_proj = this.registerModule('conv_proj', new Conv2d(this.inChannels, this.hiddenDim, p, { stride: p }));
    this.seqLength = (this.imageSize / p) ** 2 + 1;
    this.class_token = this.registerParameter('class_token', zeros([1, 1, this.hiddenDim]));
    this.encoder = this.registerModule(
      'encoder',
      new VitEncoder(this.seqLength, this.numLayers, this.numHeads, this.hiddenDim, this.mlpDim, this.dropout, this.attentionDropout, act.make),
    );
    this.#head = new Linear(this.hiddenDim, this.numClasses);
    this.heads = this.registerModule('heads', new Sequential({ head: this.#head }));
    this.resetParameters();
  }

  /**
   * torchvision's initialization of the stem and head: conv_proj weights N(0, 1/fan_in) (torchvision
   * truncates at ±2, which at this std is never reached), bias 0; heads.head weight and bias 0.
   */
  resetParameters(): void {
    const fanIn = this.inChannels * this.patchSize * this.patchSize;
    init.normal_(this.conv_proj.weight, 0, Math.sqrt(1 / fanIn));
    init.zeros_(this.conv_proj.bias!);
    init.zeros_(this.#head.weight);
    init.zeros_(this.#head.bias!);
  }

  /** The final Linear (torchvision's heads.head). */
  get head(): Linear {
    return this.#head;
  }

  /** Patch tokens [B, (imageSize/p)², hiddenDim]. */
  #patchTokens(x: Tensor): Tensor {
    checkImageBatch('VisionTransformer', x, this.inChannels);
    const [n, , h, w] = x.shape;
    if (h !== this.imageSize || w !== this.imageSize) {
      throw new Error(`VisionTransformer: expected ${this.imageSize}×${this.imageSize} images (imageSize); got ${h}×${w}`);
    }
    const patches = (this.imageSize / this.patchSize) ** 2;
    return this.conv_proj.call(x).reshape([n, this.hiddenDim, patches]).permute([0, 2, 1]);
  }

  /** The class token after the encoder's final LayerNorm [B, hiddenDim]: everything but heads.head. */
  forwardFeatures(x: Tensor): Tensor {
    const tokens = this.#patchTokens(x);
    const classTokens = this.class_token.expand([tokens.shape[0], -1, -1]);
    return this.encoder.call(cat([classTokens, tokens], 1)).select(1, 0);
  }

  forward(x: Tensor): Tensor {
    return this.heads.call(this.forwardFeatures(x));
  }

  /** Width of the pooled features (hiddenDim). */
  get numFeatures(): number {
    return this.hiddenDim;
  }

  extraRepr(): string {
    return `imageSize=${this.imageSize}, patchSize=${this.patchSize}, numLayers=${this.numLayers}, numHeads=${this.numHeads}, hiddenDim=${this.hiddenDim}, mlpDim=${this.mlpDim}, activation=${this.activation}`;
  }
}

/** Options of vitB32: the size is ViT-B/32's; image size, classes, channels, dropout and activation may change. */
export type VitB32Options = Partial<Pick<VisionTransformerOptions, 'imageSize' | 'numClasses' | 'inChannels' | 'dropout' | 'attentionDropout' | 'activation'>>;

/** torchvision's vit_b_32: patch 32, 12 layers, 12 heads, width 768, MLP 3072, 224×224 images by default. */
export function vitB32(options: VitB32Options = {}): VisionTransformer {
  checkOptionsObject('vitB32', options, ['imageSize', 'numClasses', 'inChannels', 'dropout', 'attentionDropout', 'activation']);
  return new VisionTransformer({ imageSize: 224, ...options, patchSize: 32, numLayers: 12, numHeads: 12, hiddenDim: 768, mlpDim: 3072 });
}
