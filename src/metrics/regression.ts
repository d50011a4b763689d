// Regression metrics on plain arrays.
import { checkSameLength } from './check.js';

/** Root mean squared error, sqrt(mean((pred − target)²)), in the units of the values (accumulated in float64). */
export function rmse(pred: ArrayLike<number>, target: ArrayLike<number>): number {
  checkSameLength('rmse', pred, 'pred', target, 'target');
  let sum = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i] - target[i];
    sum += d * d;
  }
  return Math.sqrt(sum / pred.length);
}
