// `htaf bench op`: forward + backward of one fused activation on a big tensor, as bench/peer/op.py
// times PyTorch's composed version.
import { memory, setNumThreads } from '../core/runtime.js';
import { randn } from '../tensor/functions.generated.js';
import { tidy } from '../core/scope.js';
import { benchActivation } from './activations.js';
import { median, msSince } from './stats.js';

export interface OpBenchOptions {
  op: string;
  shape: number[];
  steps: number;
  warmup: number;
  threads: number;
}

export function benchOp(o: OpBenchOptions) {
  setNumThreads(o.threads);
  const act = benchActivation(o.op);
  const x = randn(o.shape, { requiresGrad: true }).keep();
  const times: number[] = [];
  for (let s = 0; s < o.warmup + o.steps; s++) {
    const start = process.hrtime.bigint();
    tidy(() => {
      const y = act(x);
      y.backward(y.onesLike());
    });
    x.zeroGrad();
    if (s >= o.warmup) times.push(msSince(start));
  }
  x.dispose();
  return {
    impl: 'htaf',
    op: o.op,
    shape: o.shape,
    steps: o.steps,
    threads: o.threads,
    ms_fwd_bwd: median(times),
    stat: 'median',
    ms_min: Math.min(...times),
    live_tensors_end: memory().liveTensors,
  };
}
