// Binary activations as modules (HTAF, SS, STE, Heaviside, ApproxSign, each with a sign form), their
// registry and spec syntax, and the model-wide exact-step switch.
export { BinaryActivation, heavisideStep, isBinaryActivation, STEP_MODES } from './binary.js';
export type { StepMode, BinaryActivationOptions, FusedSpike } from './binary.js';
export { HTAF } from './htaf.js';
export { ScaledSigmoid } from './scaled_sigmoid.js';
export { STE, SURROGATES } from './ste.js';
export type { SurrogateKind } from './ste.js';
export { Heaviside } from './heaviside.js';
export { ApproxSign } from './approx_sign.js';
export {
  parseActivation, activationFactory, activationSpec, canonicalActivationSpec, isRegisteredActivation, listActivations, activationHelp,
} from './registry.js';
export type { ActivationInfo, ActivationParamInfo } from './registry.js';
export {
  setStepMode, withStepMode, exactSteps, countBinaryActivations, describeBinaryActivations, binaryActivationSummary, binaryActivations,
} from './step_mode.js';
export type { BinaryActivationInfo } from './step_mode.js';
