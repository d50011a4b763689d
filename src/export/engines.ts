// The runtime's engines by name, for htaf predict and htaf bench infer: js (the plain-JavaScript kernels,
// anywhere), wasm (the same kernels compiled to WebAssembly with SIMD) and native (the addon's, in Node).
import { jsKernels, type Kernels } from '../runtime/index.js';

export const ENGINES = ['js'] as const;
export type EngineName = (typeof ENGINES)[number];

export function kernelsFor(engine: EngineName): Kernels {
  if (engine === 'js') return jsKernels;
  throw new Error(`htaf: unknown runtime engine ${JSON.stringify(engine)}; engines: ${ENGINES.join(', ')}`);
}
