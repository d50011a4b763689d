// The public API. Research code (models, concepts, CLI) imports from here only (DESIGN rule 9).
export type { DType, Device, Reduction } from './core/types.js';
export { DTYPES } from './core/types.js';
export { tidy, Scope, currentScope, scopeDepth } from './core/scope.js';
export { manualSeed, setNumThreads, getNumThreads, cudaAvailable, libtorchVersion, memory, resetPeakTensors } from './core/runtime.js';
export type { MemoryInfo } from './core/runtime.js';
export { Tensor } from './tensor/tensor.js';
export type { TypedArray, NestedArray } from './tensor/tensor.js';
export { tensor, fromArray, fromTypedArray } from './tensor/creation.js';
export type { TensorOptions } from './tensor/creation.js';
export * from './tensor/functions.generated.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad_mode.js';
