// Binary activations as modules: specs, the model-wide exact-step switch, and a model's summary.
// Run: node dist/examples/binary_activations.js
import {
  Linear, Sequential, activationSpec, binaryActivationSummary, exactSteps, manualSeed, noGrad, parseActivation, randn, setStepMode,
  tidy, type Tensor,
} from '../src/index.js';

manualSeed(0);
// The same strings work in code, config files and on the command line.
const model = new Sequential(
  new Linear(4, 6), parseActivation('htaf:alpha=2,beta=11'), // σ(11·tanh(2x)) in training
  new Linear(6, 6), parseActivation('sign:ste:rect,a=1'),    // sign(x) forward, rectangular surrogate backward
  new Linear(6, 1),
);
console.log(binaryActivationSummary(model));
console.log('spec of layer 1:', activationSpec(model.at(1)));

// Watch the first binary activation's outputs, smooth and exact.
const show = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3));
const seen: string[] = [];
model.at(1).registerForwardHook((_m, _inputs, out: Tensor) => void seen.push(out.select(0, 0).toFlatArray().map(show).join(' ')));
const x = randn([2, 4]);
tidy(() => noGrad(() => void model.call(x)));
exactSteps(model, () => tidy(() => noGrad(() => void model.call(x)))); // exact inside, modes restored after
console.log('smooth HTAF:', seen[0]);
console.log('exact step: ', seen[1]);

setStepMode(model, 'exact'); // for deployment: every step in the model is H(x), however deep
console.log(binaryActivationSummary(model).split('\n')[0]);

try {
  parseActivation('htaf:alpha=0');
} catch (err) {
  console.log('error:', (err as Error).message);
}
