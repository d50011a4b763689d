// The fused activation ops: HTAF, scaled sigmoid and the Heaviside step with a surrogate gradient.
// Run: node dist/examples/activations.js
import { htaf, heavisideSte, scaledSigmoid, tensor } from '../src/index.js';

const x = tensor([-1, -0.1, 0, 0.1, 1], { requiresGrad: true });

const y = htaf(x, 2, 11); // sigmoid(11 * tanh(2x)): smooth, heavy-tailed gradient
y.sum().backward();
console.log('HTAF(x)    =', y.toFlatArray().map((v) => v.toFixed(4)).join(' '));
console.log("HTAF'(x)   =", x.grad!.toFlatArray().map((v) => v.toExponential(2)).join(' ')); // slope at 0 = alpha*beta/4 = 5.5
x.zeroGrad();

console.log('SS(x)      =', scaledSigmoid(x, 22).toFlatArray().map((v) => v.toFixed(4)).join(' '));

const h = heavisideSte(x, 'sigmoid', 4); // exact step forward, k*s(kx)*s(-kx) backward
h.sum().backward();
console.log('H(x)       =', h.toFlatArray().join(' '));
console.log("surrogate' =", x.grad!.toFlatArray().map((v) => v.toFixed(4)).join(' '));
