// The Implicit Concept Bottleneck Model (docs/method.md §4): f = h ∘ g. g is an image backbone whose final layer
// outputs M values, passed through an optional normalization and a binary activation (HTAF in training,
// the exact step at inference), so g(x) ∈ {0, 1}^M: the implicit concepts. h is one linear layer, so the
// importance of concept j for class c is |w[c][j]|.
// The standard model the paper compares with is the same network with ReLU in place of the binary
// activation: its features at the same layer feed the BM and matched-threshold baselines.
// State-dict names: backbone.* (torchvision's names inside), norm.*, concept.*, head.weight, head.bias.
import { BatchNorm1d, Identity, LayerNorm, Linear, Module } from '../nn/index.js';
import { activationFactory } from '../activations/index.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Where the binarity of the concepts comes from is the scale of their pre-activations (an HTAF(2, 11)
 * input of 0.1 gives 0.90, of 1 gives 0.99998), so the layer before the activation is a choice:
 *   linear     the backbone's final Linear alone (the paper's design)
 *   linear-bn  + BatchNorm1d(M): each concept's pre-activation standardized, then a learned scale/shift
 *   linear-ln  + LayerNorm(M): each image's M pre-activations standardized together
 */
export const CONCEPT_LAYERS = ['linear', 'linear-bn', 'linear-ln'] as const;
export type ConceptLayerDesign = (typeof CONCEPT_LAYERS)[number];
/**
 * The default design, by measurement (bench/RESULTS.md): on Fashion-MNIST (ResNet-18 base 16, M = 64,
 * HTAF) linear reached 89.28% exact accuracy and 93.5% binarity, within 0.25 points of the best
 * (linear-ln: 89.53%, 94.4%; linear-bn: 88.84%, 92.3%) with the best concept accuracy; with few concepts
 * (M = 8, 10 classes) linear-ln failed to learn (40% against 80% for linear), since LayerNorm over so few
 * units forces about half of them on in every image.
 */
export const DEFAULT_CONCEPT_LAYER: ConceptLayerDesign = 'linear';

export function checkConceptLayer(where: string, design: unknown): ConceptLayerDesign {
  if (!CONCEPT_LAYERS.includes(design as ConceptLayerDesign)) {
    throw new Error(`${where}: the concept layer must be one of ${CONCEPT_LAYERS.join(', ')}; got ${JSON.stringify(design)}`);
  }
  return design as ConceptLayerDesign;
}

function normFor(design: ConceptLayerDesign, concepts: number): Module {
  if (design === 'linear-bn') return new BatchNorm1d(concepts);
  if (design === 'linear-ln') return new LayerNorm(concepts);
  return new Identity();
}

export interface IcbmOptions {
  /** M, the number of concepts: the backbone's output width. */
  concepts: number;
  numClasses: number;
  /** The concepts' activation: a binary spec (htaf, ss, ste:...) for ICBM, 'relu' for the standard model. */
  activation: string;
  /** The layers between the backbone's final Linear and the activation (default 'linear', by measurement: bench/RESULTS.md). */
  conceptLayer?: ConceptLayerDesign;
}

export class Icbm extends Module {
  readonly backbone: Module;
  readonly norm: Module;
  readonly concept: Module;
  readonly head: Linear;
  readonly numConcepts: number;
  readonly conceptLayer: ConceptLayerDesign;
  readonly activation: string;

  /** @param backbone images [B, C, H, W] → [B, concepts] (e.g. a ResNet built with numClasses = concepts) */
  constructor(backbone: Module, options: IcbmOptions) {
    super();
    const { concepts, numClasses, activation } = options;
    for (const [name, v] of [['concepts', concepts], ['numClasses', numClasses]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Icbm: ${name} must be a positive integer; got ${JSON.stringify(v)}`);
    }
    if (!(backbone instanceof Module)) throw new Error('Icbm: backbone must be a Module');
    this.conceptLayer = checkConceptLayer('Icbm', options.conceptLayer ?? DEFAULT_CONCEPT_LAYER);
    this.activation = activation;
    this.numConcepts = concepts;
    this.backbone = this.registerModule('backbone', backbone);
    this.norm = this.registerModule('norm', normFor(this.conceptLayer, concepts));
    this.concept = this.registerModule('concept', activationFactory(activation)());
    this.head = this.registerModule('head', new Linear(concepts, numClasses));
  }

  /** g(x): the concepts [B, M] (smooth or exact, as the model's step mode says). */
  concepts(x: Tensor): Tensor {
    return this.concept.call(this.norm.call(this.backbone.call(x)));
  }

  forward(x: Tensor): Tensor {
    return this.head.call(this.concepts(x));
  }

  extraRepr(): string {
    return `concepts=${this.numConcepts}, conceptLayer=${this.conceptLayer}, activation=${this.activation}`;
  }
}
