// Dropout: zeroes each element with probability p in training and scales the rest by 1/(1−p);
// the identity in eval.
import { dropout } from '../tensor/functions.generated.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new Error(`Dropout: probability p must be between 0 and 1; got ${JSON.stringify(p)}`);
    }
    this.p = p;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training);
  }

  extraRepr(): string {
    return `p=${this.p}`;
  }
}
