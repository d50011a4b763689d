// Checkpoints: a model's state dict, an optimizer's state and any JSON-able facts, in ONE safetensors
// file, written atomically (so a crash mid-save leaves the previous checkpoint intact).
//
// Layout (readable from Python with any safetensors reader):
//   tensors   `model.<name>`   the model state dict, names unchanged (PyTorch-style 'fc1.weight')
//             `optim.<path>`   tensors found inside the optimizer state, <path> their keys joined by '.'
//             `meta.<path>`    tensors found inside meta (rare)
//   __metadata__  format: "htaf-checkpoint", format_version: "1",
//                 optimizer / meta: JSON text of those values, each tensor replaced by {"$tensor": "<name>"}.
// The JSON keeps what plain JSON would lose: Maps ({"$map": [[key, value], ...]}), NaN and ±Infinity
// ({"$number": "NaN"}) and bigints ({"$bigint": "12"}); keys of your own that start with '$' are stored
// with one more '$' in front. Functions, symbols, class instances without toJSON() and cycles are errors.
// The optimizer state is kept generic (any tree of plain objects, arrays, Maps, numbers, strings and
// Tensors), so whatever src/optim's stateDict() returns round-trips.
import type { Device } from '../core/types.js';
import { Tensor } from '../tensor/tensor.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'htaf-checkpoint';
export const CHECKPOINT_FORMAT_VERSION = '1';

/** A state dict: parameter/buffer name → Tensor. */
export type TensorDict = Record<string, Tensor> | Map<string, Tensor>;

export interface CheckpointContents {
  /** The model's state dict (stored as `model.<name>`). */
  model?: TensorDict;
  /** The optimizer's state: any tree of JSON values, Maps and Tensors (e.g. `{ state, paramGroups }`). */
  optimizer?: unknown;
  /** Anything else to remember (epoch, best score, config ...): JSON values, Maps, Tensors. */
  meta?: unknown;
}

export interface LoadedCheckpoint<O = unknown, M = unknown> {
  /** The model's state dict, in saved order. */
  model: Map<string, Tensor>;
  /** The optimizer state as saved (Tensors restored in place), or undefined if none was saved. */
  optimizer: O | undefined;
  /** meta as saved, or undefined if none was saved. */
  meta: M | undefined;
  /** The file's raw __metadata__ strings. */
  metadata: Record<string, string>;
}

const PREFIX = { model: 'model.', optimizer: 'optim.', meta: 'meta.' } as const;
const MARKERS = ['$tensor', '$map', '$number', '$bigint'] as const;

/** Turns a value tree into JSON-able data, moving its Tensors into `out` under `<prefix><path>`. */
function encodeTree(value: unknown, prefix: string, out: Map<string, Tensor>, file: string, label: string): unknown {
  const active = new Set<object>();
  const uniqueName = (path: string[]): string => {
    const base = prefix + (path.length ? path.join('.') : '_');
    let name = base;
    for (let i = 2; out.has(name); i++) name = `${base}~${i}`;
    return name;
  };
  const where = (path: string[]): string => (path.length ? `${label}.${path.join('.')}` : label);

  const enc = (v: unknown, path: string[]): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
    if (typeof v === 'bigint') return { $bigint: v.toString() };
    if (v === undefined) return null; // only reached inside arrays (object properties that are undefined are skipped)
    if (typeof v === 'function' || typeof v === 'symbol') {
      throw new Error(`saveCheckpoint: ${file}: ${where(path)} is a ${typeof v}, which a checkpoint cannot store`);
    }
    const obj = v as object;
    if (obj instanceof Tensor) {
      if (obj.isDisposed) throw new Error(`saveCheckpoint: ${file}: tensor ${where(path)} is disposed`);
      for (const [n, t] of out) if (t === obj) return { $tensor: n }; // one tensor, stored once
      const name = uniqueName(path);
      out.set(name, obj);
      return { $tensor: name };
    }
    if (active.has(obj)) throw new Error(`saveCheckpoint: ${file}: ${where(path)} refers back to itself (a cycle)`);
    active.add(obj);
    try {
      if (Array.isArray(obj)) return obj.map((x, i) => enc(x, [...path, String(i)]));
      if (obj instanceof Map) {
        return {
          $map: [...obj.entries()].map(([k, x]) => {
            if (typeof k !== 'string' && typeof k !== 'number') {
              throw new Error(`saveCheckpoint: ${file}: ${where(path)} is a Map with a ${typeof k} key; only string and number keys can be stored`);
            }
            return [k, enc(x, [...path, String(k)])];
          }),
        };
      }
      const proto = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null) {
        const toJSON = (obj as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === 'function') return enc(toJSON.call(obj), path);
        throw new Error(`saveCheckpoint: ${file}: ${where(path)} is a ${proto?.constructor?.name ?? 'class instance'}, which a checkpoint cannot store (use plain objects, arrays, Maps, numbers, strings, booleans and Tensors)`);
      }
      const res: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(obj)) {
        if (x === undefined) continue;
        setOwn(res, k.startsWith('$') ? '$' + k : k, enc(x, [...path, k]));
      }
      return res;
    } finally {
      active.delete(obj);
    }
  };
  return enc(value, []);
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // A plain assignment to '__proto__' would change the prototype instead of adding a key.
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Inverse of encodeTree: resolves {"$tensor": name} from `tensors`, recording each name used. */
function decodeTree(json: unknown, tensors: Map<string, Tensor>, used: Set<string>, file: string, label: string): unknown {
  const bad = (msg: string): Error => new Error(`loadCheckpoint: ${file}: ${label}: ${msg}`);
  const dec = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(dec);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (MARKERS as readonly string[]).includes(keys[0])) {
      const x = o[keys[0]];
      switch (keys[0]) {
        case '$tensor': {
          if (typeof x !== 'string') throw bad('a $tensor reference must be a string');
          const t = tensors.get(x);
          if (!t) throw bad(`refers to tensor '${x}', which the file does not hold`);
          used.add(x);
          return t;
        }
        case '$map': {
          if (!Array.isArray(x) || !x.every((p) => Array.isArray(p) && p.length === 2)) throw bad('a $map must be a list of [key, value] pairs');
          return new Map((x as [unknown, unknown][]).map(([k, val]) => [k, dec(val)]));
        }
        case '$number': {
          if (x !== 'NaN' && x !== 'Infinity' && x !== '-Infinity') throw bad(`bad $number ${JSON.stringify(x)}`);
          return Number(x);
        }
        case '$bigint': {
          if (typeof x !== 'string' || !/^-?\d+$/.test(x)) throw bad(`bad $bigint ${JSON.stringify(x)}`);
          return BigInt(x);
        }
      }
    }
    const res: Record<string, unknown> = {};
    for (const k of keys) {
      if (k.startsWith('$') && !k.startsWith('$$')) throw bad(`unexpected key '${k}'`);
      setOwn(res, k.startsWith('$') ? k.slice(1) : k, dec(o[k]));
    }
    return res;
  };
  return dec(json);
}

/**
 * Saves a checkpoint (model state dict, optimizer state, meta) as one safetensors file, atomically.
 * @example saveCheckpoint('run/last.safetensors', { model: model.stateDict(), optimizer: opt.stateDict(), meta: { epoch } });
 */
export function saveCheckpoint(path: string, contents: CheckpointContents): void {
  if (typeof contents !== 'object' || contents === null) {
    throw new Error(`saveCheckpoint: ${path}: the contents must be an object { model?, optimizer?, meta? }`);
  }
  for (const k of Object.keys(contents)) {
    if (!(k in PREFIX)) throw new Error(`saveCheckpoint: ${path}: unknown part '${k}'; a checkpoint holds model, optimizer and meta`);
  }
  const tensors = new Map<string, Tensor>();
  const { model, optimizer, meta } = contents;
  if (model !== undefined) {
    if (typeof model !== 'object' || model === null) throw new Error(`saveCheckpoint: ${path}: model must be a state dict (a Map or object of name → Tensor)`);
    const pairs: [string, unknown][] = model instanceof Map ? [...model.entries()] : Object.entries(model);
    for (const [name, t] of pairs) {
      if (!(t instanceof Tensor)) throw new Error(`saveCheckpoint: ${path}: model entry '${name}' is not a Tensor`);
      if (t.isDisposed) throw new Error(`saveCheckpoint: ${path}: model tensor '${name}' is disposed`);
      tensors.set(PREFIX.model + name, t);
    }
  }
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT, format_version: CHECKPOINT_FORMAT_VERSION };
  if (optimizer !== undefined) metadata.optimizer = JSON.stringify(encodeTree(optimizer, PREFIX.optimizer, tensors, path, 'optimizer'));
  if (meta !== undefined) metadata.meta = JSON.stringify(encodeTree(meta, PREFIX.meta, tensors, path, 'meta'));
  saveSafetensors(path, tensors, metadata);
}

/**
 * Loads a checkpoint written by saveCheckpoint. The tensors belong to the current scope.
 * A file that is not a safetensors file, is truncated, or is not an htaf checkpoint gives an Error naming it.
 */
export function loadCheckpoint<O = unknown, M = unknown>(path: string, options: { device?: Device } = {}): LoadedCheckpoint<O, M> {
  const { tensors, metadata } = loadSafetensors(path, options);
  try {
    if (metadata.format !== CHECKPOINT_FORMAT) {
      throw new Error(`loadCheckpoint: ${path} is a safetensors file but not an htaf checkpoint (its __metadata__ has format ${metadata.format === undefined ? '(none)' : JSON.stringify(metadata.format)}, expected "${CHECKPOINT_FORMAT}"); use loadSafetensors to read plain tensor files`);
    }
    if (metadata.format_version !== CHECKPOINT_FORMAT_VERSION) {
      throw new Error(`loadCheckpoint: ${path}: checkpoint format version ${JSON.stringify(metadata.format_version)} is not supported (this htaf reads version ${CHECKPOINT_FORMAT_VERSION})`);
    }
    const used = new Set<string>();
    const model = new Map<string, Tensor>();
    for (const [name, t] of tensors) {
      if (name.startsWith(PREFIX.model)) {
        model.set(name.slice(PREFIX.model.length), t);
        used.add(name);
      }
    }
    const part = (key: 'optimizer' | 'meta'): unknown => {
      const text = metadata[key];
      if (text === undefined) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new Error(`loadCheckpoint: ${path}: __metadata__.${key} is not valid JSON (${(err as Error).message})`);
      }
      return decodeTree(json, tensors, used, path, key);
    };
    const optimizer = part('optimizer') as O | undefined;
    const meta = part('meta') as M | undefined;
    for (const name of tensors.keys()) {
      if (!used.has(name)) throw new Error(`loadCheckpoint: ${path}: tensor '${name}' is neither a model tensor nor referenced by the optimizer state or meta`);
    }
    return { model, optimizer, meta, metadata };
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  }
}
