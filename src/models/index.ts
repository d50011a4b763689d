// Models: the tabular MLP, image backbones (ResNet, WideResNet, ViT), Bi-Real Net, SEW-ResNet with LIF
// neurons, ANN-to-SNN conversion and ICBM.
export { TabularMlp } from './mlp.js';
