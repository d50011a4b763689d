// Models: the tabular MLP, image backbones (ResNet, WideResNet, ViT), Bi-Real Net, SEW-ResNet with LIF
// neurons, ANN-to-SNN conversion and ICBM.
export { TabularMlp } from './mlp.js';
export { Icbm, CONCEPT_LAYERS, checkConceptLayer } from './icbm.js';
export type { IcbmOptions, ConceptLayerDesign } from './icbm.js';
