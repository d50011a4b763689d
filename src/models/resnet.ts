// torchvision's ResNet (He et al. 2016): BasicBlock and Bottleneck, groups and width per group (so
// wide_resnet50_2 and ResNeXt shapes work), with torchvision's state-dict names (conv1, bn1,
// layer1.0.conv1, layer1.0.downsample.0, fc, ...) so weights saved from PyTorch load as they are.
// Two additions for small images and CPU budgets: cifarStem (a 3×3 stride-1 first conv and no max-pool,
// the usual CIFAR / Fashion-MNIST adaptation) and baseWidth (the stem's width; stage widths are 1, 2, 4
// and 8 times it, torchvision's 64 by default). Every ReLU is built from the activation spec, one module
// per place, so a binary spec ('htaf', 'ste:sigmoid', ...) turns the network into a deep Heaviside one.
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, Sequential } from '../nn/index.js';
import * as init from '../nn/init.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptionsObject } from '../core/options.js';
import { activationOption, booleanOption, checkImageBatch, positiveIntOption, type FeatureBackbone } from './backbone.js';
import { conv1x1, conv3x3, stemConv } from './resnet_layout.js';

export type ResNetBlock = 'basic' | 'bottleneck';

export interface ResNetOptions {
  /** Residual block: 'basic' (two 3×3 convs, ResNet-18/34) or 'bottleneck' (1×1, 3×3, 1×1; ResNet-50+). Default 'basic'. */
  block?: ResNetBlock;
  /** Blocks in each of the four stages. Default [2, 2, 2, 2] (ResNet-18). */
  layers?: readonly number[];
  /** Outputs of the final Linear (fc). Default 1000. */
  numClasses?: number;
  /** Channels of the input images. Default 3. */
  inChannels?: number;
  /** 3×3 stride-1 conv1 and no max-pool, for 32×32 or 28×28 images (default false: torchvision's 7×7 stride-2 stem and max-pool). */
  cifarStem?: boolean;
  /** Width of the stem; the four stages have 1, 2, 4, 8 times it (times 4 after a bottleneck). Default 64 (torchvision). */
  baseWidth?: number;
  /** Groups of the bottleneck's 3×3 conv (torchvision's groups; ResNeXt). Default 1. */
  groups?: number;
  /** torchvision's width_per_group: the bottleneck's inner width is planes·widthPerGroup/64·groups. Default 64 (128 for wide_resnet50_2). */
  widthPerGroup?: number;
  /** Spec of every activation (registry), one module per place. Default 'relu'. */
  activation?: string;
  /** Start each residual branch's last batch norm at weight 0 (torchvision's zero_init_residual). Default false. */
  zeroInitResidual?: boolean;
}

const RESNET_KEYS = ['block', 'layers', 'numClasses', 'inChannels', 'cifarStem', 'baseWidth', 'groups', 'widthPerGroup', 'activation', 'zeroInitResidual'];

/** Options of the named factories (resnet18, ...), which fix block and layers. */
export type ResNetFactoryOptions = Omit<ResNetOptions, 'block' | 'layers'>;

/** conv1x1 + batch norm on the shortcut, where the block changes width or resolution (downsample.0, downsample.1). */
function downsample(inPlanes: number, outPlanes: number, stride: number): Sequential {
  return new Sequential(conv1x1(inPlanes, outPlanes, stride), new BatchNorm2d(outPlanes));
}

/** Two 3×3 convs; out = act(bn2(conv2(act(bn1(conv1(x))))) + shortcut(x)). */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly act1: Module;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;
  readonly act2: Module;

  constructor(inPlanes: number, planes: number, stride: number, downsampleLayer: Sequential | null, makeActivation: () => Module) {
    super();
    this.conv1 = this.registerModule('conv1', conv3x3(inPlanes, planes, stride));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.act1 = this.registerModule('act1', makeActivation());
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.downsample = downsampleLayer && this.registerModule('downsample', downsampleLayer);
    this.act2 = this.registerModule('act2', makeActivation());
  }

  /** The batch norm that ends the residual branch (zero_init_residual sets its weight to 0). */
  get lastBn(): BatchNorm2d {
    return this.bn2;
  }

  forward(x: Tensor): Tensor {
    const out = this.bn2.call(this.conv2.call(this.act1.call(this.bn1.call(this.conv1.call(x)))));
    const identity = this.downsample ? this.downsample.call(x) : x;
    return this.act2.call(out.add(identity));
  }
}

/** 1×1 (reduce), 3×3 (grouped, strided), 1×1 (expand ×4), plus the shortcut. */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly act1: Module;
  readonly act2: Module;
  readonly act3: Module;
  readonly downsample: Sequential | null;

  constructor(
    inPlanes: number, planes: number, stride: number, downsampleLayer: Sequential | null, groups: number, widthPerGroup: number, makeActivation: () => Module,
  ) {
    super();
    const width = Math.floor(planes * (widthPerGroup / 64)) * groups;
    this.conv1 = this.registerModule('conv1', conv1x1(inPlanes, width));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(width));
    this.conv2 = this.registerModule('conv2', conv3x3(width, width, stride, groups));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(width));
    this.conv3 = this.registerModule('conv3', conv1x1(width, planes * Bottleneck.expansion));
    this.bn3 = this.registerModule('bn3', new BatchNorm2d(planes * Bottleneck.expansion));
    this.act1 = this.registerModule('act1', makeActivation());
    this.act2 = this.registerModule('act2', makeActivation());
    this.act3 = this.registerModule('act3', makeActivation());
    this.downsample = downsampleLayer && this.registerModule('downsample', downsampleLayer);
  }

  get lastBn(): BatchNorm2d {
    return this.bn3;
  }

  forward(x: Tensor): Tensor {
    let out = this.act1.call(this.bn1.call(this.conv1.call(x)));
    out = this.act2.call(this.bn2.call(this.conv2.call(out)));
    out = this.bn3.call(this.conv3.call(out));
    const identity = this.downsample ? this.downsample.call(x) : x;
    return this.act3.call(out.add(identity));
  }
}

export class ResNet extends Module implements FeatureBackbone {
  readonly block: ResNetBlock;
  readonly layers: readonly number[];
  readonly numClasses: number;
  readonly inChannels: number;
  readonly cifarStem: boolean;
  readonly baseWidth: number;
  readonly groups: number;
  readonly widthPerGroup: number;
  /** The activation spec every activation was built from. */
  readonly activation: string;
  readonly numFeatures: number;

  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly act: Module;
  /** torchvision's 3×3 stride-2 max-pool; null with cifarStem. */
  readonly maxpool: MaxPool2d | null;
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly layer4: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc: Linear;

  constructor(options: ResNetOptions = {}) {
    super();
    checkOptionsObject('ResNet', options, RESNET_KEYS);
    const block = options.block ?? 'basic';
    if (block !== 'basic' && block !== 'bottleneck') throw new Error(`ResNet: block must be 'basic' or 'bottleneck'; got ${JSON.stringify(options.block)}`);
    const layers = options.layers ?? [2, 2, 2, 2];
    if (!Array.isArray(layers) || layers.length !== 4 || layers.some((n) => !Number.isInteger(n) || n <= 0)) {
      throw new Error(`ResNet: layers must be 4 positive integers (blocks per stage), e.g. [2, 2, 2, 2]; got ${JSON.stringify(options.layers)}`);
    }
    this.block = block;
    this.layers = [...layers];
    this.numClasses = positiveIntOption('ResNet', 'numClasses', options.numClasses, 1000);
    this.inChannels = positiveIntOption('ResNet', 'inChannels', options.inChannels, 3);
    this.cifarStem = booleanOption('ResNet', 'cifarStem', options.cifarStem, false);
    this.baseWidth = positiveIntOption('ResNet', 'baseWidth', options.baseWidth, 64);
    this.groups = positiveIntOption('ResNet', 'groups', options.groups, 1);
    this.widthPerGroup = positiveIntOption('ResNet', 'widthPerGroup', options.widthPerGroup, 64);
    if (block === 'basic' && (this.groups !== 1 || this.widthPerGroup !== 64)) {
      throw new Error(`ResNet: the basic block supports only groups 1 and widthPerGroup 64 (as torchvision's BasicBlock); got groups ${this.groups}, widthPerGroup ${this.widthPerGroup}`);
    }
    if (block === 'bottleneck' && Math.floor(this.baseWidth * (this.widthPerGroup / 64)) === 0) {
      throw new Error(`ResNet: baseWidth ${this.baseWidth} with widthPerGroup ${this.widthPerGroup} gives bottlenecks of width 0; raise either`);
    }
    const act = activationOption('ResNet', options.activation, 'relu');
    this.activation = act.spec;
    const expansion = block === 'basic' ? BasicBlock.expansion : Bottleneck.expansion;

    const w = this.baseWidth;
    this.conv1 = this.registerModule('conv1', stemConv(this.inChannels, w, this.cifarStem));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(w));
    this.act = this.registerModule('act', act.make());
    this.maxpool = this.cifarStem ? null : this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
    let inPlanes = w;
    const makeStage = (planes: number, blocks: number, stride: number): Sequential => {
      const down = stride !== 1 || inPlanes !== planes * expansion ? downsample(inPlanes, planes * expansion, stride) : null;
      const stage = new Sequential();
      for (let i = 0; i < blocks; i++) {
        const s = i === 0 ? stride : 1;
        const d = i === 0 ? down : null;
        stage.append(
          block === 'basic'
            ? new BasicBlock(inPlanes, planes, s, d, act.make)
            : new Bottleneck(inPlanes, planes, s, d, this.groups, this.widthPerGroup, act.make),
        );
        inPlanes = planes * expansion;
      }
      return stage;
    };
    this.layer1 = this.registerModule('layer1', makeStage(w, layers[0], 1));
    this.layer2 = this.registerModule('layer2', makeStage(2 * w, layers[1], 2));
    this.layer3 = this.registerModule('layer3', makeStage(4 * w, layers[2], 2));
    this.layer4 = this.registerModule('layer4', makeStage(8 * w, layers[3], 2));
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.numFeatures = 8 * w * expansion;
    this.fc = this.registerModule('fc', new Linear(this.numFeatures, this.numClasses));
    this.resetParameters(booleanOption('ResNet', 'zeroInitResidual', options.zeroInitResidual, false));
  }

  /**
   * torchvision's initialization, in its order: every conv Kaiming-normal (fan_out, relu), batch norms
   * weight 1 and bias 0, fc keeps Linear's default; zeroInitResidual zeroes each block's last batch norm.
   */
  resetParameters(zeroInitResidual = false): void {
    for (const m of this.modules()) {
      if (m instanceof Conv2d) init.kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      else if (m instanceof BatchNorm2d) m.resetParameters();
    }
    if (zeroInitResidual) {
      for (const m of this.modules()) if (m instanceof BasicBlock || m instanceof Bottleneck) init.zeros_(m.lastBn.weight!);
    }
  }

  /** The final Linear (torchvision's fc). */
  get head(): Linear {
    return this.fc;
  }

  /** Globally pooled features [B, numFeatures]: everything but fc. */
  forwardFeatures(x: Tensor): Tensor {
    checkImageBatch('ResNet', x, this.inChannels);
    let out = this.act.call(this.bn1.call(this.conv1.call(x)));
    if (this.maxpool) out = this.maxpool.call(out);
    for (const stage of [this.layer1, this.layer2, this.layer3, this.layer4]) out = stage.call(out);
    return this.avgpool.call(out).flatten(1);
  }

  forward(x: Tensor): Tensor {
    return this.fc.call(this.forwardFeatures(x));
  }

  extraRepr(): string {
    return `block=${this.block}, layers=[${this.layers.join(', ')}], baseWidth=${this.baseWidth}, cifarStem=${this.cifarStem}, activation=${this.activation}`;
  }
}

function factory(name: string, block: ResNetBlock, layers: number[], fixed: Partial<ResNetOptions> = {}) {
  return (options: ResNetFactoryOptions = {}): ResNet => {
    checkOptionsObject(name, options, RESNET_KEYS.filter((k) => k !== 'block' && k !== 'layers'));
    return new ResNet({ ...fixed, ...options, block, layers });
  };
}

/** torchvision's resnet18: basic blocks [2, 2, 2, 2]. */
export const resnet18 = factory('resnet18', 'basic', [2, 2, 2, 2]);
/** torchvision's resnet34: basic blocks [3, 4, 6, 3]. */
export const resnet34 = factory('resnet34', 'basic', [3, 4, 6, 3]);
/** torchvision's resnet50: bottlenecks [3, 4, 6, 3]. */
export const resnet50 = factory('resnet50', 'bottleneck', [3, 4, 6, 3]);
/** torchvision's wide_resnet50_2: resnet50 with bottlenecks twice as wide (widthPerGroup 128, overridable). */
export const wideResnet50_2 = factory('wideResnet50_2', 'bottleneck', [3, 4, 6, 3], { widthPerGroup: 128 });
