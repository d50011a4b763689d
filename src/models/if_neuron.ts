// The integrate-and-fire neuron, multi-step (spikingjelly's IFNode): no leak,
//   charge  h[t] = v[t−1] + x[t]
//   fire    s[t] = Θ(h[t] − v_th)
//   reset   hard: v[t] = h[t]·(1 − s[t]) + v_reset·s[t]; soft (vReset null): v[t] = h[t] − v_th·s[t]
// With the soft reset (reset by subtraction) and a constant input its firing rate approximates
// clamp(x, 0, v_th)/v_th, which is what ANN-to-SNN conversion (ann2snn.ts) builds on.
import type { Tensor } from '../tensor/tensor.js';
import { SpikingNeuron, neuronOptions, type FusedDynamics, type NeuronOptions } from './spiking_neuron.js';

export type IFOptions = NeuronOptions;

export class IFNode extends SpikingNeuron {
  constructor(options: IFOptions = {}) {
    super('IFNode', neuronOptions('IFNode', options, []));
  }

  charge(v: Tensor, x: Tensor): Tensor {
    return v.add(x);
  }

  protected fusedDynamics(): FusedDynamics | null {
    return this.charge === IFNode.prototype.charge && this.stepIsStandard() ? { neuron: 'if', tau: 0 } : null;
  }
}
