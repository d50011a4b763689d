// `htaf bench step`: Adam training steps of the issue-2 benchmark models, as bench/peer/step.py times
// the same models in PyTorch eager.
import { Adam } from '../optim/index.js';
import { Conv2d, Flatten, Linear, MaxPool2d, Module, Sequential } from '../nn/index.js';
import { SpikingNeuron, WideResNet } from '../models/index.js';
import { buildImageModel } from '../models/image_zoo.js';
import { crossEntropy, mseLoss } from '../tensor/functions.generated.js';
import { DistributedDataParallel } from '../distributed/ddp.js';
import type { ProcessGroup } from '../distributed/process_group.js';
import { manualSeed, memory, setNumThreads } from '../core/runtime.js';
import { tidy } from '../core/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { benchActivation } from './activations.js';
import { stepBatches, type StepData } from './step_batches.js';
import { blasInUse, median, msSince, rssMb } from './stats.js';

/** An activation function as a layer, so the benchmark models are plain Sequentials. */
class Activation extends Module {
  constructor(readonly name: string, private readonly fn: (x: Tensor) => Tensor) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.fn(x);
  }

  extraRepr(): string {
    return this.name;
  }
}

export function benchmarkMlp(activation: string): Sequential {
  const act = () => new Activation(activation, benchActivation(activation));
  return new Sequential(new Linear(45, 256), act(), new Linear(256, 256), act(), new Linear(256, 128), act(), new Linear(128, 1));
}

export function benchmarkCnn(activation: string): Sequential {
  const act = () => new Activation(activation, benchActivation(activation));
  return new Sequential(
    new Conv2d(1, 32, 3, { padding: 1 }), act(), new MaxPool2d(2),
    new Conv2d(32, 64, 3, { padding: 1 }), act(), new MaxPool2d(2),
    new Flatten(), new Linear(3136, 128), act(), new Linear(128, 10),
  );
}

/** The activation modules the registry builds for the benchmark's names (same settings as BENCH_ACTIVATIONS). */
const WRN_ACTIVATION_SPECS: Record<string, string> = { relu: 'relu', htaf: 'htaf:alpha=2,beta=11', ss: 'ss:gamma=22', ste: 'ste:sigmoid,k=4' };

/** The image benchmark (issue 5): htaf's WideResNet-depth-widen on 1×28×28, every activation the given one. */
export function benchmarkWrn(activation: string, depth: number, widen: number): WideResNet {
  const spec = WRN_ACTIVATION_SPECS[activation];
  if (spec === undefined) throw new Error(`--activation must be one of ${Object.keys(WRN_ACTIVATION_SPECS).join(', ')}; got '${activation}'`);
  return new WideResNet({ depth, widen, inChannels: 1, numClasses: 10, activation: spec });
}

/** The spike functions of the SNN benchmark for the benchmark's activation names (the zoo's snn family specs). */
/** The LIF time loop as one fused op (the default) or composed of tensor ops per step (the reference). */
export type SewNeuronPath = 'fused' | 'composed';
export const SEW_NEURON_PATHS: readonly SewNeuronPath[] = ['fused', 'composed'];

const SEW_SPIKE_SPECS: Record<string, string> = { htaf: 'htaf', ss: 'ss', ste: 'ste:sigmoid' };

/**
 * The SNN benchmark (issue 13): the zoo's SEW-ResNet-depth (base width 16, small-image stem, LIF neurons,
 * T steps) on 1×28×28, every spike function the given one; bench/peer/step.py --model sew builds the same.
 */
export function benchmarkSew(activation: string, depth: number, T: number, neuron: SewNeuronPath = 'fused'): Module {
  const method = SEW_SPIKE_SPECS[activation];
  if (method === undefined) throw new Error(`--activation must be one of ${Object.keys(SEW_SPIKE_SPECS).join(', ')} for --model sew (a spike is 0 or 1); got '${activation}'`);
  const model = buildImageModel({ kind: 'snn', backbone: 'sew', depth, T, baseWidth: 16, method, inChannels: 1, imageSize: 28, numClasses: 10 });
  for (const m of model.modules()) if (m instanceof SpikingNeuron) m.fused = neuron === 'fused';
  return model;
}

export interface StepBenchOptions {
  model: 'mlp' | 'cnn' | 'wrn' | 'sew';
  /** WRN depth and widening factor (model wrn); SEW-ResNet depth (model sew: 10, 18, 34). */
  depth?: number;
  widen?: number;
  /** SNN time steps (model sew, default 4). */
  T?: number;
  /** Model sew: the fused LIF op (default) or the composed per-step loop. */
  neuron?: SewNeuronPath;
  activation: string;
  batch: number;
  steps: number;
  warmup: number;
  threads: number;
  seed: number;
  /** One random batch reused (default), or consecutive Fashion-MNIST training images (step_batches.ts). */
  data?: StepData;
  /**
   * Data-parallel: the model in DistributedDataParallel over this group, `batch` the global batch (each
   * rank batch / world size), gradients averaged after backward (timed apart: allreduce_ms).
   */
  group?: ProcessGroup;
}

export function benchStep(o: StepBenchOptions) {
  setNumThreads(o.threads);
  manualSeed(o.seed);
  const world = o.group?.worldSize ?? 1;
  if (o.batch % world !== 0) throw new Error(`bench step: --batch ${o.batch} must be a multiple of the processes (${world})`);
  const model = o.model === 'mlp' ? benchmarkMlp(o.activation)
    : o.model === 'wrn' ? benchmarkWrn(o.activation, o.depth ?? 10, o.widen ?? 2)
      : o.model === 'sew' ? benchmarkSew(o.activation, o.depth ?? 10, o.T ?? 4, o.neuron)
        : benchmarkCnn(o.activation);
  const batches = stepBatches(o.model, o.data ?? 'random', o.batch / world, o.warmup + o.steps, { rank: o.group?.rank ?? 0, worldSize: world });
  const lossOf = o.model === 'mlp' ? (out: Tensor, y: Tensor) => mseLoss(out, y) : (out: Tensor, y: Tensor) => crossEntropy(out, y);
  const ddp = o.group && world > 1 ? new DistributedDataParallel(model, { processGroup: o.group }) : undefined;
  const net: Module = ddp ?? model;
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const params = model.parameterCount();
  const reduceMs: number[] = [];

  const step = (k: number) =>
    tidy(() => {
      const { x, y } = batches[k % batches.length];
      optimizer.zeroGrad();
      const loss = lossOf(net.call(x) as Tensor, y);
      loss.backward();
      if (ddp) {
        const start = process.hrtime.bigint();
        ddp.reduceGradients();
        reduceMs.push(msSince(start));
      }
      optimizer.step();
    });

  for (let s = 0; s < o.warmup; s++) step(s);
  reduceMs.length = 0;
  const before = ddp?.traffic;
  const rssStart = rssMb();
  const times: number[] = [];
  for (let s = 0; s < o.steps; s++) {
    const start = process.hrtime.bigint();
    step(o.warmup + s);
    times.push(msSince(start));
  }
  const rssEnd = rssMb();
  const after = ddp?.traffic;
  optimizer.dispose();
  model.dispose();
  for (const b of batches) {
    b.x.dispose();
    b.y.dispose();
  }
  const msPerStep = median(times);
  return {
    impl: 'htaf',
    model: o.model,
    activation: o.activation,
    ...(o.model === 'wrn' ? { depth: o.depth ?? 10, widen: o.widen ?? 2, params } : {}),
    ...(o.model === 'sew' ? { depth: o.depth ?? 10, T: o.T ?? 4, neuron: o.neuron ?? 'fused', params } : {}),
    data: o.data ?? 'random',
    batch: o.batch,
    steps: o.steps,
    threads: o.threads,
    world_size: world,
    ms_per_step: msPerStep,
    stat: 'median',
    images_per_s: Math.round((o.batch * 1000) / msPerStep),
    ...(before && after ? {
      allreduce_ms: median(reduceMs),
      allreduce_bytes_per_step: (after.bytes - before.bytes) / o.steps,
      collectives_per_step: (after.collectives - before.collectives) / o.steps,
    } : {}),
    rss_mb_start: Math.round(rssStart * 10) / 10,
    rss_mb_end: Math.round(rssEnd * 10) / 10,
    live_tensors_end: memory().liveTensors,
    blas: blasInUse(),
  };
}
