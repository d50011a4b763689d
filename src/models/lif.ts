// The leaky integrate-and-fire neuron, multi-step, with spikingjelly's defaults (docs/method.md §3):
//   charge  h[t] = v[t−1] + (x[t] − (v[t−1] − v_reset)) / τ      (decay_input, as spikingjelly's LIFNode)
//   fire    s[t] = Θ(h[t] − v_th)
//   reset   v[t] = h[t]·(1 − s[t]) + v_reset·s[t]                  (hard reset)
// τ = 2, v_th = 1, v_reset = 0, the reset not detached. With vReset null (soft reset) the charge leaks
// toward 0 instead: h = v + (x − v)/τ, and the reset subtracts v_th. Input [T, B, ...], spikes
// [T, B, ...]; the membrane potential lives within one forward call (spiking_neuron.ts says why, and
// how the spike function, the exact switch and the detached reset work).
import type { Tensor } from '../tensor/tensor.js';
import { showValue } from '../core/show.js';
import { SpikingNeuron, neuronOptions, type FusedDynamics, type NeuronOptions } from './spiking_neuron.js';

export interface LIFOptions extends NeuronOptions {
  /** Membrane time constant τ > 1 (default 2; spikingjelly asserts τ > 1 too): the leak per step is 1/τ. */
  tau?: number;
}

export class LIFNode extends SpikingNeuron {
  readonly tau: number;

  constructor(options: LIFOptions = {}) {
    const o = neuronOptions('LIFNode', options, ['tau']);
    super('LIFNode', o);
    const tau = o.tau ?? 2;
    if (typeof tau !== 'number' || !Number.isFinite(tau) || tau <= 1) throw new Error(`LIFNode: tau must be a finite number > 1; got ${showValue(tau)}`);
    this.tau = tau;
  }

  charge(v: Tensor, x: Tensor): Tensor {
    const rest = this.vReset ?? 0;
    return v.add(x.sub(v.sub(rest)).div(this.tau));
  }

  protected fusedDynamics(): FusedDynamics | null {
    return this.charge === LIFNode.prototype.charge && this.stepIsStandard() ? { neuron: 'lif', tau: this.tau } : null;
  }

  protected dynamicsRepr(): string {
    return `tau=${this.tau}`;
  }
}
