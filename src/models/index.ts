// Models: the tabular MLP, image backbones (ResNet, WideResNet, ViT), Bi-Real Net, SEW-ResNet with LIF
// neurons, ANN-to-SNN conversion and ICBM.
export { TabularMlp } from './mlp.js';
export { Icbm, CONCEPT_LAYERS, DEFAULT_CONCEPT_LAYER, checkConceptLayer } from './icbm.js';
export type { IcbmOptions, ConceptLayerDesign } from './icbm.js';
export { isFeatureBackbone } from './backbone.js';
export type { FeatureBackbone } from './backbone.js';
export { ResNet, BasicBlock, Bottleneck, resnet18, resnet34, resnet50, wideResnet50_2 } from './resnet.js';
export type { ResNetOptions, ResNetFactoryOptions, ResNetBlock } from './resnet.js';
export { WideResNet, WideBasicBlock, WideGroup } from './wideresnet.js';
export type { WideResNetOptions } from './wideresnet.js';
export { VisionTransformer, VitEncoder, EncoderBlock, vitB32 } from './vit.js';
export type { VisionTransformerOptions, VitB32Options } from './vit.js';
export { SpikingNeuron, DEFAULT_SPIKE_METHOD } from './spiking_neuron.js';
export type { NeuronOptions, NeuronStep } from './spiking_neuron.js';
export { LIFNode } from './lif.js';
export type { LIFOptions } from './lif.js';
export { IFNode } from './if_neuron.js';
export type { IFOptions } from './if_neuron.js';
export { createNeuron, neuronFactory, neuronNames, listNeurons } from './neurons.js';
export type { NeuronDefinition } from './neurons.js';
export { SewResNet, SewBasicBlock, perStep } from './sew_resnet.js';
export type { SewResNetOptions } from './sew_resnet.js';
export { BinaryConv2d, binarizedWeights } from './binary_conv.js';
export type { BinaryConv2dOptions } from './binary_conv.js';
export { BiRealNet, BiRealBlock, signFormSpec } from './bireal.js';
export type { BiRealNetOptions } from './bireal.js';
export { convertToSnn, ConvertedSnn } from './ann2snn.js';
export type { ConvertOptions, SnnSite, SnnAccuracy, SnnInput, LabelledBatch } from './ann2snn.js';
// The image models of Table 1 from one spec (standard / DHN / BNN / SNN), CPU-sized defaults.
export {
  buildImageModel, resolveImageModelSpec, resolveImageModelOptions, backboneOptions, describeImageModel, architectureName, familySpec, IMAGE_MODEL_KINDS, IMAGE_BACKBONES, IMAGE_MODEL_DEFAULTS, IMAGE_METHOD_SPECS,
} from './image_zoo.js';
export type { ImageModelKind, ImageModelOptions, ImageModelSpec, ResolvedImageModelOptions } from './image_zoo.js';
