// `htaf bench step`: Adam training steps of the issue-2 benchmark models, as bench/peer/step.py times
// the same models in PyTorch eager.
import { Adam } from '../optim/index.js';
import { Conv2d, Flatten, Linear, MaxPool2d, Module, Sequential } from '../nn/index.js';
import { WideResNet } from '../models/index.js';
import { crossEntropy, mseLoss, randint, randn } from '../tensor/functions.generated.js';
import { manualSeed, memory, setNumThreads } from '../core/runtime.js';
import { tidy } from '../core/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { benchActivation } from './activations.js';
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

export interface StepBenchOptions {
  model: 'mlp' | 'cnn' | 'wrn';
  /** WRN depth and widening factor (model wrn). */
  depth?: number;
  widen?: number;
  activation: string;
  batch: number;
  steps: number;
  warmup: number;
  threads: number;
  seed: number;
}

export function benchStep(o: StepBenchOptions) {
  setNumThreads(o.threads);
  manualSeed(o.seed);
  const model = o.model === 'mlp' ? benchmarkMlp(o.activation) : o.model === 'wrn' ? benchmarkWrn(o.activation, o.depth ?? 10, o.widen ?? 2) : benchmarkCnn(o.activation);
  const x = (o.model === 'mlp' ? randn([o.batch, 45]) : randn([o.batch, 1, 28, 28])).keep();
  const y = (o.model === 'mlp' ? randn([o.batch, 1]) : randint(0, 10, [o.batch])).keep();
  const lossOf = o.model === 'mlp' ? (out: Tensor) => mseLoss(out, y) : (out: Tensor) => crossEntropy(out, y);
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const params = model.parameterCount();

  const step = () =>
    tidy(() => {
      optimizer.zeroGrad();
      const loss = lossOf(model.call(x));
      loss.backward();
      optimizer.step();
    });

  for (let s = 0; s < o.warmup; s++) step();
  const rssStart = rssMb();
  const times: number[] = [];
  for (let s = 0; s < o.steps; s++) {
    const start = process.hrtime.bigint();
    step();
    times.push(msSince(start));
  }
  const rssEnd = rssMb();
  optimizer.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  return {
    impl: 'htaf',
    model: o.model,
    activation: o.activation,
    ...(o.model === 'wrn' ? { depth: o.depth ?? 10, widen: o.widen ?? 2, params } : {}),
    batch: o.batch,
    steps: o.steps,
    threads: o.threads,
    ms_per_step: median(times),
    stat: 'median',
    rss_mb_start: Math.round(rssStart * 10) / 10,
    rss_mb_end: Math.round(rssEnd * 10) / 10,
    live_tensors_end: memory().liveTensors,
    blas: blasInUse(),
  };
}
