// Models: the tabular MLP, image backbones (ResNet, WideResNet, ViT), Bi-Real Net, SEW-ResNet with LIF
// neurons, ANN-to-SNN conversion and ICBM.
export { TabularMlp } from './mlp.js';
export { Icbm, CONCEPT_LAYERS, checkConceptLayer } from './icbm.js';
export type { IcbmOptions, ConceptLayerDesign } from './icbm.js';
export { SpikingNeuron, DEFAULT_SPIKE_METHOD } from './spiking_neuron.js';
export type { NeuronOptions, NeuronStep } from './spiking_neuron.js';
export { LIFNode } from './lif.js';
export type { LIFOptions } from './lif.js';
export { IFNode } from './if_neuron.js';
export type { IFOptions } from './if_neuron.js';
export { createNeuron, neuronFactory, neuronNames, listNeurons } from './neurons.js';
export type { NeuronDefinition } from './neurons.js';
