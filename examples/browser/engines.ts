// The engines the page can run a model with, by name: the WebAssembly kernels (SIMD128; the default where
// the browser runs them) and the plain-JavaScript ones (everywhere).
import { jsKernels, type Kernels } from '../../src/runtime/index.js';
import { createWasmKernels, wasmAvailable } from '../../src/runtime/wasm.js';

export const ENGINES: Record<string, () => Promise<Kernels>> = {
  wasm: async () => createWasmKernels(), // its error names what the browser lacks
  js: async () => jsKernels,
};

export const defaultEngine = (): string => (wasmAvailable() ? 'wasm' : 'js');

/** The kernels of `name`, or an error naming the engines there are. */
export async function kernelsFor(name: string): Promise<Kernels> {
  const make = ENGINES[name];
  if (make === undefined) throw new Error(`unknown engine '${name}'; this page has ${Object.keys(ENGINES).join(', ')}`);
  return make();
}
