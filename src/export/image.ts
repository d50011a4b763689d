// `htaf export` for image runs (htaf images train: dhn, bnn, snn, standard) and ICBM runs (htaf icbm
// train): the run's best.safetensors is rebuilt as its model, then walked module by module into a
// runtime graph (graph_builder.ts folds the batch norms):
//   WideResNet (dhn / standard)   pre-activation blocks: BN → step (bits) or BN → ReLU, conv, add
//   ResNet (standard, ICBM)       conv+BN folded, ReLU, max pool, add
//   Bi-Real (bnn)                 sign (±1 bits) → XOR-popcount conv, α and the BN after folded into one
//                                 scale per channel; real shortcuts (avg pool + 1×1 conv)
//   SEW-ResNet (snn)              conv+BN folded on spike bits, LIF over T, spike maps summed as planes
//   ICBM                          backbone → (BN | LN) → step: the concept bits → head on bits
// The images enter standardized as in training: the run's channel statistics travel in the metadata
// (runtime: model.standardize). Format: docs/runtime.md.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tidy } from '../core/scope.js';
import { BatchNorm1d, BatchNorm2d, Identity, LayerNorm, MaxPool2d, type Module } from '../nn/index.js';
import { AvgPool2d } from '../nn/pooling.js';
import { heavisideStep } from '../activations/index.js';
import { BiRealNet, type BiRealBlock } from '../models/bireal.js';
import { Icbm } from '../models/icbm.js';
import { ResNet, type BasicBlock } from '../models/resnet.js';
import { SewResNet, type SewBasicBlock } from '../models/sew_resnet.js';
import { LIFNode } from '../models/lif.js';
import type { SpikingNeuron } from '../models/spiking_neuron.js';
import { WideResNet, type WideBasicBlock } from '../models/wideresnet.js';
import { loadImageModel } from '../train/image_trainer.js';
import { icbmFactory, SETTINGS_FILE } from '../train/icbm_train.js';
import type { RuntimeGraph } from '../runtime/index.js';
import { batchNormAffine, GraphBuilder, inferenceActivation, values } from './graph_builder.js';
import type { ExportResult } from './tabular.js';

/** The image model file of a run directory: <dir>/best.safetensors, or an ICBM run's <dir>/icbm/best.safetensors. */
export function imageRunFiles(runDir: string): { best: string; icbm?: { concepts: number; method: string; conceptLayer: string } } | undefined {
  const settingsAt = (dir: string) => join(dir, SETTINGS_FILE);
  let dir = runDir;
  let best = join(runDir, 'best.safetensors');
  if (existsSync(settingsAt(runDir))) best = join(runDir, 'icbm', 'best.safetensors');
  else if (existsSync(settingsAt(dirname(runDir))) && ['icbm', 'standard'].includes(basename(runDir))) dir = dirname(runDir);
  else return existsSync(best) ? { best } : undefined;
  let settings: { concepts: number; method: string; conceptLayer: string };
  try {
    settings = JSON.parse(readFileSync(settingsAt(dir), 'utf8'));
  } catch (err) {
    throw new Error(`htaf export: ${settingsAt(dir)} is unreadable (${(err as Error).message})`);
  }
  const method = basename(dirname(best)) === 'standard' ? 'relu' : settings.method;
  return existsSync(best) ? { best, icbm: { ...settings, method } } : undefined;
}

/** Exports the image or ICBM run in `runDir` to `out` (default <runDir>/model.htafb). */
export function exportImageRun(runDir: string, out = join(runDir, 'model.htafb')): ExportResult {
  const where = `htaf export --run '${runDir}'`;
  const files = imageRunFiles(runDir);
  if (!files) throw new Error(`${where}: no best.safetensors there (a run of htaf train --out DIR, htaf images train or htaf icbm train is expected)`);
  return tidy(() => {
    const create = files.icbm ? icbmFactory(files.icbm.concepts, files.icbm.method, files.icbm.conceptLayer as never) : undefined;
    const { model, meta } = loadImageModel(files.best, create);
    try {
      const b = new GraphBuilder();
      const walk = new Walker(b, where);
      const [c, h, w] = [meta.model.inChannels, meta.model.imageSize, meta.model.imageSize];
      let output: string;
      let concepts: string | undefined;
      if (model instanceof Icbm) ({ output, concepts } = walk.icbm(model));
      else output = walk.classifier(model, 'input');
      const graph: Omit<RuntimeGraph, 'nodes'> = {
        kind: 'image', input: [c, h, w], task: 'multiclass', outputs: meta.model.numClasses, classes: [...meta.classes], output, ...(concepts ? { concepts } : {}),
      };
      const written = b.write(out, graph, {
        stats: JSON.stringify(meta.stats), model: JSON.stringify(meta.model), description: meta.description,
        source: JSON.stringify({ run: runDir, epoch: meta.epoch, dataset: meta.dataset, ...(files.icbm ? { icbm: files.icbm } : {}) }),
      });
      return { out, graph: written, checkpointBytes: statSync(files.best).size, bytes: statSync(out).size };
    } finally {
      model.dispose();
    }
  });
}

/** Emits the nodes of each model family. Value names are the modules' paths in the trained model. */
class Walker {
  constructor(
    readonly b: GraphBuilder,
    readonly where: string,
  ) {}

  /** A classifier: images → logits; `prefix` names the modules inside an ICBM ('backbone.'). */
  classifier(model: Module, input: string, prefix = ''): string {
    if (model instanceof WideResNet) return this.wideResNet(model, input, prefix);
    if (model instanceof ResNet) return this.resNet(model, input, prefix);
    if (model instanceof BiRealNet) return this.biReal(model, input, prefix);
    if (model instanceof SewResNet) return this.sew(model, input, prefix);
    throw new Error(`${this.where}: a ${model.constructor.name} has no runtime graph (exportable: WideResNet, ResNet, Bi-Real, SEW-ResNet and ICBMs on them)`);
  }

  icbm(model: Icbm): { output: string; concepts?: string } {
    const b = this.b;
    let x = this.classifier(model.backbone, 'input', 'backbone.');
    const m = model.numConcepts;
    const kind = inferenceActivation(model.concept, `${this.where}: concept`);
    if (kind === 'sign') throw new Error(`${this.where}: the concept activation is a sign (±1) form; ICBM concepts are 0/1`);
    const bn = model.norm instanceof BatchNorm1d ? batchNormAffine(model.norm, 'norm') : undefined;
    if (model.norm instanceof LayerNorm) {
      const ln = model.norm;
      x = b.node({
        op: 'layernorm', name: 'norm', inputs: [x], eps: ln.eps,
        weight: b.f32('norm.weight', ln.weight ? values(ln.weight) : new Float64Array(m).fill(1), [m]), bias: b.f32('norm.bias', ln.bias ? values(ln.bias) : new Float64Array(m), [m]),
      });
    } else if (!(model.norm instanceof Identity) && !bn) throw new Error(`${this.where}: the concept layer's ${model.norm.constructor.name} has no runtime op`);
    if (kind === 'relu') {
      x = bn ? b.affine('concept', x, bn, true) : b.node({ op: 'relu', name: 'concept', inputs: [x] });
      return { output: b.linear('head', x, false, model.head) };
    }
    const concepts = b.step('concept', x, m, false, bn);
    return { output: b.linear('head', concepts, true, model.head), concepts };
  }

  /** BN → activation of a pre-activation network: bits (a step folded with the BN) or a real map (BN + ReLU). */
  #bnAct(name: string, input: string, bn: BatchNorm2d, act: Module): { value: string; bits: boolean } {
    const a = batchNormAffine(bn, name);
    const kind = inferenceActivation(act, `${this.where}: ${name}`);
    if (kind === 'sign') throw new Error(`${this.where}: ${name} is a sign (±1) activation; a WideResNet's activations are 0/1 steps or ReLUs`);
    return kind === 'step' ? { value: this.b.step(name, input, bn.numFeatures, false, a), bits: true } : { value: this.b.affine(name, input, a, true), bits: false };
  }

  wideResNet(net: WideResNet, input: string, p: string): string {
    const b = this.b;
    let x = b.conv(`${p}conv1`, input, false, net.conv1);
    for (const [g, group] of [net.block1, net.block2, net.block3].entries()) {
      for (const [i, m] of [...group.layer.children()].entries()) {
        const block = m as WideBasicBlock;
        const at = `${p}block${g + 1}.layer.${i}`;
        const pre = this.#bnAct(`${at}.act1`, x, block.bn1, block.act1);
        const h = b.conv(`${at}.conv1`, pre.value, pre.bits, block.conv1);
        const mid = this.#bnAct(`${at}.act2`, h, block.bn2, block.act2);
        const out = b.conv(`${at}.conv2`, mid.value, mid.bits, block.conv2);
        const shortcut = block.convShortcut ? b.conv(`${at}.convShortcut`, pre.value, pre.bits, block.convShortcut) : x;
        x = b.node({ op: 'add', name: `${at}.add`, inputs: [shortcut, out] });
      }
    }
    const last = this.#bnAct(`${p}act`, x, net.bn1, net.act);
    const pooled = b.node({ op: 'global_avgpool', name: `${p}avgpool`, inputs: [last.value] });
    return b.linear(`${p}fc`, pooled, false, net.fc);
  }

  #relu(name: string, input: string, act: Module): string {
    if (inferenceActivation(act, `${this.where}: ${name}`) !== 'relu') throw new Error(`${this.where}: ${name}: a ResNet is exported with ReLU activations only`);
    return this.b.node({ op: 'relu', name, inputs: [input] });
  }

  #maxPool(name: string, input: string, pool: Module | null): string {
    if (pool === null || pool instanceof Identity) return input;
    if (!(pool instanceof MaxPool2d)) throw new Error(`${this.where}: ${name} is a ${pool.constructor.name}, not a max pool`);
    const [k] = pool.kernelSize;
    if (pool.ceilMode || pool.dilation.some((d) => d !== 1) || pool.kernelSize[1] !== k) throw new Error(`${this.where}: ${name}: only square floor-mode max pools are exported`);
    return this.b.node({ op: 'maxpool2d', name, inputs: [input], kernel: k, stride: pool.stride[0], padding: pool.padding[0] });
  }

  resNet(net: ResNet, input: string, p: string): string {
    const b = this.b;
    let x = this.#relu(`${p}act`, b.conv(`${p}conv1`, input, false, net.conv1, batchNormAffine(net.bn1, `${p}bn1`)), net.act);
    x = this.#maxPool(`${p}maxpool`, x, net.maxpool);
    for (const [s, stage] of [net.layer1, net.layer2, net.layer3, net.layer4].entries()) {
      for (const [i, m] of [...stage.children()].entries()) {
        if (!('act1' in m) || !('conv2' in m) || 'conv3' in m) throw new Error(`${this.where}: ${p}layer${s + 1}.${i} is a ${m.constructor.name}; basic blocks only`);
        const block = m as BasicBlock;
        const at = `${p}layer${s + 1}.${i}`;
        const h = this.#relu(`${at}.act1`, b.conv(`${at}.conv1`, x, false, block.conv1, batchNormAffine(block.bn1, `${at}.bn1`)), block.act1);
        const out = b.conv(`${at}.conv2`, h, false, block.conv2, batchNormAffine(block.bn2, `${at}.bn2`));
        let identity = x;
        if (block.downsample) {
          const [conv, bn] = [...block.downsample.children()];
          identity = b.conv(`${at}.downsample`, x, false, conv as never, batchNormAffine(bn as BatchNorm2d, `${at}.downsample.1`));
        }
        x = this.#relu(`${at}.act2`, b.node({ op: 'add', name: `${at}.add`, inputs: [out, identity] }), block.act2);
      }
    }
    const pooled = b.node({ op: 'global_avgpool', name: `${p}avgpool`, inputs: [x] });
    return b.linear(`${p}fc`, pooled, false, net.fc);
  }

  biReal(net: BiRealNet, input: string, p: string): string {
    const b = this.b;
    let x = this.#maxPool(`${p}maxpool`, b.conv(`${p}conv1`, input, false, net.conv1, batchNormAffine(net.bn1, `${p}bn1`)), net.maxpool);
    for (const [s, stage] of net.stages.entries()) {
      for (const [i, m] of [...stage.children()].entries()) {
        const unit = m as BiRealBlock;
        const at = `${p}layer${s + 1}.${i}`;
        if (inferenceActivation(unit.binaryActivation, `${this.where}: ${at}.binary_activation`) !== 'sign') throw new Error(`${this.where}: ${at}: a Bi-Real unit's activation must be a sign`);
        const cin = unit.binaryConv.inChannels;
        const signs = b.step(`${at}.binary_activation`, x, cin, true);
        const out = this.#binaryConv(`${at}.binary_conv`, signs, unit, batchNormAffine(unit.bn1, `${at}.bn1`));
        let residual = x;
        if (unit.downsample) {
          const [pool, conv, bn] = [...unit.downsample.children()];
          let y = x;
          if (pool instanceof AvgPool2d) {
            if (!pool.ceilMode || pool.countIncludePad) throw new Error(`${this.where}: ${at}.downsample.0: the runtime's average pool is ceil mode without padding counted`);
            y = b.node({ op: 'avgpool2d', name: `${at}.downsample.0`, inputs: [x], kernel: pool.kernelSize[0], stride: pool.stride[0], padding: pool.padding[0] });
          } else if (!(pool instanceof Identity)) throw new Error(`${this.where}: ${at}.downsample.0 is a ${pool.constructor.name}`);
          residual = b.conv(`${at}.downsample.1`, y, false, conv as never, batchNormAffine(bn as BatchNorm2d, `${at}.downsample.2`));
        }
        x = b.node({ op: 'add', name: `${at}.add`, inputs: [out, residual] });
      }
    }
    const pooled = b.node({ op: 'global_avgpool', name: `${p}avgpool`, inputs: [x] });
    return b.linear(`${p}fc`, pooled, false, net.fc);
  }

  /** Bi-Real's conv: sign bits of W (bit 1: W ≥ 0, as sign(0) = +1 there) and per channel α·s, the BN's shift as bias. */
  #binaryConv(name: string, input: string, unit: BiRealBlock, bn: { scale: Float64Array; shift: Float64Array }): string {
    const conv = unit.binaryConv;
    const [cout, cin, k] = conv.weight.shape;
    const g = { kernel: k, stride: conv.stride[0], padding: conv.padding[0] };
    const signs = values(heavisideStep(conv.weight.detach(), false)); // 1 where W ≥ 0
    const alpha = values(conv.weight.detach().abs().mean([1, 2, 3]));
    const words = (cin + 31) >>> 5;
    const bits = new Int32Array(cout * k * k * words);
    for (let o = 0; o < cout; o++) {
      for (let i = 0; i < cin; i++) {
        for (let pix = 0; pix < k * k; pix++) if (signs[(o * cin + i) * k * k + pix] === 1) bits[(o * k * k + pix) * words + (i >>> 5)] |= 1 << (i & 31);
      }
    }
    const b = this.b;
    return b.node({
      op: 'conv2d_binary', name, inputs: [input], ...g, weightBits: b.i32(`${name}.weightBits`, bits, [cout, k, k, words]),
      scale: b.f32(`${name}.scale`, alpha.map((a, o) => a * bn.scale[o]), [cout]), bias: b.f32(`${name}.bias`, bn.shift, [cout]),
    });
  }

  #lif(name: string, input: string, neuron: SpikingNeuron, steps: number, repeat = false): string {
    if (!(neuron instanceof LIFNode)) throw new Error(`${this.where}: ${name} is a ${neuron.constructor.name}; the runtime runs LIF neurons`);
    return this.b.node({ op: 'lif', name, inputs: [input], steps, tau: neuron.tau, vThreshold: neuron.vThreshold, vReset: neuron.vReset, ...(repeat ? { repeat: true } : {}) });
  }

  sew(net: SewResNet, input: string, p: string): string {
    const b = this.b;
    const T = net.T;
    // Direct encoding: the stem sees the same image at every step, so its conv runs once and LIF repeats it.
    let x = this.#lif(`${p}sn1`, b.conv(`${p}conv1`, input, false, net.conv1, batchNormAffine(net.bn1, `${p}bn1`)), net.sn1, T, true);
    if (!(net.maxpool instanceof Identity)) throw new Error(`${this.where}: a SEW-ResNet with a max-pool stem (images over 64 pixels) is not exported yet`);
    for (const [s, stage] of net.stages.entries()) {
      for (const [i, m] of [...stage.children()].entries()) {
        const block = m as SewBasicBlock;
        const at = `${p}layer${s + 1}.${i}`;
        const h = this.#lif(`${at}.sn1`, b.conv(`${at}.conv1`, x, true, block.conv1, batchNormAffine(block.bn1, `${at}.bn1`)), block.sn1, T);
        const out = this.#lif(`${at}.sn2`, b.conv(`${at}.conv2`, h, true, block.conv2, batchNormAffine(block.bn2, `${at}.bn2`)), block.sn2, T);
        let identity = x;
        if (block.downsample) {
          const [conv, bn] = [...block.downsample.children()];
          identity = this.#lif(`${at}.downsample_sn`, b.conv(`${at}.downsample`, x, true, conv as never, batchNormAffine(bn as BatchNorm2d, `${at}.downsample.1`)), block.downsampleSn!, T);
        }
        x = b.node({ op: 'add', name: `${at}.add`, inputs: [out, identity] });
      }
    }
    const pooled = b.node({ op: 'global_avgpool', name: `${p}avgpool`, inputs: [x], steps: T });
    return b.linear(`${p}fc`, pooled, false, net.fc);
  }
}
