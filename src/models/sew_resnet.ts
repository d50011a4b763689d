// SEW-ResNet (Fang et al. 2021, spikingjelly's sew_resnet), the paper's SNN (docs/method.md §3): a ResNet whose
// activations are multi-step spiking neurons (LIF by default) over T time steps, with spike-element-wise
// ADD connections:
//   block(x) = SN(BN(conv(SN(BN(conv(x)))))) + shortcut(x),  shortcut = x, or SN(BN(conv1x1(x))) when
//   the shape changes.
// Direct input encoding: the image is the input current at every one of the T steps. Between layers the
// signal is a spike train [T, B, C, H, W]; convolutions, batch norm and pooling act on each step alike,
// with T folded into the batch ([T·B, C, H, W], spikingjelly's SeqToANNContainer), and the neurons run
// over time. The classifier averages over T: forward(x [B, C, H, W]) returns logits [B, numClasses], so
// the trainer and the evaluator treat it like any image model. (The pooled features are averaged over
// T before the final Linear; as it is linear, that equals averaging the per-step logits.)
//
// The spike function of every neuron is `method` (an activation spec: 'htaf', 'ss', 'ste:sigmoid', ...):
// setStepMode(model, 'exact') makes every spike exactly 0 or 1. Names follow torchvision's ResNet and
// spikingjelly's SEW-ResNet: conv1, bn1, sn1, layer1.0.conv1, layer1.0.sn1, layer2.0.downsample.0,
// layer2.0.downsample_sn, fc.
import { AdaptiveAvgPool2d, BatchNorm2d, type Conv2d, Linear, Module, Sequential } from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptionsObject } from '../core/options.js';
import { booleanOption, positiveInt, positiveIntList } from './bnn_snn_options.js';
import { checkImageInput, conv1x1, conv3x3, resnetStages, stemConv, stemPool } from './resnet_layout.js';
import { neuronFactory } from './neurons.js';
import { DEFAULT_SPIKE_METHOD, type SpikingNeuron } from './spiking_neuron.js';

export interface SewResNetOptions {
  /** Number of classes (the logits' width). */
  numClasses: number;
  /** Image channels (default 3). */
  inChannels?: number;
  /** Time steps (default 4, docs/method.md §3). */
  T?: number;
  /** Spike function spec of every neuron (default 'ste:sigmoid', spikingjelly's surrogate); 'htaf', 'ss', ... */
  method?: string;
  /** Blocks per stage (default [2, 2, 2, 2]: SEW-ResNet-18). */
  layers?: readonly number[];
  /** Width of the first stage; the stages have 1, 2, 4, 8 times it (default 64; 16 suits CPU runs). */
  baseWidth?: number;
  /** Small-image stem: conv3×3 stride 1 and no max pool, instead of conv7×7 stride 2 + max pool (default false). */
  cifarStem?: boolean;
  /** Neuron, by registry name (default 'lif'). */
  neuron?: string;
  /** The neuron's own options (LIF: tau, vThreshold, vReset, detachReset); the spike function is `method`. */
  neuronOptions?: Record<string, unknown>;
}

const OPTION_KEYS = ['numClasses', 'inChannels', 'T', 'method', 'layers', 'baseWidth', 'cifarStem', 'neuron', 'neuronOptions'];

/**
 * Applies per-image layers (conv, batch norm, pooling) to a spike train [T, B, ...]: T folded into the
 * batch, the layers in order, then unfolded.
 */
export function perStep(x: Tensor, ...layers: Module[]): Tensor {
  let y = x.flatten(0, 1);
  for (const layer of layers) y = layer.call(y);
  return y.reshape([x.shape[0], x.shape[1], ...y.shape.slice(1)]);
}

/** SEW basic block with ADD connection; input and output are spike trains [T, B, C, H, W]. */
export class SewBasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly sn1: SpikingNeuron;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly sn2: SpikingNeuron;
  /** conv1×1 + BN when the shape changes (stride or width), else null. */
  readonly downsample: Sequential | null;
  readonly downsampleSn: SpikingNeuron | null;

  constructor(inPlanes: number, planes: number, stride: number, neuron: () => SpikingNeuron) {
    super();
    this.conv1 = this.registerModule('conv1', conv3x3(inPlanes, planes, stride));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.sn1 = this.registerModule('sn1', neuron());
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.sn2 = this.registerModule('sn2', neuron());
    const reshapes = stride !== 1 || inPlanes !== planes;
    this.downsample = reshapes ? this.registerModule('downsample', new Sequential(conv1x1(inPlanes, planes, stride), new BatchNorm2d(planes))) : null;
    this.downsampleSn = reshapes ? this.registerModule('downsample_sn', neuron()) : null;
  }

  forward(x: Tensor): Tensor {
    const out = this.sn2.call(perStep(this.sn1.call(perStep(x, this.conv1, this.bn1)), this.conv2, this.bn2));
    const identity = this.downsample ? this.downsampleSn!.call(perStep(x, this.downsample)) : x;
    return out.add(identity);
  }
}

export class SewResNet extends Module {
  readonly numClasses: number;
  readonly inChannels: number;
  readonly T: number;
  readonly method: string;
  readonly neuron: string;
  readonly layers: readonly number[];
  readonly baseWidth: number;
  readonly cifarStem: boolean;
  /** Width of the pooled features (8·baseWidth). */
  readonly numFeatures: number;

  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly sn1: SpikingNeuron;
  readonly maxpool: Module;
  readonly stages: Sequential[];
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc: Linear;

  constructor(options: SewResNetOptions) {
    super();
    const o = checkOptionsObject('SewResNet', options, OPTION_KEYS);
    this.numClasses = positiveInt('SewResNet', 'numClasses', o.numClasses);
    this.inChannels = positiveInt('SewResNet', 'inChannels', o.inChannels ?? 3);
    this.T = positiveInt('SewResNet', 'T', o.T ?? 4);
    this.layers = positiveIntList('SewResNet', 'layers', o.layers ?? [2, 2, 2, 2], 4);
    this.baseWidth = positiveInt('SewResNet', 'baseWidth', o.baseWidth ?? 64);
    this.cifarStem = booleanOption('SewResNet', 'cifarStem', o.cifarStem ?? false);
    this.method = o.method ?? DEFAULT_SPIKE_METHOD;
    this.neuron = o.neuron ?? 'lif';
    const extra = checkOptionsObject('SewResNet: neuronOptions', o.neuronOptions, ['tau', 'vThreshold', 'vReset', 'detachReset', 'fused']);
    let neuron: () => SpikingNeuron;
    try {
      neuron = neuronFactory(this.neuron, { ...extra, method: this.method });
    } catch (err) {
      throw new Error(`SewResNet: ${(err as Error).message}`);
    }

    const width = this.baseWidth;
    this.conv1 = this.registerModule('conv1', stemConv(this.inChannels, width, this.cifarStem));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(width));
    this.sn1 = this.registerModule('sn1', neuron());
    this.maxpool = this.registerModule('maxpool', stemPool(this.cifarStem));
    const stages = resnetStages(width, this.layers, (inPlanes, planes, stride) => new SewBasicBlock(inPlanes, planes, stride, neuron));
    this.stages = stages.map((stage, i) => this.registerModule(`layer${i + 1}`, stage));
    this.numFeatures = 8 * width; // the last stage's width
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.fc = this.registerModule('fc', new Linear(this.numFeatures, this.numClasses));
  }

  /** The final Linear (the FeatureBackbone contract's head). */
  get head(): Linear {
    return this.fc;
  }

  /** The spike trains after the last stage: [T, B, 8·baseWidth, h, w]. */
  forwardSpikes(x: Tensor): Tensor {
    checkImageInput('SewResNet.forward', x, this.inChannels);
    const current = x.unsqueeze(0).repeat([this.T, 1, 1, 1, 1]); // direct encoding: the same image at each step
    let h = perStep(this.sn1.call(perStep(current, this.conv1, this.bn1)), this.maxpool);
    for (const stage of this.stages) h = stage.call(h);
    return h;
  }

  /** Pooled features averaged over the T steps: [B, numFeatures]. */
  forwardFeatures(x: Tensor): Tensor {
    return perStep(this.forwardSpikes(x), this.avgpool).flatten(2).mean(0);
  }

  /** x: images [B, inChannels, H, W]; returns the logits averaged over T, [B, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.fc.call(this.forwardFeatures(x));
  }

  extraRepr(): string {
    return `T=${this.T}, neuron=${this.neuron}, method=${this.method}, layers=[${this.layers.join(', ')}], baseWidth=${this.baseWidth}${this.cifarStem ? ', cifarStem' : ''}`;
  }
}
