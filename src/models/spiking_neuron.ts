// What every multi-step spiking neuron shares (spikingjelly's BaseNode): per time step
//   charge   h[t] = f(v[t−1], x[t])                  (the neuron's own dynamics: LIF, IF, ...)
//   fire     s[t] = Θ(h[t] − v_th)                    (Θ: the spike function, a binary activation)
//   reset    hard: v[t] = h[t]·(1 − s[t]) + v_reset·s[t]; soft (vReset null): v[t] = h[t] − v_th·s[t]
// with v[−1] = v_reset (0 for the soft reset), as spikingjelly starts it.
//
// Θ is a child module named `spike`, built from a method spec by the activation registry ('htaf',
// 'ss', 'ste:sigmoid', 'heaviside', ...): H forward with a surrogate gradient (STE), or a smooth step in
// training (HTAF, SS) that setStepMode(model, 'exact') turns into the exact H, so every spike is then 0
// or 1. Forward hooks on `spike` fire once per time step with that step's spikes [B, ...]; hooks on the
// neuron itself see the whole train [T, B, ...] (firing rates).
//
// The membrane potential lives only inside one forward call (it starts at v_reset and is dropped when
// the call returns): a model's forward is a pure function of its input, with no reset() to remember
// between batches, unlike spikingjelly's stateful nodes (functional.reset_net). step() exposes one time
// step with the state passed in and out, for code that drives the time loop itself (the ANN-to-SNN
// converter).
//
// The fused path (fused: true, the default): LIF and IF run the whole time loop as one native op
// (neuronMultiStep: one vectorized pass over T forward, BPTT in one pass backward, only x saved), with
// the spike function inlined. It gives the composed loop's spikes bit for bit in float32 and its
// gradients to rounding (docs/method.md §3). It applies on CPU float32/float64 when the spike function
// is one the op inlines (fusedSpike()) and no hook sits on `spike` (a per-step hook needs the loop);
// otherwise, and with fused: false (the reference, and double backward), the loop below composes ops.
//
// detachReset (spikingjelly's detach_reset, default false as there): with true, the reset uses the
// spike's value but no gradient flows through the reset term; with false (the default) the gradient of
// the surrogate also flows through the reset, as spikingjelly does by default.
import { BinaryActivation, activationFactory } from '../activations/index.js';
import { fusedOpApplies } from '../activations/binary.js';
import { Module } from '../nn/index.js';
import { Tensor } from '../tensor/tensor.js';
import { neuronMultiStep, stack } from '../tensor/functions.generated.js';
import { showValue } from '../core/show.js';
import { checkOptionsObject } from '../core/options.js';
import { booleanOption, finiteNumber } from './bnn_snn_options.js';

/** Options every neuron takes. */
export interface NeuronOptions {
  /**
   * The spike function: a binary 0/1 activation spec ('htaf', 'ss', 'ste:sigmoid', 'ste:rect',
   * 'heaviside'). Default 'ste:sigmoid' (k = 4): spikingjelly's default surrogate, surrogate.Sigmoid(alpha=4).
   */
  method?: string;
  /** Firing threshold v_th (default 1). */
  vThreshold?: number;
  /** Reset potential (default 0): hard reset to it after a spike; null: soft reset (subtract v_th). */
  vReset?: number | null;
  /** Detach the spike in the reset term from the graph (spikingjelly's detach_reset; default false). */
  detachReset?: boolean;
  /**
   * Run LIF/IF's time loop as the fused native op where it applies (default true); false: always the
   * composed loop (the reference; needed for double backward).
   */
  fused?: boolean;
}

/** A neuron's charge as the fused op knows it: LIF with its τ, or IF. */
export interface FusedDynamics {
  neuron: 'lif' | 'if';
  tau: number;
}

/** spikingjelly's default surrogate: Sigmoid(alpha=4), which is our STE with the sigmoid surrogate, k = 4. */
export const DEFAULT_SPIKE_METHOD = 'ste:sigmoid';

export const NEURON_OPTION_KEYS = ['method', 'vThreshold', 'vReset', 'detachReset', 'fused'] as const;

const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

/** One time step's result: the spikes and the membrane potential after the reset. */
export interface NeuronStep {
  spike: Tensor;
  v: Tensor;
}

export abstract class SpikingNeuron extends Module {
  /** The spike function Θ (a 0/1 binary activation), called on h − v_th once per time step. */
  readonly spike: BinaryActivation;
  /** The spike function's spec as given. */
  readonly method: string;
  readonly vThreshold: number;
  /** null: soft reset (reset by subtraction). */
  readonly vReset: number | null;
  readonly detachReset: boolean;
  #fused: boolean;

  /**
   * @param owner the subclass's name, for messages
   * @param options the shared options (subclasses pass theirs through after removing their own keys)
   */
  protected constructor(owner: string, options: NeuronOptions) {
    super();
    const method = options.method ?? DEFAULT_SPIKE_METHOD;
    if (typeof method !== 'string') throw new Error(`${owner}: method must be an activation spec string such as 'htaf' or 'ste:sigmoid'; got ${showValue(method)}`);
    let spike: Module;
    try {
      spike = activationFactory(method)();
    } catch (err) {
      throw new Error(`${owner}: method ${JSON.stringify(method)}: ${(err as Error).message}`);
    }
    if (!(spike instanceof BinaryActivation) || spike.signed) {
      throw new Error(
        `${owner}: method must be a binary 0/1 activation (htaf, ss, ste, heaviside; not a sign: form or approxsign), since a spike is 0 or 1; got ${JSON.stringify(method)}`,
      );
    }
    this.method = method;
    this.vThreshold = finiteNumber(owner, 'vThreshold', options.vThreshold ?? 1);
    const vReset = options.vReset === undefined ? 0 : options.vReset;
    this.vReset = vReset === null ? null : finiteNumber(owner, 'vReset', vReset);
    if (this.vReset !== null && this.vReset >= this.vThreshold) {
      throw new Error(`${owner}: vReset (${this.vReset}) must be below vThreshold (${this.vThreshold}), or the neuron fires at every step after its first spike`);
    }
    this.detachReset = booleanOption(owner, 'detachReset', options.detachReset ?? false);
    this.#fused = booleanOption(owner, 'fused', options.fused ?? true);
    this.spike = this.registerModule('spike', spike);
  }

  /** Whether forward may use the fused op (the fused option); settable, e.g. to time both paths. */
  get fused(): boolean {
    return this.#fused;
  }

  set fused(fused: boolean) {
    this.#fused = booleanOption(this.constructor.name, 'fused', fused);
  }

  /** The charge h[t] from the potential v[t−1] and the input x[t] (spikingjelly's neuronal_charge). */
  abstract charge(v: Tensor, x: Tensor): Tensor;

  /** The potential before the first step: v_reset (0 with the soft reset), shaped like one step's input. */
  initialPotential(x: Tensor): Tensor {
    return x.fullLike(this.vReset ?? 0);
  }

  /** One time step: charge, fire, reset. x and v are [B, ...] (v from initialPotential or the last step). */
  step(x: Tensor, v: Tensor): NeuronStep {
    const h = this.charge(v, x);
    const spike = this.spike.call(h.sub(this.vThreshold));
    const s = this.detachReset ? spike.detach() : spike;
    const after = this.vReset === null ? h.sub(s.mul(this.vThreshold)) : h.mul(s.neg().add(1)).add(s.mul(this.vReset));
    return { spike, v: after };
  }

  /** x: inputs over time [T, B, ...] (time first); returns the spikes [T, B, ...]. */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new Error(`${this.constructor.name}.forward: input must be a Tensor [T, B, ...]; got ${showValue(x)}`);
    if (x.shape.length < 2 || x.shape[0] === 0) {
      throw new Error(`${this.constructor.name}.forward: expected input [T, B, ...] (time first, T ≥ 1) with at least 2 dims; got shape [${x.shape.join(', ')}]`);
    }
    if (!FLOAT_DTYPES.has(x.dtype)) throw new Error(`${this.constructor.name}.forward: input must be a floating-point tensor; got ${x.dtype}`);
    const fused = this.fusedForward(x);
    if (fused !== null) return fused;
    const spikes: Tensor[] = [];
    let v = this.initialPotential(x.select(0, 0));
    for (let t = 0; t < x.shape[0]; t++) {
      const r = this.step(x.select(0, t), v);
      spikes.push(r.spike);
      v = r.v;
    }
    return stack(spikes, 0);
  }

  /**
   * The charge as the fused op computes it, or null (the default) for a neuron the op does not know.
   * LIF and IF return theirs only while charge, step and initialPotential are their own, so a subclass
   * that changes the dynamics falls back to the composed loop.
   */
  protected fusedDynamics(): FusedDynamics | null {
    return null;
  }

  /** Whether step() and initialPotential() are the base's (the fused op computes exactly those). */
  protected stepIsStandard(): boolean {
    return this.step === SpikingNeuron.prototype.step && this.initialPotential === SpikingNeuron.prototype.initialPotential;
  }

  /** The spikes from the fused op, or null where it does not apply (the header says when). */
  private fusedForward(x: Tensor): Tensor | null {
    if (!this.fused || !fusedOpApplies(x) || this.spike.hasForwardHooks()) return null;
    const dynamics = this.fusedDynamics();
    const spike = dynamics === null ? null : this.spike.fusedSpike();
    if (dynamics === null || spike === null) return null;
    return neuronMultiStep(x, dynamics.neuron, dynamics.tau, spike.spike, spike.p1, spike.p2, this.vThreshold, this.vReset ?? 0, this.vReset === null, this.detachReset);
  }

  /** The neuron's own hyperparameters for the summary line ('tau=2'); '' when there are none. */
  protected dynamicsRepr(): string {
    return '';
  }

  extraRepr(): string {
    const reset = this.vReset === null ? 'vReset=null (soft)' : `vReset=${this.vReset}`;
    return [this.dynamicsRepr(), `vThreshold=${this.vThreshold}`, reset, this.detachReset ? 'detachReset=true' : '', this.fused ? '' : 'fused=false', `method=${this.method}`]
      .filter((s) => s !== '')
      .join(', ');
  }
}

/** Checks a neuron's options object: only `allowed` keys (the shared ones plus the neuron's own). */
export function neuronOptions<T extends NeuronOptions>(owner: string, options: T | undefined, own: readonly string[]): T {
  return checkOptionsObject(owner, options, [...NEURON_OPTION_KEYS, ...own]);
}
