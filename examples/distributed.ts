// Data-parallel training in the library (docs/distributed.md). Run as is, this file is the launcher: it
// starts 2 workers of itself (torchrun's variables set) and waits. Each worker joins the Gloo group,
// trains one MLP on its DistributedSampler shard with DistributedDataParallel (gradients averaged after
// backward), and rank 0 prints the loss and checks that every rank ends with the same weights.
// Run: node dist/examples/distributed.js
import { fileURLToPath } from 'node:url';
import {
  Adam, DistributedDataParallel, DistributedSampler, F, Linear, Module, destroyProcessGroup, fromTypedArray, initProcessGroup,
  launchWorkers, manualSeed, randn, setNumThreads, tidy, workerEnvironment, type Tensor,
} from '../src/index.js';

class Mlp extends Module {
  readonly fc1 = this.registerModule('fc1', new Linear(4, 64));
  readonly fc2 = this.registerModule('fc2', new Linear(64, 1));

  forward(x: Tensor): Tensor {
    return this.fc2.call(F.relu(this.fc1.call(x)));
  }
}

if (workerEnvironment() === null) {
  await launchWorkers(fileURLToPath(import.meta.url), [], { nproc: 2 });
  console.log('both workers finished');
} else {
  setNumThreads(1);
  const group = initProcessGroup({ backend: 'gloo' }); // RANK, WORLD_SIZE and the store from the launcher
  manualSeed(0); // the same data on every rank; each trains on its own shard of it
  const x = randn([1024, 4]).keep();
  const y = tidy(() => x.select(1, 0).mul(x.select(1, 1)).unsqueeze(1)).keep(); // learn x0 * x1
  const model = new Mlp();
  const ddp = new DistributedDataParallel(model); // rank 0's initial weights on every rank
  const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
  const sampler = new DistributedSampler(x.shape[0], { rank: group.rank, worldSize: group.worldSize, seed: 0 });
  const perRank = 32; // global batch 64

  let loss = NaN;
  for (let epoch = 0; epoch < 20; epoch++) {
    sampler.setEpoch(epoch);
    const order = sampler.indices();
    let sum = 0;
    for (let start = 0; start + perRank <= order.length; start += perRank) {
      sum += tidy(() => {
        const index = fromTypedArray(order.slice(start, start + perRank)).toDtype('int64');
        optimizer.zeroGrad();
        const l = F.mseLoss(ddp.call(x.indexSelect(0, index)) as Tensor, y.indexSelect(0, index));
        l.backward();
        ddp.reduceGradients();
        optimizer.step();
        return l.item() as number;
      });
    }
    loss = ddp.meanOverRanks(sum / Math.floor(order.length / perRank));
  }
  // Every rank took the same averaged steps from the same start: the weights agree.
  const checksum = tidy(() => [...model.parameters()].reduce((s, p) => s + (p.abs().sum().item() as number), 0));
  const { min, max } = ddp.rangeOverRanks(checksum);
  if (group.rank === 0) {
    console.log(`${group.worldSize} processes, global batch ${perRank * group.worldSize}: epoch 20 loss ${loss.toFixed(4)} (mean over ranks)`);
    console.log(`same weights on every rank: ${min === max}`);
  }
  optimizer.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  destroyProcessGroup();
}
