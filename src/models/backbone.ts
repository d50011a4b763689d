// The contract every image backbone keeps (ResNet, WideResNet, ViT, ...), so code built on top of one
// (an ICBM's concept layer, a linear probe, feature histograms) works with any: pooled features, their
// width, and the final Linear that turns them into logits. Also the option checks the backbones share,
// so every model rejects a bad option the same way (naming the model, the option and the value).
import { Linear, Module } from '../nn/index.js';
import { activationFactory } from '../activations/index.js';
import type { Tensor } from '../tensor/tensor.js';

export interface FeatureBackbone extends Module {
  /** Width of the pooled features fed to the classifier head. */
  readonly numFeatures: number;
  /** Pooled features [B, numFeatures] (everything before the final Linear). */
  forwardFeatures(x: Tensor): Tensor;
  /** The final Linear (torchvision's fc / heads.head). */
  readonly head: Linear;
}

/** Whether a value is a Module that keeps the FeatureBackbone contract. */
export function isFeatureBackbone(m: unknown): m is FeatureBackbone {
  if (!(m instanceof Module)) return false;
  const b = m as unknown as Partial<FeatureBackbone>;
  return typeof b.forwardFeatures === 'function' && Number.isInteger(b.numFeatures) && b.head instanceof Linear;
}

// ---- option checks the backbones share, so a bad option fails at construction naming model, option and value

/** A positive integer option (or its default when undefined). */
export function positiveIntOption(model: string, name: string, value: unknown, fallback: number): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${model}: ${name} must be a positive integer; got ${JSON.stringify(value)}`);
  return v;
}

/** A probability option in [0, 1) (or its default when undefined). */
export function probabilityOption(model: string, name: string, value: unknown, fallback: number): number {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new Error(`${model}: ${name} must be a probability in [0, 1); got ${JSON.stringify(value)}`);
  return v;
}

/** A boolean option (or its default when undefined). */
export function booleanOption(model: string, name: string, value: unknown, fallback: boolean): boolean {
  const v = value === undefined ? fallback : value;
  if (typeof v !== 'boolean') throw new Error(`${model}: ${name} must be true or false; got ${JSON.stringify(value)}`);
  return v;
}

/**
 * The factory of a model's activations from its spec ('relu', 'htaf:alpha=2,beta=11', ...): each call
 * builds a new module, so every place in the network has its own instance (its own hooks and mode).
 */
export function activationOption(model: string, value: unknown, fallback: string): { spec: string; make: () => Module } {
  const spec = value === undefined ? fallback : value;
  if (typeof spec !== 'string') throw new Error(`${model}: activation must be a spec string such as 'relu' or 'htaf'; got ${JSON.stringify(value)}`);
  try {
    return { spec, make: activationFactory(spec) };
  } catch (err) {
    throw new Error(`${model}: activation: ${(err as Error).message}`);
  }
}

/** Throws unless x is a batch of images [B, channels, H, W]. */
export function checkImageBatch(model: string, x: Tensor, channels: number): void {
  if (x.shape.length !== 4 || x.shape[1] !== channels) {
    throw new Error(`${model}: expected images [batch, ${channels}, height, width]; got shape [${x.shape.join(', ')}]`);
  }
}
