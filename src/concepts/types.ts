// What an ICBM run leaves on disk for the tools that read it afterwards (report, naming, explanations):
// the concept bits of the train and test images, the linear head, the standard model's features at the
// same layer (its ReLU outputs: the BM and matched-threshold baselines and Figure 12), and a few test
// images for the report's grids. run_data.ts writes and reads it (run.json + concepts.safetensors).

/** How a concept got its name. */
export type ConceptNameSource = 'llm' | 'candidates' | 'user';

/** A concept's name and the meaning of its two values (Table 3). */
export interface ConceptName {
  /** The node j of the concept layer. */
  readonly node: number;
  /** A short name for the feature that separates the two groups of classes. */
  readonly name: string;
  /** What z_j = 0 means, and what z_j = 1 means. */
  readonly zero: string;
  readonly one: string;
  readonly source: ConceptNameSource;
  /** For candidates: the Jaccard similarity of the node's class set and the attribute's. */
  readonly score?: number;
}

/** Facts about the run that produced the concepts. */
export interface IcbmRunMeta {
  /** The dataset spec (fashion-mnist, cifar10:DIR, ...). */
  readonly dataset: string;
  readonly backbone: string;
  /** The method's activation spec for the concept layer (htaf:alpha=2,beta=11, ss, ste:sigmoid, ...). */
  readonly method: string;
  /** The concept layer's design (see src/models/icbm.ts). */
  readonly conceptLayer: string;
  /** M, the number of concepts. */
  readonly concepts: number;
  /** Class names, indexed by label. */
  readonly classes: readonly string[];
  /** [C, H, W] of the images. */
  readonly imageShape: readonly [number, number, number];
  /** Per-channel standardization the models were trained with. */
  readonly stats: { readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly seed: number;
  readonly createdAt: string;
}

/** Everything the concept tools need, as typed arrays (row-major: one row per image or per class). */
export interface IcbmRunData {
  readonly meta: IcbmRunMeta;
  /** The train command's report (accuracies, binarity, concept accuracy per model), as written. */
  readonly metrics: Record<string, unknown>;
  /** Exact concept bits z ∈ {0,1}^M of the training images (Ntr × M) and their labels. */
  readonly trainBits: Uint8Array;
  readonly trainLabels: Int32Array;
  /** Exact concept bits of the test images (Nte × M), the smooth outputs g(x) (Nte × M), labels, ICBM's predictions. */
  readonly testBits: Uint8Array;
  readonly testSmooth: Float32Array;
  readonly testLabels: Int32Array;
  readonly testPredictions: Int32Array;
  /** The linear head h: weight K × M and bias K. */
  readonly headWeight: Float32Array;
  readonly headBias: Float32Array;
  /** The standard model's features at the same layer (ReLU outputs), train (Ntr × M) and test (Nte × M). */
  readonly standardTrainFeatures: Float32Array;
  readonly standardTestFeatures: Float32Array;
  /** Test images kept for the report's grids (S × C × H × W bytes) and their indices in the test set. */
  readonly sampleImages: Uint8Array;
  readonly sampleIndices: Int32Array;
  /** Concept names, when naming has run (concept_names.json). */
  readonly conceptNames: readonly ConceptName[];
}
