// The ResNet layout that torchvision's ResNet, SEW-ResNet and Bi-Real Net share, in one place so the three
// build it alike: torchvision's conv3x3 / conv1x1, the stem (a 7×7 stride-2 conv and a 3×3 stride-2
// max-pool, or for small images a 3×3 stride-1 conv and no pool) and the four stages whose widths double
// while the first block of stages 2-4 halves the size (layer1 ... layer4). Each model keeps its own blocks.
import { Conv2d, Identity, MaxPool2d, Module, Sequential } from '../nn/index.js';
import { Tensor } from '../tensor/tensor.js';
import { showValue } from '../core/show.js';

/** torchvision's conv3x3: padding 1, no bias (a batch norm follows). */
export function conv3x3(inPlanes: number, outPlanes: number, stride = 1, groups = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, { stride, padding: 1, groups, bias: false });
}

/** torchvision's conv1x1: no bias (a batch norm follows). */
export function conv1x1(inPlanes: number, outPlanes: number, stride = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

/** The stem's conv1: 3×3 stride 1 with cifarStem, else torchvision's 7×7 stride 2; no bias. */
export function stemConv(inChannels: number, width: number, cifarStem: boolean): Conv2d {
  return cifarStem ? conv3x3(inChannels, width) : new Conv2d(inChannels, width, 7, { stride: 2, padding: 3, bias: false });
}

/** The stem's pool: torchvision's 3×3 stride-2 max-pool, or Identity with cifarStem. */
export function stemPool(cifarStem: boolean): Module {
  return cifarStem ? new Identity() : new MaxPool2d(3, { stride: 2, padding: 1 });
}

/** Builds one block: its input and output widths and its stride. */
export type BlockFactory = (inPlanes: number, planes: number, stride: number) => Module;

/**
 * The stages layer1, layer2, ... (to be registered under those names): stage i has layers[i] blocks of
 * width·2^i channels; the first block of each stage but the first has stride 2 and takes the previous width.
 */
export function resnetStages(width: number, layers: readonly number[], block: BlockFactory): Sequential[] {
  let inPlanes = width;
  return layers.map((blocks, i) => {
    const planes = width * 2 ** i;
    const stage = new Sequential();
    for (let b = 0; b < blocks; b++) stage.append(block(b === 0 ? inPlanes : planes, planes, b === 0 && i > 0 ? 2 : 1));
    inPlanes = planes;
    return stage;
  });
}

/** Throws unless x is a Tensor of images [B, channels, H, W], naming `owner` (e.g. 'SewResNet.forward'). */
export function checkImageInput(owner: string, x: Tensor, channels: number): void {
  if (!(x instanceof Tensor)) throw new Error(`${owner}: input must be a Tensor [B, ${channels}, H, W]; got ${showValue(x)}`);
  if (x.shape.length !== 4 || x.shape[1] !== channels) {
    throw new Error(`${owner}: expected images [B, ${channels}, H, W]; got shape [${x.shape.join(', ')}]`);
  }
}
