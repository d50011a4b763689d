// A worker of bench/ddp.ts (started by launchWorkers, torchrun's variables set): for each model, times a
// forward and backward on 64 images 1×28×28 (one worker's compute per step, 1 thread), then wraps it in
// DistributedDataParallel and times reduceGradients() (the all-reduce of one step's gradients, in 25 MiB
// buckets) on this machine's loopback. Rank 0 prints one JSON line per model: parameters, compute ms,
// bytes all-reduced per step (ddp.traffic) and the median time of one step's all-reduce.
import { buildImageModel } from '../src/models/image_zoo.js';
import { DistributedDataParallel } from '../src/distributed/ddp.js';
import { initProcessGroup } from '../src/distributed/process_group.js';
import { noGrad } from '../src/autograd/grad_mode.js';
import { crossEntropy, onesLike, randint, randn } from '../src/tensor/functions.generated.js';
import { tidy } from '../src/core/scope.js';
import { setNumThreads } from '../src/core/runtime.js';
import { median, msSince } from '../src/bench/stats.js';

const MODELS = [
  { name: 'WRN-16-1', spec: { kind: 'dhn' as const, depth: 16, width: 1 } },
  { name: 'WRN-16-4', spec: { kind: 'dhn' as const, depth: 16, width: 4 } },
  { name: 'ResNet-18 (base width 64)', spec: { kind: 'standard' as const, backbone: 'resnet18', baseWidth: 64 } },
];

setNumThreads(1);
const group = initProcessGroup({ backend: 'gloo' });
for (const m of MODELS) {
  const model = buildImageModel({ ...m.spec, inChannels: 1, imageSize: 28, numClasses: 10 });
  const compute: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = process.hrtime.bigint();
    tidy(() => crossEntropy(model.call(randn([64, 1, 28, 28])), randint(0, 10, [64])).backward());
    if (i > 0) compute.push(msSince(start));
  }
  const ddp = new DistributedDataParallel(model, { processGroup: group });
  noGrad(() => {
    for (const p of model.parameters()) p.grad = onesLike(p);
  });
  const times: number[] = [];
  for (let i = 0; i < 12; i++) {
    const before = ddp.traffic.bytes;
    const start = process.hrtime.bigint();
    ddp.reduceGradients();
    if (i >= 2) times.push(msSince(start));
    if (i === 11 && group.rank === 0) {
      console.log(JSON.stringify({
        model: m.name, params: model.parameterCount(), compute_ms_batch64: median(compute), world_size: group.worldSize, buckets: ddp.buckets.length,
        bytes_per_step: ddp.traffic.bytes - before, allreduce_ms: median(times),
      }));
    }
  }
  model.dispose();
}
group.destroy();
