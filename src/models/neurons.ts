// The spiking-neuron registry: a neuron is one file (its dynamics, as a SpikingNeuron subclass) plus one
// line in NEURONS below (docs/design.md rule 7). Models and the CLI build neurons by name ('lif', 'if') so a
// config or a flag can pick one; the options are each neuron's own (LIFOptions, IFOptions).
import { IFNode, type IFOptions } from './if_neuron.js';
import { LIFNode, type LIFOptions } from './lif.js';
import { showValue } from '../core/show.js';
import type { SpikingNeuron } from './spiking_neuron.js';

export interface NeuronDefinition {
  /** The registry name ('lif'). */
  readonly name: string;
  readonly description: string;
  /** The option keys it takes (beyond these, the constructor refuses a key). */
  readonly options: readonly string[];
  /** The class (for instanceof checks). */
  readonly type: abstract new (...args: any[]) => SpikingNeuron;
  create(options: Record<string, unknown>): SpikingNeuron;
}

const SHARED = ['method', 'vThreshold', 'vReset', 'detachReset'];

const NEURONS: readonly NeuronDefinition[] = [
  {
    name: 'lif',
    description: 'leaky integrate-and-fire: v ← v + (x − (v − v_reset))/τ, hard reset (spikingjelly LIFNode; τ = 2, v_th = 1, v_reset = 0)',
    options: ['tau', ...SHARED],
    type: LIFNode,
    create: (o) => new LIFNode(o as LIFOptions),
  },
  {
    name: 'if',
    description: 'integrate-and-fire: v ← v + x (spikingjelly IFNode; v_th = 1, v_reset = 0, or null for reset by subtraction)',
    options: SHARED,
    type: IFNode,
    create: (o) => new IFNode(o as IFOptions),
  },
];

/** The registered neuron names, in order. */
export function neuronNames(): string[] {
  return NEURONS.map((d) => d.name);
}

/** Every registered neuron: name, description and option keys. */
export function listNeurons(): Array<Pick<NeuronDefinition, 'name' | 'description' | 'options'>> {
  return NEURONS.map((d) => ({ name: d.name, description: d.description, options: [...d.options] }));
}

function definition(where: string, name: unknown): NeuronDefinition {
  const d = typeof name === 'string' ? NEURONS.find((n) => n.name === name.trim().toLowerCase()) : undefined;
  if (!d) throw new Error(`${where}: unknown neuron ${showValue(name)}; allowed: ${neuronNames().join(', ')}`);
  return d;
}

/** A new neuron by registry name with its options, e.g. createNeuron('lif', { tau: 2, method: 'htaf' }). */
export function createNeuron(name: string, options: Record<string, unknown> = {}): SpikingNeuron {
  return definition('createNeuron', name).create(options);
}

/**
 * Checks the name and options now (by building one neuron) and returns a function that makes a fresh
 * neuron at each call: one per layer, each with its own spike module, path and hooks.
 */
export function neuronFactory(name: string, options: Record<string, unknown> = {}): () => SpikingNeuron {
  const d = definition('neuronFactory', name);
  d.create(options);
  return () => d.create(options);
}
