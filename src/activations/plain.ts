// The ordinary activations, registered so that specs can name them too ('relu' in a config or on the
// command line). They are the nn modules (src/nn/activation.ts); they have no step mode and no sign form.
import { GELU, ReLU, SiLU, Sigmoid, Tanh } from '../nn/activation.js';
import { Identity } from '../nn/linear.js';
import { defineActivation } from './definition.js';

export const reluActivation = defineActivation({
  name: 'relu',
  description: 'max(0, x)',
  binary: false,
  params: [],
  type: ReLU,
  create: () => new ReLU(),
  values: () => ({}),
});

export const geluActivation = defineActivation({
  name: 'gelu',
  description: 'x·Φ(x), the exact (erf) form',
  binary: false,
  params: [],
  type: GELU,
  create: () => new GELU(),
  values: (m) => {
    if (m.approximate !== 'none') throw new Error(`activationSpec: GELU(approximate='${m.approximate}') has no spec; 'gelu' is the exact (erf) form`);
    return {};
  },
});

export const siluActivation = defineActivation({
  name: 'silu',
  description: 'x·σ(x)',
  binary: false,
  params: [],
  type: SiLU,
  create: () => new SiLU(),
  values: () => ({}),
});

export const tanhActivation = defineActivation({
  name: 'tanh',
  description: 'tanh(x)',
  binary: false,
  params: [],
  type: Tanh,
  create: () => new Tanh(),
  values: () => ({}),
});

export const sigmoidActivation = defineActivation({
  name: 'sigmoid',
  description: 'σ(x) = 1/(1 + e^(−x))',
  binary: false,
  params: [],
  type: Sigmoid,
  create: () => new Sigmoid(),
  values: () => ({}),
});

export const identityActivation = defineActivation({
  name: 'identity',
  description: 'x (no activation)',
  binary: false,
  params: [],
  type: Identity,
  create: () => new Identity(),
  values: () => ({}),
});
