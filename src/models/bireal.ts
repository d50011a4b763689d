// Bi-Real Net (Liu et al. 2018), the paper's BNN (docs/method.md §3): a ResNet-18 whose every 3×3 convolution is
// a binary unit with a real-valued identity shortcut around it,
//   unit(x) = BN(BinaryConv3×3(sign(x))) + shortcut(x)
// sign: the method in its ±1 form (HTAF as 2·HTAF − 1, STE, SS, or Bi-Real's own ApproxSign); binary
// conv: 1-bit weights α_c·sign(W) per output channel with Bi-Real's magnitude-aware estimator
// (binary_conv.ts). The shortcut is the identity, or AvgPool2d(2) + conv1×1 + BN (real-valued) when
// the unit halves the size and doubles the width. The first conv and the final Linear stay real-valued,
// as in the paper. Bi-Real-18 has 4 stages of 4 units (16 binary convs, as ResNet-18 has 16 3×3 convs);
// the layout and names follow the reference PyTorch code (birealnet.py): conv1, bn1, maxpool,
// layer1.0.binary_activation, layer1.0.binary_conv, layer1.0.bn1, layer2.0.downsample.{0,1,2}, fc.
//
// One departure, for image sizes that are not powers of two (28×28): the shortcut's average pool rounds
// up (ceil mode, dividing by the pixels inside the image), so a 7×7 map becomes 4×4 as the stride-2
// convolution makes it; on even sizes it is the reference AvgPool2d(2) exactly.
// setStepMode(model, 'exact') makes every activation the exact 2·H(x) − 1 (the weights are always 1-bit).
import { AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, Identity, Linear, Module, Sequential } from '../nn/index.js';
import { BinaryActivation, activationFactory } from '../activations/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { BinaryConv2d } from './binary_conv.js';
import { showValue } from '../core/show.js';
import { checkOptionsObject } from '../core/options.js';
import { booleanOption, positiveInt, positiveIntList } from './bnn_snn_options.js';
import { checkImageInput, resnetStages, stemConv, stemPool } from './resnet_layout.js';

export interface BiRealNetOptions {
  /** Number of classes (the logits' width). */
  numClasses: number;
  /** Image channels (default 3). */
  inChannels?: number;
  /**
   * The activation method: a binary activation spec, used in its sign (±1) form: 'htaf' → 'sign:htaf',
   * 'ss', 'ste:sigmoid', ... ; 'approxsign' (the default) is Bi-Real Net's own estimator.
   */
  method?: string;
  /** Binary units per stage (default [4, 4, 4, 4]: Bi-Real Net-18). */
  layers?: readonly number[];
  /** Width of the first stage; the stages have 1, 2, 4, 8 times it (default 64). */
  baseWidth?: number;
  /** Small-image stem: conv3×3 stride 1 and no max pool, instead of conv7×7 stride 2 + max pool (default false). */
  cifarStem?: boolean;
}

const OPTION_KEYS = ['numClasses', 'inChannels', 'method', 'layers', 'baseWidth', 'cifarStem'];

/** The sign (±1) form of a binary activation spec: 'htaf' → 'sign:htaf'; 'sign:…' and 'approxsign' stay as they are. */
export function signFormSpec(method: string): string {
  if (typeof method !== 'string') throw new Error(`signFormSpec: method must be an activation spec string such as 'htaf'; got ${showValue(method)}`);
  const m = method.trim().toLowerCase();
  return m.startsWith('sign:') || m === 'approxsign' || m.startsWith('approxsign:') ? method.trim() : `sign:${method.trim()}`;
}

/** A factory of the ±1 activation for a method, or an Error naming the owner and the method. */
function signActivationFactory(owner: string, method: string): () => BinaryActivation {
  let make: () => Module;
  try {
    make = activationFactory(signFormSpec(method));
  } catch (err) {
    throw new Error(`${owner}: method ${showValue(method)} must be a binary activation spec (htaf, ss, ste, heaviside, approxsign): ${(err as Error).message}`);
  }
  return () => make() as BinaryActivation;
}

/** One binary unit: BN(BinaryConv3×3(sign(x))) + shortcut(x). */
export class BiRealBlock extends Module {
  readonly binaryActivation: BinaryActivation;
  readonly binaryConv: BinaryConv2d;
  readonly bn1: BatchNorm2d;
  /** AvgPool2d(2) + conv1×1 + BN when the unit changes the shape, else null (identity). */
  readonly downsample: Sequential | null;

  constructor(inPlanes: number, planes: number, stride: number, activation: () => BinaryActivation) {
    super();
    this.binaryActivation = this.registerModule('binary_activation', activation());
    this.binaryConv = this.registerModule('binary_conv', new BinaryConv2d(inPlanes, planes, 3, { stride }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.downsample =
      stride !== 1 || inPlanes !== planes
        ? this.registerModule(
            'downsample',
            new Sequential(
              stride === 1 ? new Identity() : new AvgPool2d(2, { stride, ceilMode: true, countIncludePad: false }),
              new Conv2d(inPlanes, planes, 1, { bias: false }),
              new BatchNorm2d(planes),
            ),
          )
        : null;
  }

  forward(x: Tensor): Tensor {
    const out = this.bn1.call(this.binaryConv.call(this.binaryActivation.call(x)));
    const residual = this.downsample ? this.downsample.call(x) : x;
    return out.add(residual);
  }
}

export class BiRealNet extends Module {
  readonly numClasses: number;
  readonly inChannels: number;
  readonly method: string;
  readonly layers: readonly number[];
  readonly baseWidth: number;
  readonly cifarStem: boolean;
  /** Width of the pooled features (8·baseWidth). */
  readonly numFeatures: number;

  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly maxpool: Module;
  readonly stages: Sequential[];
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc: Linear;

  constructor(options: BiRealNetOptions) {
    super();
    const o = checkOptionsObject('BiRealNet', options, OPTION_KEYS);
    this.numClasses = positiveInt('BiRealNet', 'numClasses', o.numClasses);
    this.inChannels = positiveInt('BiRealNet', 'inChannels', o.inChannels ?? 3);
    this.layers = positiveIntList('BiRealNet', 'layers', o.layers ?? [4, 4, 4, 4], 4);
    this.baseWidth = positiveInt('BiRealNet', 'baseWidth', o.baseWidth ?? 64);
    this.cifarStem = booleanOption('BiRealNet', 'cifarStem', o.cifarStem ?? false);
    this.method = o.method ?? 'approxsign';
    const activation = signActivationFactory('BiRealNet', this.method);

    const width = this.baseWidth;
    this.conv1 = this.registerModule('conv1', stemConv(this.inChannels, width, this.cifarStem));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(width));
    this.maxpool = this.registerModule('maxpool', stemPool(this.cifarStem));
    const stages = resnetStages(width, this.layers, (inPlanes, planes, stride) => new BiRealBlock(inPlanes, planes, stride, activation));
    this.stages = stages.map((stage, i) => this.registerModule(`layer${i + 1}`, stage));
    this.numFeatures = 8 * width; // the last stage's width
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.fc = this.registerModule('fc', new Linear(this.numFeatures, this.numClasses));
  }

  /** The final Linear (the FeatureBackbone contract's head). */
  get head(): Linear {
    return this.fc;
  }

  /** Pooled real-valued features [B, numFeatures] (everything before fc). */
  forwardFeatures(x: Tensor): Tensor {
    checkImageInput('BiRealNet.forward', x, this.inChannels);
    let h = this.maxpool.call(this.bn1.call(this.conv1.call(x)));
    for (const stage of this.stages) h = stage.call(h);
    return this.avgpool.call(h).flatten(1);
  }

  /** x: images [B, inChannels, H, W]; returns logits [B, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.fc.call(this.forwardFeatures(x));
  }

  extraRepr(): string {
    return `method=${this.method}, layers=[${this.layers.join(', ')}], baseWidth=${this.baseWidth}${this.cifarStem ? ', cifarStem' : ''}`;
  }
}
