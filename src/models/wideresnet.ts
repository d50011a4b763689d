// WideResNet-d-k (Zagoruyko & Komodakis 2016), the CIFAR network: a 3×3 stem, three groups of n
// pre-activation blocks (BN → act → conv, twice) with widths 16k, 32k, 64k (depth = 6n + 4), then BN →
// act → global average pool → fc. It is the image DHN of the paper (docs/method.md §3): with a binary activation
// spec every activation of the network is a Heaviside step (smooth in training, exact with setStepMode).
// Names and the block's wiring follow the common PyTorch implementation (xternalz/WideResNet-pytorch, also
// in many CIFAR repositories): conv1, block1.layer.0.bn1, .conv1, .bn2, .conv2, .convShortcut, bn1, fc.
// As there, a block that changes width applies its first BN → act to the input and feeds the result to
// both the branch and the 1×1 shortcut conv. The pool is global (not avg_pool2d(8)) so 28×28 inputs work;
// on 32×32 inputs it is the same.
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, Module, Sequential } from '../nn/index.js';
import { dropout } from '../tensor/functions.generated.js';
import * as init from '../nn/init.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptionsObject } from '../core/options.js';
import { activationOption, checkImageBatch, positiveIntOption, probabilityOption, type FeatureBackbone } from './backbone.js';

export interface WideResNetOptions {
  /** Total depth 6n + 4 (n blocks per group): 10, 16, 22, 28, 40, ... Default 28. */
  depth?: number;
  /** Widening factor k. Default 10 (WRN-28-10). */
  widen?: number;
  /** Dropout between the two convs of each block, in training. Default 0. */
  dropout?: number;
  /** Width of the stem; the groups have baseWidth·k, 2·baseWidth·k, 4·baseWidth·k channels. Default 16. */
  baseWidth?: number;
  /** Channels of the input images. Default 3. */
  inChannels?: number;
  /** Outputs of fc. Default 10. */
  numClasses?: number;
  /** Spec of every activation (registry), one module per place; a binary spec makes the DHN. Default 'relu'. */
  activation?: string;
}

const WRN_KEYS = ['depth', 'widen', 'dropout', 'baseWidth', 'inChannels', 'numClasses', 'activation'];

/** Pre-activation block: out = conv2(drop(act2(bn2(conv1(act1(bn1(x))))))) + shortcut. */
export class WideBasicBlock extends Module {
  readonly inPlanes: number;
  readonly outPlanes: number;
  readonly dropout: number;
  readonly bn1: BatchNorm2d;
  readonly act1: Module;
  readonly conv1: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly act2: Module;
  readonly conv2: Conv2d;
  /** The 1×1 conv on the shortcut when the width changes; null where the shortcut is the identity. */
  readonly convShortcut: Conv2d | null;

  constructor(inPlanes: number, outPlanes: number, stride: number, dropoutRate: number, makeActivation: () => Module) {
    super();
    this.inPlanes = inPlanes;
    this.outPlanes = outPlanes;
    this.dropout = dropoutRate;
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(inPlanes));
    this.act1 = this.registerModule('act1', makeActivation());
    this.conv1 = this.registerModule('conv1', new Conv2d(inPlanes, outPlanes, 3, { stride, padding: 1, bias: false }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(outPlanes));
    this.act2 = this.registerModule('act2', makeActivation());
    this.conv2 = this.registerModule('conv2', new Conv2d(outPlanes, outPlanes, 3, { stride: 1, padding: 1, bias: false }));
    // The reference keeps an identity shortcut whenever the width is unchanged (the stride is then 1 there).
    this.convShortcut = inPlanes === outPlanes ? null : this.registerModule('convShortcut', new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false }));
  }

  forward(x: Tensor): Tensor {
    const pre = this.act1.call(this.bn1.call(x));
    let out = this.act2.call(this.bn2.call(this.conv1.call(pre)));
    if (this.dropout > 0) out = dropout(out, this.dropout, this.training);
    out = this.conv2.call(out);
    const shortcut = this.convShortcut ? this.convShortcut.call(pre) : x;
    return shortcut.add(out);
  }
}

/** n blocks of one width, the first with the group's stride (the reference's NetworkBlock; its blocks are `layer`). */
export class WideGroup extends Module {
  readonly layer: Sequential;

  constructor(blocks: number, inPlanes: number, outPlanes: number, stride: number, dropoutRate: number, makeActivation: () => Module) {
    super();
    const list: Module[] = [];
    for (let i = 0; i < blocks; i++) {
      list.push(new WideBasicBlock(i === 0 ? inPlanes : outPlanes, outPlanes, i === 0 ? stride : 1, dropoutRate, makeActivation));
    }
    this.layer = this.registerModule('layer', new Sequential(...list));
  }

  forward(x: Tensor): Tensor {
    return this.layer.call(x);
  }
}

export class WideResNet extends Module implements FeatureBackbone {
  readonly depth: number;
  readonly widen: number;
  readonly dropout: number;
  readonly baseWidth: number;
  readonly inChannels: number;
  readonly numClasses: number;
  /** The activation spec every activation was built from. */
  readonly activation: string;
  readonly numFeatures: number;

  readonly conv1: Conv2d;
  readonly block1: WideGroup;
  readonly block2: WideGroup;
  readonly block3: WideGroup;
  readonly bn1: BatchNorm2d;
  readonly act: Module;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc: Linear;

  constructor(options: WideResNetOptions = {}) {
    super();
    checkOptionsObject('WideResNet', options, WRN_KEYS);
    this.depth = positiveIntOption('WideResNet', 'depth', options.depth, 28);
    if ((this.depth - 4) % 6 !== 0 || this.depth < 10) {
      throw new Error(`WideResNet: depth must be 6n + 4 with n >= 1 (10, 16, 22, 28, 40, ...); got ${JSON.stringify(options.depth)}`);
    }
    this.widen = positiveIntOption('WideResNet', 'widen', options.widen, 10);
    this.dropout = probabilityOption('WideResNet', 'dropout', options.dropout, 0);
    this.baseWidth = positiveIntOption('WideResNet', 'baseWidth', options.baseWidth, 16);
    this.inChannels = positiveIntOption('WideResNet', 'inChannels', options.inChannels, 3);
    this.numClasses = positiveIntOption('WideResNet', 'numClasses', options.numClasses, 10);
    const act = activationOption('WideResNet', options.activation, 'relu');
    this.activation = act.spec;

    const n = (this.depth - 4) / 6;
    const b = this.baseWidth;
    const widths = [b, b * this.widen, 2 * b * this.widen, 4 * b * this.widen];
    this.conv1 = this.registerModule('conv1', new Conv2d(this.inChannels, widths[0], 3, { stride: 1, padding: 1, bias: false }));
    this.block1 = this.registerModule('block1', new WideGroup(n, widths[0], widths[1], 1, this.dropout, act.make));
    this.block2 = this.registerModule('block2', new WideGroup(n, widths[1], widths[2], 2, this.dropout, act.make));
    this.block3 = this.registerModule('block3', new WideGroup(n, widths[2], widths[3], 2, this.dropout, act.make));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(widths[3]));
    this.act = this.registerModule('act', act.make());
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.numFeatures = widths[3];
    this.fc = this.registerModule('fc', new Linear(this.numFeatures, this.numClasses));
    this.resetParameters();
  }

  /** The reference's initialization: convs Kaiming-normal (fan_out, relu), batch norms 1 and 0, fc bias 0. */
  resetParameters(): void {
    for (const m of this.modules()) {
      if (m instanceof Conv2d) init.kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      else if (m instanceof BatchNorm2d) m.resetParameters();
      else if (m instanceof Linear && m.bias) init.zeros_(m.bias);
    }
  }

  /** The final Linear (fc). */
  get head(): Linear {
    return this.fc;
  }

  /** Globally pooled features [B, numFeatures] after the last BN → act: everything but fc. */
  forwardFeatures(x: Tensor): Tensor {
    checkImageBatch('WideResNet', x, this.inChannels);
    let out = this.conv1.call(x);
    for (const group of [this.block1, this.block2, this.block3]) out = group.call(out);
    out = this.act.call(this.bn1.call(out));
    return this.avgpool.call(out).flatten(1);
  }

  forward(x: Tensor): Tensor {
    return this.fc.call(this.forwardFeatures(x));
  }

  extraRepr(): string {
    return `depth=${this.depth}, widen=${this.widen}, baseWidth=${this.baseWidth}, dropout=${this.dropout}, activation=${this.activation}`;
  }
}
