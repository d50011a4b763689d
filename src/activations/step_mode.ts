// One switch for a whole model: setStepMode(model, 'exact') turns every binary activation inside it,
// however deep, into the exact Heaviside step; 'smooth' turns them back. Nothing else changes: no
// weight, no buffer, not the training flag (train()/eval() and the step mode are independent).
// Activations are found through the module tree (namedModules), so they must be registered submodules
// (Sequential and registerModule do that); an instance used at several places counts once.
import { Module } from '../nn/module.js';
import { BinaryActivation, checkStepMode, type StepMode } from './binary.js';
import { showValue } from '../core/show.js';
import { activationSpec, isRegisteredActivation } from './registry.js';

function checkModel(where: string, model: unknown): Module {
  if (!(model instanceof Module)) throw new Error(`${where}: model must be a Module; got ${showValue(model)}`);
  return model;
}

/** The binary activations of a model with their dotted paths ('' for the model itself), in tree order. */
export function binaryActivations(model: Module): Array<[string, BinaryActivation]> {
  checkModel('binaryActivations', model);
  const out: Array<[string, BinaryActivation]> = [];
  for (const [path, m] of model.namedModules()) if (m instanceof BinaryActivation) out.push([path, m]);
  return out;
}

/** Sets the mode of every binary activation in the model; returns how many there are. */
export function setStepMode(model: Module, mode: StepMode): number {
  checkModel('setStepMode', model);
  checkStepMode('setStepMode', mode);
  const acts = binaryActivations(model);
  for (const [, a] of acts) a.mode = mode;
  return acts.length;
}

/**
 * Runs fn with every binary activation of the model in `mode`, then restores each one's own mode (also
 * when fn throws, and after a returned promise settles). Returns fn's result.
 */
export function withStepMode<T>(model: Module, mode: StepMode, fn: () => T): T {
  checkModel('withStepMode', model);
  checkStepMode('withStepMode', mode);
  if (typeof fn !== 'function') throw new Error(`withStepMode: fn must be a function; got ${showValue(fn)}`);
  const saved = binaryActivations(model).map(([, a]) => [a, a.mode] as const);
  const restore = () => {
    for (const [a, m] of saved) a.mode = m;
  };
  for (const [a] of saved) a.mode = mode;
  let result: T;
  try {
    result = fn();
  } catch (err) {
    restore();
    throw err;
  }
  if (result !== null && typeof result === 'object' && typeof (result as any).then === 'function') {
    return (result as any).then(
      (v: unknown) => (restore(), v),
      (e: unknown) => {
        restore();
        throw e;
      },
    );
  }
  restore();
  return result;
}

/** Runs fn with the model's steps exact (inference with the Heaviside step), then restores the modes. */
export function exactSteps<T>(model: Module, fn: () => T): T {
  return withStepMode(model, 'exact', fn);
}

/** The number of binary activation modules in the model. */
export function countBinaryActivations(model: Module): number {
  return binaryActivations(model).length;
}

export interface BinaryActivationInfo {
  /** The dotted module name ('features.3.act'); '' for the model itself. */
  path: string;
  /** The canonical spec ('htaf:alpha=2,beta=11'), or the class name for an unregistered subclass. */
  spec: string;
  mode: StepMode;
  signed: boolean;
}

/** Each binary activation of the model: its path, spec and mode. */
export function describeBinaryActivations(model: Module): BinaryActivationInfo[] {
  return binaryActivations(model).map(([path, a]) => ({
    path,
    spec: isRegisteredActivation(a) ? activationSpec(a) : `${a.constructor.name}(${a.extraRepr()})`,
    mode: a.mode,
    signed: a.signed,
  }));
}

/** describeBinaryActivations as text: a count line, then one line per activation (path, spec, mode). */
export function binaryActivationSummary(model: Module): string {
  const list = describeBinaryActivations(model);
  const smooth = list.filter((a) => a.mode === 'smooth').length;
  const noun = list.length === 1 ? 'binary activation' : 'binary activations';
  const head = `${model.constructor.name}: ${list.length} ${noun}` + (list.length ? ` (${smooth} smooth, ${list.length - smooth} exact)` : '');
  if (list.length === 0) return head;
  const paths = list.map((a) => a.path || '(model)');
  const pw = Math.max(...paths.map((p) => p.length));
  const sw = Math.max(...list.map((a) => a.spec.length));
  return [head, ...list.map((a, i) => `  ${paths[i].padEnd(pw)}  ${a.spec.padEnd(sw)}  ${a.mode}`)].join('\n');
}
