// The engines the page can run a model with, by name. The WebAssembly one joins this list once
// src/runtime/wasm.ts is there; the first engine available is the default.
import { jsKernels, type Kernels } from '../../src/runtime/index.js';

export const ENGINES: Record<string, () => Promise<Kernels>> = {
  js: async () => jsKernels,
};

export const DEFAULT_ENGINE = Object.keys(ENGINES)[0];

/** The kernels of `name`, or an error naming the engines there are. */
export async function kernelsFor(name: string): Promise<Kernels> {
  const make = ENGINES[name];
  if (make === undefined) throw new Error(`unknown engine '${name}'; this page has ${Object.keys(ENGINES).join(', ')}`);
  return make();
}
