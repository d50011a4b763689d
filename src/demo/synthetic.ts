// The engine's demo: an MLP whose hidden activations are HTAF(2, 11) learns a synthetic rule; at test
// time every HTAF is swapped for the exact Heaviside step and the accuracy is measured both ways.
import { Adam } from '../optim/index.js';
import { HTAF, setStepMode } from '../activations/index.js';
import { Linear, Sequential, type Module } from '../nn/index.js';
import { binaryCrossEntropyWithLogits, rand } from '../tensor/functions.generated.js';
import { manualSeed } from '../core/runtime.js';
import { noGrad } from '../autograd/grad_mode.js';
import { tidy } from '../core/scope.js';
import type { Tensor } from '../tensor/tensor.js';

/** Points in [-1, 1]^8; the label says whether x0 + x1*x2 - 0.5*x3 > 0. */
function syntheticData(n: number): { x: Tensor; y: Tensor } {
  return tidy(() => {
    const x = rand([n, 8]).mul(2).sub(1);
    const c = (i: number) => x.select(1, i);
    const y = c(0).add(c(1).mul(c(2))).sub(c(3).mul(0.5)).gt(0).toDtype('float32').unsqueeze(1);
    return { x, y };
  });
}

function accuracy(model: Module, x: Tensor, y: Tensor): number {
  return tidy(() => noGrad(() => model.call(x).gt(0).toDtype('float32').eq(y).toDtype('float32').mean().item() as number));
}

export interface DemoOptions {
  seed: number;
  epochs: number;
  log: (line: string) => void;
}

export function runSyntheticDemo(o: DemoOptions): { smooth: number; exact: number } {
  manualSeed(o.seed);
  const model = new Sequential(new Linear(8, 64), new HTAF(2, 11), new Linear(64, 64), new HTAF(2, 11), new Linear(64, 1));
  const train = syntheticData(4000);
  const test = syntheticData(1000);
  const optimizer = new Adam(model.parameters(), { lr: 3e-3 });
  const batch = 100;
  o.log(`htaf demo: MLP 8-64-64-1 with HTAF(alpha=2, beta=11), ${o.epochs} epochs on 4,000 synthetic points`);
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    let total = 0;
    for (let start = 0; start < 4000; start += batch) {
      total += tidy(() => {
        optimizer.zeroGrad();
        const loss = binaryCrossEntropyWithLogits(model.call(train.x.narrow(0, start, batch)), train.y.narrow(0, start, batch));
        loss.backward();
        optimizer.step();
        return loss.item() as number;
      });
    }
    if (epoch % 10 === 0 || epoch === o.epochs) o.log(`epoch ${epoch}: mean training loss ${(total / (4000 / batch)).toFixed(4)}`);
  }
  model.eval();
  const smooth = accuracy(model, test.x, test.y);
  setStepMode(model, 'exact'); // every HTAF becomes the Heaviside step; no weight changes
  const exact = accuracy(model, test.x, test.y);
  o.log(`test accuracy, smooth HTAF steps: ${(100 * smooth).toFixed(1)}%`);
  o.log(`test accuracy, exact Heaviside steps: ${(100 * exact).toFixed(1)}%`);
  optimizer.dispose();
  model.dispose();
  for (const t of [train.x, train.y, test.x, test.y]) t.dispose();
  return { smooth, exact };
}
