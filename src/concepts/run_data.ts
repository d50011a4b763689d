// An ICBM run on disk (types.ts says what it holds), so the report, naming and explanations can run long
// after training, without the model:
//   run.json                {format, version, meta, metrics}
//   concepts.safetensors    the arrays (names below), shapes checked against meta on read
//   concept_names.json      {format, version, names: ConceptName[]}, when naming has run
// Every file is written atomically; every read is validated, and errors name the file and the field.
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fromTypedArray } from '../tensor/creation.js';
import { loadSafetensors, saveSafetensors } from '../io/safetensors.js';
import type { Tensor, TypedArray } from '../tensor/tensor.js';
import { writeBytesAtomically } from '../io/atomic_file.js';
import type { ConceptName, ConceptNameSource, IcbmRunData, IcbmRunMeta } from './types.js';

export const RUN_FILE = 'run.json';
export const CONCEPTS_FILE = 'concepts.safetensors';
export const CONCEPT_NAMES_FILE = 'concept_names.json';
export const RUN_FORMAT = 'htaf-icbm-run';
export const CONCEPT_NAMES_FORMAT = 'htaf-concept-names';
export const RUN_FORMAT_VERSION = 1;

type ArrayField = Exclude<keyof IcbmRunData, 'meta' | 'metrics' | 'conceptNames'>;
type Kind = 'U8' | 'I32' | 'F32';

/** The arrays, their tensor names in concepts.safetensors, and their element type. */
const ARRAYS: readonly { field: ArrayField; tensor: string; kind: Kind }[] = [
  { field: 'trainBits', tensor: 'train_bits', kind: 'U8' },
  { field: 'trainLabels', tensor: 'train_labels', kind: 'I32' },
  { field: 'testBits', tensor: 'test_bits', kind: 'U8' },
  { field: 'testSmooth', tensor: 'test_smooth', kind: 'F32' },
  { field: 'testLabels', tensor: 'test_labels', kind: 'I32' },
  { field: 'testPredictions', tensor: 'test_predictions', kind: 'I32' },
  { field: 'headWeight', tensor: 'head_weight', kind: 'F32' },
  { field: 'headBias', tensor: 'head_bias', kind: 'F32' },
  { field: 'standardTrainFeatures', tensor: 'standard_train_features', kind: 'F32' },
  { field: 'standardTestFeatures', tensor: 'standard_test_features', kind: 'F32' },
  { field: 'sampleImages', tensor: 'sample_images', kind: 'U8' },
  { field: 'sampleIndices', tensor: 'sample_indices', kind: 'I32' },
];

const DTYPE_OF: Record<Kind, string> = { U8: 'uint8', I32: 'int32', F32: 'float32' };
const CLASS_OF: Record<Kind, { name: string; is: (v: unknown) => boolean }> = {
  U8: { name: 'Uint8Array', is: (v) => v instanceof Uint8Array },
  I32: { name: 'Int32Array', is: (v) => v instanceof Int32Array },
  F32: { name: 'Float32Array', is: (v) => v instanceof Float32Array },
};

const NAME_SOURCES: readonly ConceptNameSource[] = ['llm', 'candidates', 'user'];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

// ---- meta -----------------------------------------------------------------------------------------

/** Validates run.json's meta; `at` prefixes every message (the function and file). */
function checkMeta(at: string, meta: unknown): IcbmRunMeta {
  if (!isPlainObject(meta)) throw new Error(`${at}: meta must be an object; got ${describe(meta)}`);
  for (const key of ['dataset', 'backbone', 'method', 'conceptLayer', 'createdAt'] as const) {
    if (typeof meta[key] !== 'string') throw new Error(`${at}: meta.${key} must be a string; got ${describe(meta[key])}`);
  }
  const m = meta.concepts;
  if (typeof m !== 'number' || !Number.isSafeInteger(m) || m < 1) throw new Error(`${at}: meta.concepts (M) must be an integer >= 1; got ${describe(m)}`);
  const classes = meta.classes;
  if (!Array.isArray(classes) || classes.length < 2) throw new Error(`${at}: meta.classes must be an array of at least 2 class names; got ${describe(classes)}`);
  const seen = new Set<string>();
  classes.forEach((c, i) => {
    if (typeof c !== 'string' || c.trim() === '') throw new Error(`${at}: meta.classes[${i}] must be a non-empty string; got ${describe(c)}`);
    if (seen.has(c)) throw new Error(`${at}: meta.classes[${i}] ${JSON.stringify(c)} is listed twice`);
    seen.add(c);
  });
  const shape = meta.imageShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1)) {
    throw new Error(`${at}: meta.imageShape must be [C, H, W] of positive integers; got ${JSON.stringify(shape)}`);
  }
  const stats = meta.stats;
  if (!isPlainObject(stats)) throw new Error(`${at}: meta.stats must be {mean, std}; got ${describe(stats)}`);
  for (const key of ['mean', 'std'] as const) {
    const v = stats[key];
    if (!Array.isArray(v) || v.length !== shape[0] || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new Error(`${at}: meta.stats.${key} must hold ${shape[0]} finite numbers (one per channel); got ${JSON.stringify(v)}`);
    }
    if (key === 'std' && v.some((x: number) => x <= 0)) throw new Error(`${at}: meta.stats.std must be positive; got ${JSON.stringify(v)}`);
  }
  if (typeof meta.seed !== 'number' || !Number.isFinite(meta.seed)) throw new Error(`${at}: meta.seed must be a number; got ${describe(meta.seed)}`);
  return meta as unknown as IcbmRunMeta;
}

// ---- arrays ---------------------------------------------------------------------------------------

interface Sizes {
  ntr: number;
  nte: number;
  s: number;
}

/** The standard model's features may be left empty: a run without a standard model (stored as [0, M]). */
const OPTIONAL: ReadonlySet<ArrayField> = new Set(['standardTrainFeatures', 'standardTestFeatures']);

/**
 * The shape each array must have, from meta and the counts found in the data; `length` (the array's own
 * length) only matters for the optional arrays, which are [0, M] when empty.
 */
function expectedShape(field: ArrayField, meta: IcbmRunMeta, n: Sizes, length?: number): number[] {
  const m = meta.concepts;
  if (OPTIONAL.has(field) && length === 0) return [0, m];
  const k = meta.classes.length;
  switch (field) {
    case 'trainBits': case 'standardTrainFeatures': return [n.ntr, m];
    case 'trainLabels': return [n.ntr];
    case 'testBits': case 'testSmooth': case 'standardTestFeatures': return [n.nte, m];
    case 'testLabels': case 'testPredictions': return [n.nte];
    case 'headWeight': return [k, m];
    case 'headBias': return [k];
    case 'sampleImages': return [n.s, ...meta.imageShape];
    case 'sampleIndices': return [n.s];
  }
}

function checkValues(at: string, field: ArrayField, values: TypedArray, meta: IcbmRunMeta, n: Sizes): void {
  const k = meta.classes.length;
  const m = meta.concepts;
  switch (field) {
    case 'trainBits': case 'testBits':
      for (let i = 0; i < values.length; i++) {
        if (values[i] > 1) throw new Error(`${at}: ${field} must hold 0 or 1; ${field}[${i}] (image ${Math.floor(i / m)}, node ${i % m}) is ${values[i]}`);
      }
      return;
    case 'trainLabels': case 'testLabels': case 'testPredictions':
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number;
        if (v < 0 || v >= k) throw new Error(`${at}: ${field}[${i}] is ${v}, not a class index in [0, ${k}) (meta.classes has ${k})`);
      }
      return;
    case 'sampleIndices':
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number;
        if (v < 0 || v >= n.nte) throw new Error(`${at}: sampleIndices[${i}] is ${v}, not a test image index in [0, ${n.nte})`);
      }
      return;
    case 'testSmooth': case 'headWeight': case 'headBias': case 'standardTrainFeatures': case 'standardTestFeatures':
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) throw new Error(`${at}: ${field}[${i}] is ${values[i]}; the values must be finite`);
      }
      return;
    case 'sampleImages':
      return;
  }
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Checks every array of `data` (type, length, values) against meta; returns the counts. */
function checkArrays(at: string, data: Record<string, unknown>, meta: IcbmRunMeta): Sizes {
  for (const a of ARRAYS) {
    if (!CLASS_OF[a.kind].is(data[a.field])) throw new Error(`${at}: ${a.field} must be a ${CLASS_OF[a.kind].name}; got ${describe(data[a.field])}`);
  }
  const sizes: Sizes = {
    ntr: (data.trainLabels as Int32Array).length,
    nte: (data.testLabels as Int32Array).length,
    s: (data.sampleIndices as Int32Array).length,
  };
  if (sizes.nte === 0) throw new Error(`${at}: testLabels is empty (no test images)`);
  for (const a of ARRAYS) {
    const values = data[a.field] as TypedArray;
    const shape = expectedShape(a.field, meta, sizes, values.length);
    if (values.length !== numel(shape)) {
      throw new Error(`${at}: ${a.field} must hold [${shape.join(', ')}] = ${numel(shape)} values (from meta and the label counts); it has ${values.length}`);
    }
    checkValues(at, a.field, values, meta, sizes);
  }
  return sizes;
}

// ---- concept names --------------------------------------------------------------------------------

/** Validates a list of concept names (nodes distinct, in [0, M) when M is known). */
function checkNames(at: string, names: unknown, m: number | undefined): ConceptName[] {
  if (!Array.isArray(names)) throw new Error(`${at}: the concept names must be an array; got ${describe(names)}`);
  const seen = new Set<number>();
  return names.map((raw, i) => {
    const w = `${at}: names[${i}]`;
    if (!isPlainObject(raw)) throw new Error(`${w} must be an object {node, name, zero, one, source}; got ${describe(raw)}`);
    const node = raw.node;
    if (typeof node !== 'number' || !Number.isSafeInteger(node) || node < 0) throw new Error(`${w}.node must be an integer >= 0; got ${describe(node)}`);
    if (m !== undefined && node >= m) throw new Error(`${w}.node is ${node}, but the run has M = ${m} concepts (nodes 0..${m - 1})`);
    if (seen.has(node)) throw new Error(`${w}.node ${node} is named twice`);
    seen.add(node);
    for (const key of ['name', 'zero', 'one'] as const) {
      if (typeof raw[key] !== 'string' || (raw[key] as string).trim() === '') throw new Error(`${w}.${key} must be a non-empty string; got ${describe(raw[key])}`);
    }
    if (!NAME_SOURCES.includes(raw.source as ConceptNameSource)) {
      throw new Error(`${w}.source must be one of ${NAME_SOURCES.join(', ')}; got ${describe(raw.source)}`);
    }
    if (raw.score !== undefined && (typeof raw.score !== 'number' || !Number.isFinite(raw.score))) {
      throw new Error(`${w}.score must be a finite number when given; got ${describe(raw.score)}`);
    }
    const name: ConceptName = {
      node, name: raw.name as string, zero: raw.zero as string, one: raw.one as string, source: raw.source as ConceptNameSource,
      ...(raw.score === undefined ? {} : { score: raw.score as number }),
    };
    return name;
  });
}

function readJson(at: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'a folder, not a file' : e.message;
    throw new Error(`${at}: cannot read ${file} (${why})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${at}: ${file} is not valid JSON (${(err as Error).message})`);
  }
}

function checkHeader(at: string, json: unknown, format: string): Record<string, unknown> {
  if (!isPlainObject(json)) throw new Error(`${at}: must be a JSON object; got ${describe(json)}`);
  if (json.format !== format) throw new Error(`${at}: format must be ${JSON.stringify(format)}; got ${describe(json.format)} (is this an htaf ICBM run?)`);
  if (json.version !== RUN_FORMAT_VERSION) throw new Error(`${at}: version ${describe(json.version)} is not supported (this htaf reads version ${RUN_FORMAT_VERSION})`);
  return json;
}

function namesJson(names: readonly ConceptName[]): string {
  return `${JSON.stringify({ format: CONCEPT_NAMES_FORMAT, version: RUN_FORMAT_VERSION, names }, null, 2)}\n`;
}

/** M from dir/run.json when there is one (to check names against), else undefined. */
function conceptsOfRun(at: string, dir: string): number | undefined {
  const file = join(dir, RUN_FILE);
  if (!existsSync(file)) return undefined;
  const json = checkHeader(`${at}: ${file}`, readJson(at, file), RUN_FORMAT);
  return checkMeta(`${at}: ${file}`, json.meta).concepts;
}

/**
 * The concept names in dir/concept_names.json, sorted by node; [] when the file does not exist (naming
 * has not run). Validated: each entry's node (in [0, M) when dir/run.json exists), name, zero, one,
 * source, optional score.
 */
export function readConceptNames(dir: string): ConceptName[] {
  const at = 'readConceptNames';
  const file = join(dir, CONCEPT_NAMES_FILE);
  if (!existsSync(file)) return [];
  const json = checkHeader(`${at}: ${file}`, readJson(at, file), CONCEPT_NAMES_FORMAT);
  const names = checkNames(`${at}: ${file}`, json.names, conceptsOfRun(at, dir));
  return names.sort((a, b) => a.node - b.node);
}

/**
 * Adds or replaces concept names in dir/concept_names.json, atomically: names for nodes already in the
 * file replace those entries, the others are kept. Nodes are checked against dir/run.json's M when it
 * exists. The folder must exist.
 */
export function writeConceptNames(dir: string, names: readonly ConceptName[]): void {
  const at = 'writeConceptNames';
  const m = conceptsOfRun(at, dir);
  const fresh = checkNames(at, names, m);
  const merged = new Map<number, ConceptName>();
  for (const n of readConceptNames(dir)) merged.set(n.node, n);
  for (const n of fresh) merged.set(n.node, n);
  const all = [...merged.values()].sort((a, b) => a.node - b.node);
  writeBytesAtomically(join(dir, CONCEPT_NAMES_FILE), namesJson(all), at);
}

// ---- the run --------------------------------------------------------------------------------------

/** Validates run data in memory (the checks readIcbmRun makes on a file); throws naming the field. */
export function validateIcbmRun(data: IcbmRunData, where = 'validateIcbmRun'): void {
  if (!isPlainObject(data)) throw new Error(`${where}: run data must be an object; got ${describe(data)}`);
  const meta = checkMeta(where, data.meta);
  if (!isPlainObject(data.metrics)) throw new Error(`${where}: metrics must be an object; got ${describe(data.metrics)}`);
  checkArrays(where, data as unknown as Record<string, unknown>, meta);
  checkNames(`${where}: conceptNames`, data.conceptNames, meta.concepts);
}

/**
 * Writes an ICBM run to `dir` (created if needed): concepts.safetensors, then run.json, then
 * concept_names.json when data.conceptNames is not empty — each atomically. A concept_names.json left in
 * `dir` by an earlier run is removed when the new run has no names (its nodes would name other concepts).
 * The data are validated first, so nothing is written for bad data: every array typed and shaped as
 * types.ts says, with at least one test image; the training arrays may be empty (Ntr = 0), and so may
 * each of the standard model's feature arrays (no standard model: length 0, stored as [0, M]).
 */
export function writeIcbmRun(dir: string, data: IcbmRunData): void {
  const at = 'writeIcbmRun';
  validateIcbmRun(data, at);
  const meta = data.meta;
  const sizes: Sizes = { ntr: data.trainLabels.length, nte: data.testLabels.length, s: data.sampleIndices.length };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new Error(`${at}: cannot create the folder ${dir} (${(err as Error).message})`);
  }
  const tensors = new Map<string, Tensor>();
  try {
    for (const a of ARRAYS) tensors.set(a.tensor, fromTypedArray(data[a.field], expectedShape(a.field, meta, sizes, data[a.field].length)));
    saveSafetensors(join(dir, CONCEPTS_FILE), tensors, { format: RUN_FORMAT, version: String(RUN_FORMAT_VERSION) });
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  const run = { format: RUN_FORMAT, version: RUN_FORMAT_VERSION, meta, metrics: data.metrics };
  writeBytesAtomically(join(dir, RUN_FILE), `${JSON.stringify(run, null, 2)}\n`, at);
  const namesFile = join(dir, CONCEPT_NAMES_FILE);
  if (data.conceptNames.length > 0) {
    const sorted = [...data.conceptNames].sort((a, b) => a.node - b.node);
    writeBytesAtomically(namesFile, namesJson(sorted), at);
  } else if (existsSync(namesFile)) {
    unlinkSync(namesFile);
  }
}

/**
 * Reads and validates an ICBM run written by writeIcbmRun: run.json (format, version, meta, metrics),
 * concepts.safetensors (every array present, with its dtype and the shape meta and the label counts
 * imply — the standard model's features may be [0, M], none recorded; bits 0/1, labels and predictions in [0, K), sample indices in [0, Nte), floats finite) and
 * concept_names.json if present. Errors name the file and the field or tensor.
 */
export function readIcbmRun(dir: string): IcbmRunData {
  const at = 'readIcbmRun';
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`${at}: ${dir} is not a folder (give the run's output folder)`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${at}: no run folder ${dir}`);
    throw err;
  }
  const runFile = join(dir, RUN_FILE);
  const json = checkHeader(`${at}: ${runFile}`, readJson(at, runFile), RUN_FORMAT);
  const meta = checkMeta(`${at}: ${runFile}`, json.meta);
  if (!isPlainObject(json.metrics)) throw new Error(`${at}: ${runFile}: metrics must be an object; got ${describe(json.metrics)}`);

  const file = join(dir, CONCEPTS_FILE);
  const fat = `${at}: ${file}`;
  if (!existsSync(file)) throw new Error(`${fat}: no such file (the run folder is incomplete)`);
  const { tensors } = loadSafetensors(file);
  const arrays: Record<string, TypedArray> = {};
  try {
    for (const a of ARRAYS) {
      const t = tensors.get(a.tensor);
      if (t === undefined) throw new Error(`${fat}: tensor '${a.tensor}' (${a.field}) is missing`);
      if (t.dtype !== DTYPE_OF[a.kind]) throw new Error(`${fat}: tensor '${a.tensor}' (${a.field}) has dtype ${t.dtype}; expected ${DTYPE_OF[a.kind]}`);
      arrays[a.field] = t.toTypedArray();
    }
    const sizes: Sizes = { ntr: arrays.trainLabels.length, nte: arrays.testLabels.length, s: arrays.sampleIndices.length };
    for (const a of ARRAYS) {
      const want = expectedShape(a.field, meta, sizes, arrays[a.field].length);
      const got = tensors.get(a.tensor)!.shape;
      if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
        throw new Error(`${fat}: tensor '${a.tensor}' (${a.field}) has shape [${got.join(', ')}]; expected [${want.join(', ')}] (from ${RUN_FILE}'s meta and the label counts)`);
      }
    }
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  checkArrays(fat, arrays, meta);
  return {
    meta,
    metrics: json.metrics,
    ...(arrays as unknown as Pick<IcbmRunData, ArrayField>),
    conceptNames: readConceptNames(dir),
  };
}
