// The time steps each value of a graph carries per example (1, or T after a spiking layer until a pool
// over time), for what a layer's values would take as float32: 32 bits per value and step.
import type { RuntimeGraph } from '../../src/runtime/index.js';

export function stepsPerValue(g: RuntimeGraph): Map<string, number> {
  const steps = new Map<string, number>([['input', 1]]);
  for (const node of g.nodes) {
    const before = steps.get(node.inputs[0]) ?? 1;
    if (node.op === 'lif') steps.set(node.name, node.steps);
    else if (node.op === 'global_avgpool' && node.steps !== undefined) steps.set(node.name, 1);
    else steps.set(node.name, before);
  }
  return steps;
}
