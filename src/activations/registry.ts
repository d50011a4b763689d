// The activation registry and its spec syntax, shared by code, config files and the CLI.
//
//   spec  := ['sign:'] name [(':' | ',') arg (',' arg)*]
//   arg   := choice | key '=' number
//
//   htaf                        HTAF with its defaults (alpha=2, beta=11)
//   htaf:alpha=2,beta=11        the same, written out (the canonical form)
//   ss:gamma=22                 scaled sigmoid
//   ste:sigmoid,k=4             STE; the surrogate (a choice) comes first, unnamed, or as surrogate=tanh
//   ste:rect,a=1                each surrogate has its own parameter: k (sigmoid, tanh) or a (rect)
//   heaviside  approxsign  relu  gelu  silu  tanh  sigmoid  identity
//   sign:htaf:alpha=2,beta=11   the sign (±1) form 2·f − 1 of a binary activation (gradient 2·f′)
//
// The sign form is a prefix, `sign:`, and only a prefix (no `signed` flag): it reads as what it is, a
// function of the activation. It applies to binary activations only; approxsign is a sign activation
// already, so `sign:approxsign` is accepted and equals `approxsign`. Names and keys are case-insensitive
// and spaces around arguments are ignored; numbers are decimal (2, 0.5, 1e-3) and must be finite and
// > 0; a parameter not written takes its default. Unknown names, unknown or repeated parameters, values
// that are missing, NaN, Inf or ≤ 0 raise an Error that names the spec and the parameter and lists what
// is allowed.
//
// activationSpec(module) writes the canonical form: lower case, ':' after the name, the choice first,
// then every parameter that applies, in the order listed, so a spec records its values even if a
// default changes; parseActivation(activationSpec(m)) rebuilds m.
//
// Adding an activation: one file exporting a module class and its definition (definition.ts), and one
// line in ACTIVATIONS below.
import { Module } from '../nn/module.js';
import { approxSignActivation } from './approx_sign.js';
import { BinaryActivation } from './binary.js';
import { showValue } from '../core/show.js';
import type { ActivationDefinition, ActivationParam, ParamValues } from './definition.js';
import { heavisideActivation } from './heaviside.js';
import { htafActivation } from './htaf.js';
import { geluActivation, identityActivation, reluActivation, sigmoidActivation, siluActivation, tanhActivation } from './plain.js';
import { scaledSigmoidActivation } from './scaled_sigmoid.js';
import { steActivation } from './ste.js';

const ACTIVATIONS: readonly ActivationDefinition<any>[] = [
  htafActivation,
  scaledSigmoidActivation,
  steActivation,
  heavisideActivation,
  approxSignActivation,
  reluActivation,
  geluActivation,
  siluActivation,
  tanhActivation,
  sigmoidActivation,
  identityActivation,
];

const BY_NAME = new Map<string, ActivationDefinition<any>>();
for (const d of ACTIVATIONS) {
  if (!/^[a-z][a-z0-9_]*$/.test(d.name) || d.name === 'sign') throw new Error(`activation registry: invalid name '${d.name}'`);
  if (BY_NAME.has(d.name)) throw new Error(`activation registry: '${d.name}' is registered twice`);
  const choices = d.params.filter((p) => p.kind === 'choice');
  if (choices.length > 1 || (choices.length === 1 && d.params[0] !== choices[0])) {
    throw new Error(`activation registry: '${d.name}' may have one choice parameter, listed first`);
  }
  BY_NAME.set(d.name, d);
}

const SIGN_PREFIX = 'sign:';
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

function names(binaryOnly = false): string {
  return ACTIVATIONS.filter((d) => !binaryOnly || d.binary).map((d) => d.name).join(', ');
}

function choiceParam(d: ActivationDefinition<any>): ActivationParam | undefined {
  return d.params[0]?.kind === 'choice' ? d.params[0] : undefined;
}

/** The parameters that apply for a value of the choice parameter (all when there is none). */
function applicable(d: ActivationDefinition<any>, choice: string | undefined): ActivationParam[] {
  return d.params.filter((p) => p.kind === 'choice' || !p.only || (choice !== undefined && p.only.includes(choice)));
}

function defaultOf(p: ActivationParam, choice: string | undefined): number | string {
  return (choice !== undefined ? p.defaults?.[choice] : undefined) ?? p.default;
}

function paramList(d: ActivationDefinition<any>): string {
  if (d.params.length === 0) return 'none';
  return d.params.map((p) => (p.choices ? `${p.name} (${p.choices.join(', ')})` : p.only ? `${p.name} (${p.only.join(', ')})` : p.name)).join(', ');
}

interface Resolved {
  definition: ActivationDefinition<any>;
  values: ParamValues;
  signed: boolean;
}

/** Reads a spec into its definition and complete, validated values. */
function resolve(spec: unknown, where: string): Resolved {
  if (typeof spec !== 'string') {
    throw new Error(`${where}: an activation spec must be a string such as 'htaf:alpha=2,beta=11'; got ${showValue(spec)}`);
  }
  const fail = (msg: string): never => {
    throw new Error(`activation spec ${JSON.stringify(spec)}: ${msg}`);
  };
  let text = spec.trim();
  let signed = false;
  if (text.toLowerCase().startsWith(SIGN_PREFIX)) {
    signed = true;
    text = text.slice(SIGN_PREFIX.length).trim();
  }
  const cut = text.search(/[:,]/);
  const name = (cut < 0 ? text : text.slice(0, cut)).trim().toLowerCase();
  if (name === '') fail(`the activation name is missing; allowed: ${names()}${signed ? '' : ' (binary ones also as sign:<spec>)'}`);
  const definition = BY_NAME.get(name);
  if (!definition) fail(`unknown activation '${name}'; allowed: ${names()}${signed ? '' : ' (binary ones also as sign:<spec>)'}`);
  const d = definition!;
  if (signed && !d.binary) fail(`'sign:' applies to binary activations only (${names(true)}); '${name}' is not one`);

  const given = new Map<string, string>();
  const choice = choiceParam(d);
  const items = cut < 0 ? [] : text.slice(cut + 1).split(',').map((s) => s.trim());
  items.forEach((item, i) => {
    if (item === '') fail(`argument ${i + 1} is empty${items.length === 1 ? ` (write '${name}' alone for the defaults)` : ''}`);
    const eq = item.indexOf('=');
    let key: string;
    let value: string;
    if (eq < 0) {
      if (!choice) fail(`${name} takes no unnamed argument; got '${item}'; parameters: ${d.params.length ? d.params.map((p) => `${p.name}=<number>`).join(', ') : 'none'}`);
      if (i !== 0) fail(`the ${choice!.name} ('${item}') must come first`);
      key = choice!.name;
      value = item;
    } else {
      key = item.slice(0, eq).trim().toLowerCase();
      value = item.slice(eq + 1).trim();
      if (key === '') fail(`argument ${i + 1} ('${item}') has no parameter name; parameters of ${name}: ${paramList(d)}`);
      if (!d.params.some((p) => p.name === key)) fail(`unknown parameter '${key}' for ${name}; allowed: ${paramList(d)}`);
    }
    if (given.has(key)) fail(`${key} is given twice`);
    given.set(key, value);
  });

  const values: ParamValues = {};
  let chosen: string | undefined;
  if (choice) {
    const raw = given.get(choice.name);
    if (raw === '') fail(`${choice.name} is missing a value; allowed: ${choice.choices!.join(', ')}`);
    chosen = raw === undefined ? (choice.default as string) : raw.toLowerCase();
    if (!choice.choices!.includes(chosen)) fail(`${choice.name} must be one of ${choice.choices!.join(', ')}; got '${raw}'`);
    values[choice.name] = chosen;
  }
  const params = applicable(d, chosen);
  for (const key of given.keys()) {
    if (!params.some((p) => p.name === key)) {
      const own = params.filter((p) => p.kind === 'number').map((p) => p.name);
      fail(`parameter '${key}' does not apply to ${choice!.name} ${chosen}; ${name}:${chosen} takes ${own.length ? own.join(', ') : 'no parameter'}`);
    }
  }
  for (const p of params) {
    if (p.kind !== 'number') continue;
    const raw = given.get(p.name);
    if (raw === undefined) {
      values[p.name] = defaultOf(p, chosen);
      continue;
    }
    if (raw === '') fail(`${p.name} is missing a value; write ${p.name}=<a finite number > 0>`);
    const v = NUMBER.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(v) || v <= 0) fail(`${p.name} must be a finite number > 0; got '${raw}'`);
    values[p.name] = v;
  }
  return { definition: d, values, signed };
}

function build(r: Resolved): Module {
  return r.definition.create(r.values, { signed: r.signed && !r.definition.alwaysSigned });
}

/**
 * A new module from a spec ('htaf:alpha=2,beta=11', 'sign:ste:rect,a=1', 'relu'); binary activations
 * start in 'smooth' mode. Throws an Error naming the spec, the parameter and what is allowed.
 */
export function parseActivation(spec: string): Module {
  return build(resolve(spec, 'parseActivation'));
}

/**
 * Checks a spec now and returns a function that makes a fresh module from it at each call: what a
 * model builder needs (one module per layer, so each has its own path, hooks and mode).
 */
export function activationFactory(spec: string): () => Module {
  const r = resolve(spec, 'activationFactory');
  return () => build(r);
}

/** Throws unless `spec` is a valid spec; returns its canonical form. */
export function canonicalActivationSpec(spec: string): string {
  return activationSpec(build(resolve(spec, 'canonicalActivationSpec')));
}

function definitionOf(m: Module): ActivationDefinition<any> | undefined {
  return ACTIVATIONS.find((d) => m.constructor === d.type);
}

/** Whether the module is of a registered activation class (so activationSpec can write it). */
export function isRegisteredActivation(m: unknown): boolean {
  return m instanceof Module && definitionOf(m) !== undefined;
}

function format(v: number | string): string {
  return String(v);
}

/** The canonical spec of an activation module: parseActivation(activationSpec(m)) rebuilds it. */
export function activationSpec(module: Module): string {
  if (!(module instanceof Module)) throw new Error(`activationSpec: expected an activation Module; got ${showValue(module)}`);
  const d = definitionOf(module);
  if (!d) {
    throw new Error(`activationSpec: ${module.constructor.name} is not a registered activation (a subclass is not its parent); registered: ${names()}`);
  }
  const values = d.values(module);
  const choice = choiceParam(d);
  const chosen = choice ? (values[choice.name] as string) : undefined;
  const parts: string[] = [];
  for (const p of applicable(d, chosen)) {
    if (p.kind === 'choice') parts.push(format(values[p.name]));
    else parts.push(`${p.name}=${format(values[p.name])}`);
  }
  const sign = module instanceof BinaryActivation && module.signed && !d.alwaysSigned ? SIGN_PREFIX : '';
  return `${sign}${d.name}${parts.length ? `:${parts.join(',')}` : ''}`;
}

export interface ActivationParamInfo {
  name: string;
  kind: 'number' | 'choice';
  description: string;
  default: number | string;
  choices?: string[];
  /** Defaults per choice (ste's k: { sigmoid: 4, tanh: 2 }). */
  defaults?: Record<string, number>;
  /** The choices this parameter applies to (ste's a: ['rect']); all when absent. */
  only?: string[];
}

export interface ActivationInfo {
  name: string;
  description: string;
  /** A binary activation: has 'smooth'/'exact' modes and a sign form. */
  binary: boolean;
  /** How the sign (±1) form is written: 'sign:<spec>' (prefix), 'always' (approxsign is one), 'none'. */
  signForm: 'prefix' | 'always' | 'none';
  params: ActivationParamInfo[];
  /** The canonical spec with the defaults ('htaf:alpha=2,beta=11'). */
  example: string;
}

/** Every registered activation with its parameters, defaults and a one-line description. */
export function listActivations(): ActivationInfo[] {
  return ACTIVATIONS.map((d) => ({
    name: d.name,
    description: d.description,
    binary: d.binary,
    signForm: d.alwaysSigned ? 'always' : d.binary ? 'prefix' : 'none',
    params: d.params.map((p) => ({
      name: p.name,
      kind: p.kind,
      description: p.description,
      default: p.default,
      ...(p.choices ? { choices: [...p.choices] } : {}),
      ...(p.defaults ? { defaults: { ...p.defaults } } : {}),
      ...(p.only ? { only: [...p.only] } : {}),
    })),
    example: activationSpec(build(resolve(d.name, 'listActivations'))),
  }));
}

/** listActivations() as text for a terminal (the CLI prints it). */
export function activationHelp(): string {
  const list = listActivations();
  const width = Math.max(...list.map((a) => a.example.length));
  const lines = [
    'Activations: name[:arg,...], args key=value (numbers finite and > 0) after an optional choice;',
    'a parameter not written takes its default. sign:<spec> is the ±1 form 2·f − 1 of a binary one.',
    '',
  ];
  for (const a of list) {
    const tag = a.binary ? (a.signForm === 'always' ? ' [binary, ±1]' : ' [binary]') : '';
    lines.push(`  ${a.example.padEnd(width)}  ${a.description}${tag}`);
    for (const p of a.params) {
      const dflt = p.defaults ? Object.entries(p.defaults).map(([c, v]) => `${v} (${c})`).join(', ') : String(p.default);
      const kind = p.kind === 'choice' ? `one of ${p.choices!.join(', ')}` : 'number > 0';
      const only = p.only ? `; ${p.only.join('/')} only` : '';
      lines.push(`  ${''.padEnd(width)}    ${p.name}: ${kind}, default ${dflt}${only}: ${p.description}`);
    }
  }
  return lines.join('\n');
}
