// The hyperparameter grid of `htaf compare` (the paper's protocol, docs/method.md §5): a JSON-able object with, per
// method family, lists of optimizers, learning rates and the family's own parameters, expanded to
// concrete grid points (activation spec × optimizer × lr) in a fixed order.
//
//   {
//     "hidden": [256, 256, 128], "batch": 256, "epochs": 100, "patience": 10,
//     "methods": {
//       "relu": { "optimizer": ["adam", "sgd"], "lr": { "adam": [0.001, 0.003], "sgd": [0.03, 0.1] } },
//       "htaf": { "optimizer": ["adam"], "lr": [0.001, 0.003],                   one lr list for all optimizers
//                 "alphaBeta": [[2, 11], [8, 2.75], [11, 2]],       α/β pairs
//                 "alphaMinBeta": [10], "eps": 0.1, "delta": 0.1 }, β with α = α_min(β) (Proposition 3.1)
//       "ss":   { "optimizer": ["adam"], "lr": [...], "gamma": [22, 44] },
//       "ste":  { "optimizer": ["adam"], "lr": [...], "surrogate": ["sigmoid,k=4", "tanh,k=2", "rect,a=1"] }
//     },
//     "other": { "optimizer": ["adam"], "lr": [0.001] }   methods given as full specs of other families
//   }
//
// A method of `--methods` is a family name (relu, htaf, ss, ste: every point of its grid) or a full
// activation spec ('htaf:alpha=8,beta=2.75', 'gelu'): that one activation, with the optimizer and lr lists
// of its family's entry (or of `other` for a family without one).
import { canonicalActivationSpec } from '../activations/index.js';
import { alphaMin, roundUpForTable } from '../theory/index.js';
import { showValue } from '../core/show.js';
import type { OptimizerName } from './types.js';

export const METHOD_FAMILIES = ['relu', 'htaf', 'ss', 'ste'] as const;
export type MethodFamily = (typeof METHOD_FAMILIES)[number];

/** The paper's names of the four models of Table 8. */
export const METHOD_LABELS: Readonly<Record<MethodFamily, string>> = {
  relu: 'DNN',
  htaf: 'DNN+HTAF',
  ss: 'DNN+SS',
  ste: 'DHN+STE',
};

export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd'];

export interface OptimizerGrid {
  optimizer: OptimizerName[];
  /** Learning rates for every optimizer, or a list per optimizer ({ "adam": [0.001], "sgd": [0.1] }). */
  lr: number[] | Partial<Record<OptimizerName, number[]>>;
}

export interface HtafGrid extends OptimizerGrid {
  /** [alpha, beta] pairs. */
  alphaBeta?: [number, number][];
  /** βs each paired with α = α_min(β, eps, delta), rounded up as in Table 6. */
  alphaMinBeta?: number[];
  /** ε and δ of α_min (default 0.1 each). */
  eps?: number;
  delta?: number;
}

export interface SsGrid extends OptimizerGrid {
  gamma: number[];
}

export interface SteGrid extends OptimizerGrid {
  /** Surrogates as in the spec syntax after 'ste:': 'sigmoid,k=4', 'tanh,k=2', 'rect,a=1', 'rect'. */
  surrogate: string[];
}

export interface Grid {
  /** Hidden layer widths of the MLP. */
  hidden: number[];
  batch: number;
  /** Most epochs of a run (`--epochs` replaces it). */
  epochs: number;
  /** Early stopping: epochs without a better validation metric before a run stops (0 = never). */
  patience: number;
  methods: {
    relu?: OptimizerGrid;
    htaf?: HtafGrid;
    ss?: SsGrid;
    ste?: SteGrid;
  };
  /** Optimizer and lr lists of methods given as full specs of a family without an entry above. */
  other?: OptimizerGrid;
}

/** One concrete training configuration of a method's grid. */
export interface GridPoint {
  /** Canonical activation spec of the hidden layers. */
  spec: string;
  optimizer: OptimizerName;
  lr: number;
}

/** A method of the comparison: its name as given, its table label and its expanded grid. */
export interface MethodPlan {
  /** As given in `--methods` ('htaf', or a canonical full spec). */
  name: string;
  /** Row label: the paper's name for a family (DNN+HTAF), the spec otherwise. */
  label: string;
  family: string;
  points: GridPoint[];
}

const DEFAULT_MODEL = { hidden: [256, 256, 128], batch: 256 };

/**
 * The default grid of `htaf compare` (the paper's protocol at a CPU budget): Adam (lr 1e-4, 3e-4, 1e-3,
 * 3e-3) and plain SGD (lr 0.01, 0.03, 0.1, 0.3); HTAF at the paper's three (α, β) pairs and at
 * α = α_min(β) for β = 10 and 20 (Proposition 3.1, ε = δ = 0.1); SS at γ = 11, 22 (αβ of HTAF(2, 11)),
 * 44; STE with the sigmoid (k = 4), tanh (k = 4) and rectangular (a = 1) surrogates (tanh with k equals
 * sigmoid with 2k, so tanh,k=2 would repeat sigmoid,k=4). 8 + 40 + 24 + 24 = 96 runs per split, each at
 * most 100 epochs with patience 10. Measured cost on churn: README, "Comparing methods".
 */
export function defaultGrid(): Grid {
  const optim = (): OptimizerGrid => ({ optimizer: ['adam', 'sgd'], lr: { adam: [1e-4, 3e-4, 1e-3, 3e-3], sgd: [0.01, 0.03, 0.1, 0.3] } });
  return {
    ...structuredClone(DEFAULT_MODEL),
    epochs: 100,
    patience: 10,
    methods: {
      relu: optim(),
      htaf: { ...optim(), alphaBeta: [[2, 11], [8, 2.75], [11, 2]], alphaMinBeta: [10, 20], eps: 0.1, delta: 0.1 },
      ss: { ...optim(), gamma: [11, 22, 44] },
      ste: { ...optim(), surrogate: ['sigmoid,k=4', 'tanh,k=4', 'rect,a=1'] },
    },
    other: optim(),
  };
}

/**
 * The `make demo` budget: Adam at two learning rates, two HTAF pairs, one SS γ, two STE surrogates
 * (2 + 4 + 2 + 4 = 12 runs per split), at most 20 epochs with patience 5: 2 splits of churn take well
 * under a minute on 2 cores.
 */
export function demoGrid(): Grid {
  const optim = (): OptimizerGrid => ({ optimizer: ['adam'], lr: [1e-3, 3e-3] });
  return {
    ...structuredClone(DEFAULT_MODEL),
    epochs: 20,
    patience: 5,
    methods: {
      relu: optim(),
      htaf: { ...optim(), alphaBeta: [[2, 11], [8, 2.75]] },
      ss: { ...optim(), gamma: [22] },
      ste: { ...optim(), surrogate: ['sigmoid,k=4', 'rect,a=1'] },
    },
    other: optim(),
  };
}

export const GRID_PRESETS: Readonly<Record<string, () => Grid>> = { default: defaultGrid, demo: demoGrid };

// ---- validation -------------------------------------------------------------------------------------

class GridError extends Error {}

function fail(where: string, key: string, msg: string): never {
  throw new GridError(`${where}: ${key} ${msg}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(where: string, key: string, v: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(v)) {
    const path = key ? `${key}.${k}` : k;
    if (!allowed.includes(k)) fail(where, `'${path}'`, `is not a grid key; allowed${key ? ` in ${key}` : ''}: ${allowed.join(', ')}`);
  }
}

function positiveNumber(where: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(where, key, `must be a finite number > 0; got ${showValue(v)}`);
  return v as number;
}

function positiveInt(where: string, key: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(where, key, `must be an integer >= ${min}; got ${showValue(v)}`);
  return v as number;
}

function list<T>(where: string, key: string, v: unknown, item: (key: string, x: unknown) => T, allowEmpty = false): T[] {
  if (!Array.isArray(v)) fail(where, key, `must be a list; got ${showValue(v)}`);
  const a = v as unknown[];
  if (a.length === 0 && !allowEmpty) fail(where, key, 'must not be empty');
  return a.map((x, i) => item(`${key}[${i}]`, x));
}

function optimizerGrid(where: string, key: string, v: Record<string, unknown>): OptimizerGrid {
  if (v.optimizer === undefined) fail(where, `${key}.optimizer`, `is missing (a list of ${OPTIMIZERS.join(', ')})`);
  if (v.lr === undefined) fail(where, `${key}.lr`, 'is missing (a list of learning rates)');
  const optimizer = list(where, `${key}.optimizer`, v.optimizer, (k, x) => {
    if (typeof x !== 'string' || !(OPTIMIZERS as readonly string[]).includes(x)) fail(where, k, `must be one of ${OPTIMIZERS.join(', ')}; got ${showValue(x)}`);
    return x as OptimizerName;
  });
  const rates = (k: string, x: unknown) => list(where, k, x, (kk, y) => positiveNumber(where, kk, y));
  if (isObject(v.lr)) {
    const map = v.lr as Record<string, unknown>;
    onlyKeys(where, `${key}.lr`, map, optimizer);
    const lr: Partial<Record<OptimizerName, number[]>> = {};
    for (const o of optimizer) {
      if (map[o] === undefined) fail(where, `${key}.lr.${o}`, `is missing (optimizer lists ${o}; give its learning rates)`);
      lr[o] = rates(`${key}.lr.${o}`, map[o]);
    }
    return { optimizer, lr };
  }
  if (!Array.isArray(v.lr)) fail(where, `${key}.lr`, `must be a list of learning rates or an object of lists per optimizer; got ${showValue(v.lr)}`);
  return { optimizer, lr: rates(`${key}.lr`, v.lr) };
}

function family(where: string, key: string, v: unknown): Record<string, unknown> {
  if (!isObject(v)) fail(where, key, `must be an object; got ${showValue(v)}`);
  return v as Record<string, unknown>;
}

/**
 * Checks a grid read from JSON (or built in code) and returns a clean copy. Errors name the key
 * ('grid.json: methods.htaf.alphaBeta[1] must be a pair [alpha, beta] ...'); `where` starts them.
 */
export function validateGrid(value: unknown, where = 'grid'): Grid {
  if (!isObject(value)) fail(where, 'the grid', `must be a JSON object; got ${showValue(value)}`);
  const g = value as Record<string, unknown>;
  onlyKeys(where, '', g, ['hidden', 'batch', 'epochs', 'patience', 'methods', 'other']);
  for (const k of ['hidden', 'batch', 'epochs', 'patience', 'methods']) if (g[k] === undefined) fail(where, k, 'is missing');
  const hidden = list(where, 'hidden', g.hidden, (k, x) => positiveInt(where, k, x));
  const batch = positiveInt(where, 'batch', g.batch);
  const epochs = positiveInt(where, 'epochs', g.epochs);
  const patience = positiveInt(where, 'patience', g.patience, 0);
  const m = family(where, 'methods', g.methods);
  onlyKeys(where, 'methods', m, METHOD_FAMILIES);
  if (Object.keys(m).length === 0) fail(where, 'methods', `must name at least one of ${METHOD_FAMILIES.join(', ')}`);
  const methods: Grid['methods'] = {};
  if (m.relu !== undefined) {
    const r = family(where, 'methods.relu', m.relu);
    onlyKeys(where, 'methods.relu', r, ['optimizer', 'lr']);
    methods.relu = optimizerGrid(where, 'methods.relu', r);
  }
  if (m.htaf !== undefined) {
    const key = 'methods.htaf';
    const h = family(where, key, m.htaf);
    onlyKeys(where, key, h, ['optimizer', 'lr', 'alphaBeta', 'alphaMinBeta', 'eps', 'delta']);
    const out: HtafGrid = optimizerGrid(where, key, h);
    if (h.alphaBeta !== undefined) {
      out.alphaBeta = list(where, `${key}.alphaBeta`, h.alphaBeta, (k, x) => {
        if (!Array.isArray(x) || x.length !== 2) fail(where, k, `must be a pair [alpha, beta] of numbers > 0; got ${showValue(x)}`);
        const pair = x as unknown[];
        return [positiveNumber(where, `${k}[0] (alpha)`, pair[0]), positiveNumber(where, `${k}[1] (beta)`, pair[1])] as [number, number];
      }, true);
    }
    if (h.eps !== undefined) {
      const eps = positiveNumber(where, `${key}.eps`, h.eps);
      if (!(eps < 0.5)) fail(where, `${key}.eps`, `must be in (0, 0.5); got ${showValue(h.eps)}`);
      out.eps = eps;
    }
    if (h.delta !== undefined) out.delta = positiveNumber(where, `${key}.delta`, h.delta);
    if (h.alphaMinBeta !== undefined) {
      const eps = out.eps ?? 0.1;
      const L = Math.log((1 - eps) / eps);
      out.alphaMinBeta = list(where, `${key}.alphaMinBeta`, h.alphaMinBeta, (k, x) => {
        const beta = positiveNumber(where, k, x);
        if (!(beta > L)) fail(where, k, `must exceed beta_min = ln((1 - eps)/eps) = ${L.toFixed(4)} (eps = ${eps}), where no alpha works; got ${beta}`);
        return beta;
      }, true);
    }
    if ((out.alphaBeta?.length ?? 0) + (out.alphaMinBeta?.length ?? 0) === 0) {
      fail(where, key, 'needs at least one point: alphaBeta (pairs [alpha, beta]) and/or alphaMinBeta (betas)');
    }
    methods.htaf = out;
  }
  if (m.ss !== undefined) {
    const key = 'methods.ss';
    const s = family(where, key, m.ss);
    onlyKeys(where, key, s, ['optimizer', 'lr', 'gamma']);
    if (s.gamma === undefined) fail(where, `${key}.gamma`, 'is missing (a list of gammas > 0)');
    methods.ss = { ...optimizerGrid(where, key, s), gamma: list(where, `${key}.gamma`, s.gamma, (k, x) => positiveNumber(where, k, x)) };
  }
  if (m.ste !== undefined) {
    const key = 'methods.ste';
    const s = family(where, key, m.ste);
    onlyKeys(where, key, s, ['optimizer', 'lr', 'surrogate']);
    if (s.surrogate === undefined) fail(where, `${key}.surrogate`, "is missing (a list such as ['sigmoid,k=4', 'tanh,k=2', 'rect,a=1'])");
    const surrogate = list(where, `${key}.surrogate`, s.surrogate, (k, x) => {
      if (typeof x !== 'string') fail(where, k, `must be a string such as 'rect,a=1'; got ${showValue(x)}`);
      try {
        canonicalActivationSpec(`ste:${x}`);
      } catch (err) {
        fail(where, k, `is not a surrogate: ${(err as Error).message}`);
      }
      return x as string;
    });
    methods.ste = { ...optimizerGrid(where, key, s), surrogate };
  }
  const grid: Grid = { hidden, batch, epochs, patience, methods };
  if (g.other !== undefined) {
    const o = family(where, 'other', g.other);
    onlyKeys(where, 'other', o, ['optimizer', 'lr']);
    grid.other = optimizerGrid(where, 'other', o);
  }
  return grid;
}

// ---- expansion ----------------------------------------------------------------------------------------

/** α_min(β) rounded up as in Table 6 (so the spec records a short number that still satisfies the bound). */
export function alphaMinForGrid(beta: number, eps = 0.1, delta = 0.1): number {
  return Number(roundUpForTable(alphaMin(beta, eps, delta)));
}

function cross(specs: string[], o: OptimizerGrid): GridPoint[] {
  const points: GridPoint[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    for (const optimizer of o.optimizer) {
      for (const lr of Array.isArray(o.lr) ? o.lr : o.lr[optimizer] ?? []) {
        const key = `${spec}|${optimizer}|${lr}`;
        if (seen.has(key)) continue; // a repeated value in a list is one point
        seen.add(key);
        points.push({ spec, optimizer, lr });
      }
    }
  }
  return points;
}

/** The canonical activation specs of a family's grid, in grid order. */
export function familySpecs(grid: Grid, f: MethodFamily): string[] {
  switch (f) {
    case 'relu':
      return ['relu'];
    case 'htaf': {
      const h = grid.methods.htaf!;
      const specs = (h.alphaBeta ?? []).map(([a, b]) => canonicalActivationSpec(`htaf:alpha=${a},beta=${b}`));
      for (const b of h.alphaMinBeta ?? []) specs.push(canonicalActivationSpec(`htaf:alpha=${alphaMinForGrid(b, h.eps, h.delta)},beta=${b}`));
      return specs;
    }
    case 'ss':
      return grid.methods.ss!.gamma.map((g) => canonicalActivationSpec(`ss:gamma=${g}`));
    case 'ste':
      return grid.methods.ste!.surrogate.map((s) => canonicalActivationSpec(`ste:${s}`));
  }
}

function familyOf(canonical: string): string {
  const bare = canonical.startsWith('sign:') ? canonical.slice(5) : canonical;
  const cut = bare.indexOf(':');
  return cut < 0 ? bare : bare.slice(0, cut);
}

/**
 * Turns `--methods` entries into plans. A family name needs its grid entry; a full spec is checked
 * against the activation registry (errors name it) and takes its family's optimizer/lr lists, or `other`.
 */
export function planMethods(methods: readonly string[], grid: Grid): MethodPlan[] {
  if (methods.length === 0) throw new Error('compare: --methods is empty; give one or more of relu, htaf, ss, ste or activation specs');
  const plans: MethodPlan[] = [];
  const names = new Set<string>();
  for (const raw of methods) {
    const given = raw.trim();
    let plan: MethodPlan;
    if ((METHOD_FAMILIES as readonly string[]).includes(given.toLowerCase())) {
      const f = given.toLowerCase() as MethodFamily;
      const entry = grid.methods[f];
      if (!entry) throw new Error(`compare: method '${f}' has no entry in the grid's methods (it has: ${Object.keys(grid.methods).join(', ') || 'none'}); add methods.${f} or drop it from --methods`);
      plan = { name: f, label: METHOD_LABELS[f], family: f, points: cross(familySpecs(grid, f), entry) };
    } else {
      let spec: string;
      try {
        spec = canonicalActivationSpec(given);
      } catch (err) {
        throw new Error(`compare: --methods entry '${given}' is neither a method (${METHOD_FAMILIES.join(', ')}) nor an activation spec: ${(err as Error).message}`);
      }
      const f = familyOf(spec);
      const entry = (METHOD_FAMILIES as readonly string[]).includes(f) ? grid.methods[f as MethodFamily] : undefined;
      const o = entry ?? grid.other;
      if (!o) throw new Error(`compare: method '${spec}' needs optimizer and lr lists: the grid has no methods.${f}${(METHOD_FAMILIES as readonly string[]).includes(f) ? '' : ''} and no 'other' entry`);
      plan = { name: spec, label: spec, family: f, points: cross([spec], { optimizer: o.optimizer, lr: o.lr }) };
    }
    if (names.has(plan.name)) throw new Error(`compare: method '${plan.name}' is listed twice in --methods`);
    names.add(plan.name);
    plans.push(plan);
  }
  return plans;
}

/** Number of runs per split of a plan. */
export function runsPerSplit(plans: readonly MethodPlan[]): number {
  return plans.reduce((s, p) => s + p.points.length, 0);
}
