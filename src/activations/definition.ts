// What one activation tells the registry (registry.ts): its spec name, its parameters with their
// defaults, a one-line description, the module class, and how to build a module from parameter values
// and read them back. Each activation file exports one such definition; registry.ts lists them.
import type { Module } from '../nn/module.js';
import { showValue } from '../core/show.js';

/** A parameter of an activation spec. */
export interface ActivationParam {
  readonly name: string;
  /** 'number': a finite number > 0. 'choice': one of `choices` (written first, without a key, in a spec). */
  readonly kind: 'number' | 'choice';
  readonly description: string;
  /** The default; for a number parameter whose default depends on the choice, the default of the first choice. */
  readonly default: number | string;
  /** The allowed values of a choice parameter. */
  readonly choices?: readonly string[];
  /** A number parameter's default per value of the activation's choice parameter (ste: k=4 for sigmoid, 2 for tanh). */
  readonly defaults?: Readonly<Record<string, number>>;
  /** The values of the choice parameter this number parameter applies to (ste: k for sigmoid and tanh, a for rect); all when absent. */
  readonly only?: readonly string[];
}

/** Parameter values by name: numbers for 'number' parameters, strings for the 'choice' one. */
export type ParamValues = Record<string, number | string>;

export interface ActivationDefinition<M extends Module = Module> {
  /** The spec name: lower case letters and digits. */
  readonly name: string;
  /** One line for `htaf activations` and listActivations(). */
  readonly description: string;
  /** A binary activation (a BinaryActivation: 'smooth'/'exact' modes, a sign form); false for relu and the like. */
  readonly binary: boolean;
  /** Already a sign (±1) activation (approxsign): `sign:` changes nothing and specs never carry it. */
  readonly alwaysSigned?: boolean;
  /** At most one 'choice' parameter, listed first. */
  readonly params: readonly ActivationParam[];
  /** The module class; activationSpec() recognises modules of exactly this class. */
  readonly type: abstract new (...args: any[]) => M;
  /** Builds a module from complete, validated values (every applicable parameter present). */
  create(values: ParamValues, options: { signed: boolean }): M;
  /** Reads a module's parameter values back (throws when the module has no spec). */
  values(module: M): ParamValues;
}

/** Identity with a type check: an activation file writes `export const fooActivation = defineActivation({...})`. */
export function defineActivation<M extends Module>(definition: ActivationDefinition<M>): ActivationDefinition<M> {
  return definition;
}

/** Checks a hyperparameter: a finite number > 0. `owner` names the class or function ('HTAF'). */
export function checkPositive(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${owner}: ${name} must be a finite number > 0; got ${showValue(value)}`);
  }
  return value;
}

