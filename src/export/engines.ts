// The runtime's engines by name, for htaf predict and htaf bench infer: js (the plain-JavaScript kernels,
// anywhere), wasm (the same C kernels as the addon, compiled to WebAssembly with SIMD: Node and browsers)
// and native (the addon's build of them for this CPU: AVX-512 VPOPCNTDQ, AVX2 or baseline; Node only).
import { jsKernels, type Kernels } from '../runtime/index.js';
import { createWasmKernels } from '../runtime/wasm.js';
import { nativeKernels } from './native_kernels.js';

/** Slowest to fastest. */
export const ENGINES = ['js', 'wasm', 'native'] as const;
export type EngineName = (typeof ENGINES)[number];

let wasm: Kernels | undefined;

export function kernelsFor(engine: EngineName): Kernels {
  switch (engine) {
    case 'js':
      return jsKernels;
    case 'wasm':
      return (wasm ??= createWasmKernels());
    case 'native':
      return nativeKernels();
    default:
      throw new Error(`htaf: unknown runtime engine ${JSON.stringify(engine)}; engines: ${ENGINES.join(', ')}`);
  }
}
