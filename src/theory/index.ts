// Theory: Proposition 3.1 (choosing α and β) and Theorem 3.2 (the gradient's tail and slope at zero), in float64.
export { logitBound, betaMin, alphaMin, betaMinForAlpha, checkApproximation, roundUpForTable, APPROXIMATION_TOLERANCE } from './bounds.js';
export {
  htafValue,
  htafDerivative,
  htafLogDerivative,
  slopeAtZero,
  tailConstant,
  logTailConstant,
  scaledSigmoidDerivative,
  tailRatioVsScaledSigmoid,
  logTailRatioVsScaledSigmoid,
} from './theorem32.js';
