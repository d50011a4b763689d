// The functional ops model code uses, gathered in one place so it reads like PyTorch's
// `import torch.nn.functional as F`: `import { F } from 'htaf'; F.relu(F.linear(x, w, b))`.
// Everything here is the generated binding (native/ops.def) or a few lines over it.
export {
  // layers
  linear,
  conv1d,
  conv2d,
  maxPool2d,
  avgPool2d,
  adaptiveAvgPool2d,
  batchNorm,
  layerNorm,
  dropout,
  embedding,
  oneHot,
  // activations
  relu,
  gelu,
  silu,
  sigmoid,
  tanh,
  leakyRelu,
  softplus,
  hardtanh,
  softmax,
  logSoftmax,
  // losses
  crossEntropy,
  nllLoss,
  binaryCrossEntropyWithLogits,
  mseLoss,
  l1Loss,
} from '../tensor/functions.generated.js';

