// README's tour, runnable: the fused HTAF op and its gradient, Proposition 3.1, a model in smooth and in
// exact mode, and a tabular run on the built-in churn data. Run: node dist/examples/tour.js
import { tensor, htaf, Linear, Sequential, parseActivation, exactSteps, noGrad, randn, tidy, alphaMin, loadBuiltin, randomSplit, fitPreprocessor, trainRun } from '../src/index.js';

const x = tensor([-1, -0.1, 0, 0.1, 1], { requiresGrad: true });
htaf(x, 2, 11).sum().backward();                        // fused C++ op: σ(11·tanh(2x)) and its gradient
console.log('gradient:', x.grad!.toFlatArray().map((v) => v.toFixed(4)).join(' '));   // slope α·β/4 = 5.5 at 0, heavy tails
console.log('alpha_min(beta 11):', alphaMin(11, 0.1, 0.1).toFixed(4));                // Proposition 3.1

const model = new Sequential(new Linear(4, 8), parseActivation('htaf:alpha=2,beta=11'), new Linear(8, 1));
const input = randn([2, 4]);
const smooth = tidy(() => noGrad(() => model.call(input).toFlatArray()));                             // training form
const exact = exactSteps(model, () => tidy(() => noGrad(() => model.call(input).toFlatArray())));     // every HTAF is H(x)
console.log('outputs differ between smooth and exact:', smooth.some((v, i) => v !== exact[i]));

const data = loadBuiltin('churn');                      // the paper's Churn data, shipped in datasets/
const split = randomSplit(data.table.rows.length, 0);   // seeded 70/10/20
const pre = fitPreprocessor(data, split.train);         // min-max scaling fitted on train only
const result = await trainRun(
  { task: data.task, method: 'htaf', hidden: [256, 256, 128], epochs: 20, lr: 1e-3, optimizer: 'adam', batch: 256, seed: 0, patience: 5 },
  { train: pre.encode(split.train), val: pre.encode(split.val), test: pre.encode(split.test), preprocessor: pre, classes: data.classes.length },
);
console.log(`test AUROC: ${result.test.exact.auroc!.toFixed(3)} exact steps, ${result.test.smooth.auroc!.toFixed(3)} smooth; binarity ${result.binarity.toFixed(3)}`);
