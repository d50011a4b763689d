// A PyTorch-style training loop: a Module, Adam with a warm-up + cosine schedule, a checkpoint.
// Run: node dist/examples/train_mlp.js
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Adam, F, Linear, Module, loadCheckpoint, manualSeed, noGrad, randn, saveCheckpoint, tidy, warmupCosine,
  type Tensor,
} from '../src/index.js';

class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(inFeatures: number, hidden: number) {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(inFeatures, hidden));
    this.fc2 = this.registerModule('fc2', new Linear(hidden, 1));
  }

  forward(x: Tensor): Tensor {
    return this.fc2.call(F.relu(this.fc1.call(x)));
  }
}

manualSeed(0);
const x = randn([512, 4]).keep();
const y = tidy(() => x.select(1, 0).mul(x.select(1, 1)).unsqueeze(1)).keep(); // learn x0 * x1
const model = new Mlp(4, 64);
const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
const schedule = warmupCosine(optimizer, { warmupSteps: 20, totalSteps: 300 });

for (let step = 1; step <= 300; step++) {
  const loss = tidy(() => {
    optimizer.zeroGrad();
    const l = F.mseLoss(model.call(x), y);
    l.backward();
    optimizer.step();
    return l.item() as number;
  });
  schedule.step();
  if (step % 100 === 0) console.log(`step ${step}: loss ${loss.toFixed(4)}, lr ${schedule.getLastLr()[0].toExponential(2)}`);
}

// Checkpoints are safetensors files (Python's safetensors reads them), written atomically.
const dir = mkdtempSync(join(tmpdir(), 'htaf-example-'));
const file = join(dir, 'mlp.safetensors');
tidy(() => saveCheckpoint(file, { model: model.stateDict(), optimizer: optimizer.stateDict(), meta: { step: 300 } }));
const restored = new Mlp(4, 64);
tidy(() => restored.loadStateDict(loadCheckpoint(file).model));
const same = tidy(() => noGrad(() => restored.call(x).equal(model.call(x))));
console.log('restored model gives the same outputs:', same);
rmSync(dir, { recursive: true });
