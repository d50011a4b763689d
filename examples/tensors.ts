// Tensors, autograd and memory scopes in a few lines.
// Run: node dist/examples/tensors.js
import { noGrad, randn, tensor, tidy, memory, manualSeed } from '../src/index.js';

manualSeed(0);
const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
const loss = x.mul(x).sum(); // sum of squares
loss.backward();
console.log('x.grad =', x.grad?.toArray()); // [[2, 4], [6, 8]]

// Intermediates created inside tidy() are freed when it returns; the returned tensor survives.
const before = memory().liveTensors;
const y = tidy(() => randn([1000, 100]).matmul(randn([100, 10])).relu().mean([0]));
console.log('y:', y.shape, '| tensors kept by tidy:', memory().liveTensors - before); // [10] | 1

// Ops outside autograd, e.g. for evaluation:
const z = noGrad(() => x.mul(2));
console.log('z requires grad?', z.requiresGrad); // false

// Every libtorch error is a JS Error naming the op and the shapes:
try {
  x.matmul(tensor([1, 2, 3]));
} catch (err) {
  console.log('error:', (err as Error).message.split('\n')[0]);
}
