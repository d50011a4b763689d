// The image models of Table 1 built from one JSON-able spec, so a training run, its checkpoint, a
// comparison's journal and the CLI all name a model the same way (docs/method.md §3):
//   standard  a backbone with ReLU (GELU in ViT): WideResNet (default), ResNet-18 or ViT
//   dhn       deep Heaviside network: a WideResNet whose every activation is the method (htaf, ss, ste)
//   bnn       Bi-Real Net: 1-bit weights and activations, the activation's sign being the method's ±1 form
//             (htaf, ss, ste, or Bi-Real's own ApproxSign)
//   snn       SEW-ResNet with multi-step LIF neurons over T steps, whose spike function is the method
//
// Default sizes are for CPUs: 28×28 Fashion-MNIST on 2 cores (see IMAGE_MODEL_DEFAULTS; training
// images/s at 1 thread measured here: WRN-16-1 ≈ 1,000 (ReLU) / 850 (HTAF), Bi-Real-18 base 16 ≈ 270,
// SEW-ResNet-10 base 16 with T = 4 ≈ 120). The paper's sizes are options: WRN-28-10 (depth 28, width 10),
// depth 18 and baseWidth 64 for Bi-Real-18 / SEW-ResNet-18 / ResNet-18.
import type { Module } from '../nn/index.js';
import { canonicalActivationSpec, listActivations } from '../activations/index.js';
import { BiRealNet } from './bireal.js';
import { resnet18, resnet34 } from './resnet.js';
import { SewResNet } from './sew_resnet.js';
import { VisionTransformer } from './vit.js';
import { WideResNet } from './wideresnet.js';
import { checkKnownKeys, OptionError } from '../core/options.js';

export const IMAGE_MODEL_KINDS = ['dhn', 'bnn', 'snn', 'standard'] as const;
export type ImageModelKind = (typeof IMAGE_MODEL_KINDS)[number];

/** The backbones each kind can use; the first is its default. */
export const IMAGE_BACKBONES: Readonly<Record<ImageModelKind, readonly string[]>> = {
  standard: ['wrn', 'resnet18', 'resnet34', 'vit'],
  dhn: ['wrn'],
  bnn: ['bireal'],
  snn: ['sew'],
};

/** What a user chooses of a model; the image shape and class count come from the data. */
export interface ImageModelOptions {
  kind: ImageModelKind;
  /** See IMAGE_BACKBONES (default: the kind's first). */
  backbone?: string;
  /** Activation spec: a binary 0/1 spec for dhn/snn/bnn (bnn also 'approxsign'), a plain one (relu, gelu) for standard. */
  method?: string;
  /** WRN: total depth 6n+4; ResNet: 18 or 34; Bi-Real / SEW: 10, 18 or 34 (units per stage 1·4, 2·4 / 4·4 …); ViT: encoder blocks. */
  depth?: number;
  /** WRN: widening factor k; ViT: token width (hiddenDim). */
  width?: number;
  /** Channels of the first stage (WRN's stem, ResNet/Bi-Real/SEW stage 1). */
  baseWidth?: number;
  /** SNN time steps. */
  T?: number;
  /** Dropout in training (WRN blocks, ViT). */
  dropout?: number;
  /** ViT patch side (must divide the image size). */
  patchSize?: number;
  /** ViT attention heads (must divide width). */
  heads?: number;
}

/** A checked choice (resolveImageModelOptions): kind, backbone and method set, the sizes that apply to the backbone set (but patchSize, which may depend on the image size), none that does not. */
export interface ResolvedImageModelOptions extends ImageModelOptions {
  backbone: string;
  method: string;
}

/** A complete spec: every option that applies to the backbone is set; none that does not. */
export interface ImageModelSpec extends ImageModelOptions {
  backbone: string;
  method: string;
  inChannels: number;
  imageSize: number;
  numClasses: number;
}

/**
 * Defaults per backbone, sized for 28×28 images on 2 CPU cores: WRN-16-1 (0.17 M parameters), ResNet-18
 * and Bi-Real-18 at baseWidth 16, SEW-ResNet-10 (one block per stage) at baseWidth 16 with T = 4 (its
 * LIF neurons cost more than its convolutions on a CPU), all with the small-image stem; ViT with 4 blocks
 * of width 64 and 4 heads.
 */
export const IMAGE_MODEL_DEFAULTS = {
  wrn: { depth: 16, width: 1, baseWidth: 16, dropout: 0 },
  resnet18: { baseWidth: 16 },
  resnet34: { baseWidth: 16 },
  vit: { depth: 4, width: 64, heads: 4, dropout: 0 },
  bireal: { depth: 18, baseWidth: 16 },
  sew: { depth: 10, baseWidth: 16, T: 4 },
} as const;

/** Each family's spec per model kind (htaf, ste, ss in Table 1): the STE of a BNN is Bi-Real's ApproxSign. */
export const IMAGE_METHOD_SPECS: Readonly<Record<Exclude<ImageModelKind, 'standard'>, Readonly<Record<'htaf' | 'ste' | 'ss', string>>>> = {
  dhn: { htaf: 'htaf', ste: 'ste:sigmoid', ss: 'ss' },
  bnn: { htaf: 'htaf', ste: 'approxsign', ss: 'ss' },
  snn: { htaf: 'htaf', ste: 'ste:sigmoid', ss: 'ss' },
};

/** The canonical spec of a method family for a model kind ('ste' → 'approxsign' for a BNN). */
export function familySpec(kind: ImageModelKind, family: 'htaf' | 'ste' | 'ss'): string {
  if (kind === 'standard') throw new Error(`familySpec: the standard network has no binary method; it uses relu`);
  const spec = IMAGE_METHOD_SPECS[kind]?.[family];
  if (spec === undefined) throw new Error(`familySpec: unknown family ${JSON.stringify(family)}; allowed: htaf, ste, ss`);
  return canonicalActivationSpec(spec);
}

const DEPTH_LAYERS: Readonly<Record<number, readonly number[]>> = { 10: [1, 1, 1, 1], 18: [2, 2, 2, 2], 34: [3, 4, 6, 3] };
/** Bi-Real units per stage: two per ResNet basic block. */
const BIREAL_LAYERS: Readonly<Record<number, readonly number[]>> = { 10: [2, 2, 2, 2], 18: [4, 4, 4, 4], 34: [6, 8, 12, 6] };

/** Which options apply to each backbone (beside kind, backbone, method and the data's sizes). */
const APPLIES: Readonly<Record<string, readonly (keyof ImageModelOptions)[]>> = {
  wrn: ['depth', 'width', 'baseWidth', 'dropout'],
  resnet18: ['baseWidth'],
  resnet34: ['baseWidth'],
  vit: ['depth', 'width', 'heads', 'patchSize', 'dropout'],
  bireal: ['depth', 'baseWidth'],
  sew: ['depth', 'baseWidth', 'T'],
};

/** The size options a backbone takes (beside kind, backbone and method). */
export function backboneOptions(backbone: string): readonly (keyof ImageModelOptions)[] {
  return APPLIES[backbone] ?? [];
}

const MODEL_OPTION_KEYS = ['kind', 'backbone', 'method', 'depth', 'width', 'baseWidth', 'T', 'dropout', 'patchSize', 'heads'];
const DATA_KEYS = ['inChannels', 'imageSize', 'numClasses'];
const OPTION_KEYS = [...MODEL_OPTION_KEYS, ...DATA_KEYS];
const OWNER = 'buildImageModel';

/** The methods a kind accepts, for messages. */
export function validMethods(kind: ImageModelKind): string {
  const binary = listActivations().filter((a) => a.binary && a.name !== 'heaviside' && a.name !== 'approxsign').map((a) => a.example);
  switch (kind) {
    case 'standard':
      return listActivations().filter((a) => !a.binary).map((a) => a.name).join(', ');
    case 'bnn':
      return [...binary, 'approxsign'].join(', ');
    default:
      return binary.join(', ');
  }
}

function isBinarySpec(canonical: string): boolean {
  const name = canonical.replace(/^sign:/, '').split(/[:,]/)[0];
  return listActivations().some((a) => a.name === name && a.binary);
}

/** The canonical method of a kind, or an Error naming the spec, the kind and the valid methods. */
function checkMethod(kind: ImageModelKind, method: string): string {
  const bad = (detail: string) => new OptionError(OWNER, 'method', `${JSON.stringify(method)}${detail}`);
  let canonical: string;
  try {
    canonical = canonicalActivationSpec(method);
  } catch (err) {
    throw bad(` is not valid for a ${kind} model: ${(err as Error).message}; valid methods: ${validMethods(kind)}`);
  }
  const name = canonical.replace(/^sign:/, '').split(/[:,]/)[0];
  if (kind === 'standard') {
    if (isBinarySpec(canonical)) throw bad(` is a binary activation; the standard network uses a plain one (${validMethods(kind)}); use --model dhn, bnn or snn for binary methods`);
    return canonical;
  }
  if (!isBinarySpec(canonical)) throw bad(` is not a binary activation; valid methods for a ${kind} model: ${validMethods(kind)}`);
  if (name === 'heaviside') throw bad(`: the exact step has no gradient and cannot be trained; valid methods for a ${kind} model: ${validMethods(kind)}`);
  if (kind === 'bnn') return canonical.replace(/^sign:/, ''); // Bi-Real takes the 0/1 spec and uses its ±1 form
  if (canonical.startsWith('sign:') || name === 'approxsign') {
    throw bad(` is a sign (±1) form; a ${kind} model's ${kind === 'snn' ? 'spikes' : 'activations'} are 0/1: valid methods: ${validMethods(kind)}`);
  }
  return canonical;
}

function intOption(name: string, v: unknown, check: (n: number) => boolean, rule: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || !check(v)) throw new OptionError(OWNER, name, `must be ${rule}; got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Checks what a user chooses of a model, before any data is read: the kind, the backbone, the method and
 * every size option (an option that does not apply to the backbone is an error naming it), and fills the
 * defaults. What depends on the data is left to resolveImageModelSpec: a given patchSize is only checked
 * to be a positive integer here (it must also divide the image size), and the default patchSize is set
 * there. Every error is an OptionError naming the option.
 */
export function resolveImageModelOptions(options: ImageModelOptions): ResolvedImageModelOptions {
  if (options === null || typeof options !== 'object') throw new Error(`${OWNER}: options must be an object { kind, backbone?, method?, depth?, ... }`);
  checkKnownKeys(OWNER, options, MODEL_OPTION_KEYS);
  return resolveChoice(options);
}

function resolveChoice(spec: ImageModelOptions): ResolvedImageModelOptions {
  const kind = spec.kind;
  if (!(IMAGE_MODEL_KINDS as readonly string[]).includes(kind)) throw new OptionError(OWNER, 'kind', `must be one of ${IMAGE_MODEL_KINDS.join(', ')}; got ${JSON.stringify(kind)}`);
  const backbones = IMAGE_BACKBONES[kind];
  const backbone = spec.backbone ?? backbones[0];
  if (!backbones.includes(backbone)) throw new OptionError(OWNER, 'backbone', `${JSON.stringify(backbone)} is not one of a ${kind} model's: ${backbones.join(', ')}`);
  const defaultMethod = kind === 'standard' ? (backbone === 'vit' ? 'gelu' : 'relu') : familySpec(kind, kind === 'bnn' ? 'ste' : 'htaf');
  const method = checkMethod(kind, spec.method ?? defaultMethod);
  const applies = APPLIES[backbone];
  for (const k of ['depth', 'width', 'baseWidth', 'T', 'dropout', 'patchSize', 'heads'] as const) {
    if (spec[k] !== undefined && !applies.includes(k)) {
      const users = Object.entries(APPLIES).filter(([, keys]) => keys.includes(k)).map(([b]) => b);
      throw new OptionError(OWNER, k, `does not apply to a ${kind} model with backbone ${backbone} (it applies to ${users.join(', ')}); got ${k}=${JSON.stringify(spec[k])}`);
    }
  }
  const d = IMAGE_MODEL_DEFAULTS[backbone as keyof typeof IMAGE_MODEL_DEFAULTS] as Partial<Record<keyof ImageModelOptions, number>>;
  const out: ResolvedImageModelOptions = { kind, backbone, method };
  const take = (k: 'depth' | 'width' | 'baseWidth' | 'T' | 'heads'): number | undefined => (spec[k] ?? d[k]) as number | undefined;
  if (applies.includes('depth')) {
    const depth = take('depth');
    if (backbone === 'wrn') out.depth = intOption('depth', depth, (n) => n >= 10 && (n - 4) % 6 === 0, '6n + 4 with n >= 1 (10, 16, 22, 28, 40, ...)');
    else if (backbone === 'vit') out.depth = intOption('depth', depth, (n) => n > 0, 'a positive integer (encoder blocks)');
    else out.depth = intOption('depth', depth, (n) => n in DEPTH_LAYERS, `one of ${Object.keys(DEPTH_LAYERS).join(', ')}`);
  }
  if (applies.includes('width')) out.width = intOption('width', take('width'), (n) => n > 0, 'a positive integer');
  if (applies.includes('baseWidth')) out.baseWidth = intOption('baseWidth', take('baseWidth'), (n) => n > 0, 'a positive integer');
  if (applies.includes('T')) out.T = intOption('T', take('T'), (n) => n > 0, 'a positive integer (time steps)');
  if (applies.includes('heads')) {
    out.heads = intOption('heads', take('heads'), (n) => n > 0, 'a positive integer');
    if (out.width! % out.heads !== 0) throw new OptionError(OWNER, 'heads', `(${out.heads}) must divide width (${out.width})`);
  }
  if (spec.patchSize !== undefined) out.patchSize = intOption('patchSize', spec.patchSize, (n) => n > 0, 'a positive integer');
  if (applies.includes('dropout')) {
    const p = spec.dropout ?? d.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new OptionError(OWNER, 'dropout', `must be a number in [0, 1); got ${JSON.stringify(spec.dropout)}`);
    out.dropout = p;
  }
  return out;
}

/**
 * Fills a model spec's defaults and checks it: the choice (resolveImageModelOptions) and what depends on
 * the data (the channel and class counts, a ViT patch that divides the image size). Returns a plain copy.
 */
export function resolveImageModelSpec(spec: ImageModelOptions & { inChannels: number; imageSize: number; numClasses: number }): ImageModelSpec {
  if (spec === null || typeof spec !== 'object') throw new Error(`${OWNER}: spec must be an object { kind, backbone?, method?, inChannels, imageSize, numClasses, ... }`);
  checkKnownKeys(OWNER, spec, OPTION_KEYS);
  const choice = resolveChoice(spec);
  const inChannels = intOption('inChannels', spec.inChannels, (n) => n > 0, 'a positive integer');
  const imageSize = intOption('imageSize', spec.imageSize, (n) => n > 0, 'a positive integer');
  const numClasses = intOption('numClasses', spec.numClasses, (n) => n > 1, 'an integer >= 2');
  const { kind, backbone, method } = choice;
  // The keys in this order (checkpoints keep the spec as JSON).
  const out: ImageModelSpec = { kind, backbone, method, inChannels, imageSize, numClasses };
  for (const k of ['depth', 'width', 'baseWidth', 'T', 'heads'] as const) if (choice[k] !== undefined) out[k] = choice[k];
  if (APPLIES[backbone].includes('patchSize')) {
    const fallback = [4, 7, 8, 2, 1].find((p) => imageSize % p === 0)!;
    out.patchSize = intOption('patchSize', spec.patchSize ?? fallback, (n) => n > 0 && imageSize % n === 0, `a divisor of the image size ${imageSize}`);
  }
  if (choice.dropout !== undefined) out.dropout = choice.dropout;
  return out;
}

/** A short name of the architecture: 'WRN-16-1', 'ResNet-18 (base 16)', 'Bi-Real-18 (base 16)', 'SEW-ResNet-18 (base 16, T=4)', 'ViT (4×64, patch 4)'. */
export function architectureName(spec: ImageModelSpec): string {
  switch (spec.backbone) {
    case 'wrn':
      return `WRN-${spec.depth}-${spec.width}${spec.baseWidth !== 16 ? ` (base ${spec.baseWidth})` : ''}`;
    case 'resnet18':
    case 'resnet34':
      return `ResNet-${spec.backbone.slice(6)} (base ${spec.baseWidth})`;
    case 'vit':
      return `ViT (${spec.depth}×${spec.width}, ${spec.heads} heads, patch ${spec.patchSize})`;
    case 'bireal':
      return `Bi-Real-${spec.depth} (base ${spec.baseWidth})`;
    case 'sew':
      return `SEW-ResNet-${spec.depth} (base ${spec.baseWidth}, LIF, T=${spec.T})`;
    default:
      return spec.backbone;
  }
}

/** One line: 'dhn WRN-16-1, htaf:alpha=2,beta=11'. */
export function describeImageModel(spec: ImageModelSpec): string {
  return `${spec.kind} ${architectureName(spec)}, ${spec.method}`;
}

/**
 * Builds the model a spec describes (resolving it first): a Module mapping images [B, C, H, W] to
 * logits [B, numClasses]. Its weights are drawn from libtorch's generator (seed it with manualSeed).
 * @example const model = buildImageModel({ kind: 'dhn', method: 'htaf', inChannels: 1, imageSize: 28, numClasses: 10 });
 */
export function buildImageModel(spec: ImageModelOptions & { inChannels: number; imageSize: number; numClasses: number }): Module {
  const s = resolveImageModelSpec(spec);
  const small = s.imageSize <= 64; // the small-image stem: 3×3 stride 1, no max pool
  switch (s.backbone) {
    case 'wrn':
      return new WideResNet({ depth: s.depth, widen: s.width, baseWidth: s.baseWidth, dropout: s.dropout, inChannels: s.inChannels, numClasses: s.numClasses, activation: s.method });
    case 'resnet18':
    case 'resnet34':
      return (s.backbone === 'resnet18' ? resnet18 : resnet34)({ numClasses: s.numClasses, inChannels: s.inChannels, cifarStem: small, baseWidth: s.baseWidth, activation: s.method });
    case 'vit':
      return new VisionTransformer({
        imageSize: s.imageSize, patchSize: s.patchSize!, numLayers: s.depth!, numHeads: s.heads!, hiddenDim: s.width!, mlpDim: 2 * s.width!,
        numClasses: s.numClasses, inChannels: s.inChannels, dropout: s.dropout, activation: s.method,
      });
    case 'bireal':
      return new BiRealNet({ numClasses: s.numClasses, inChannels: s.inChannels, method: s.method, layers: BIREAL_LAYERS[s.depth!], baseWidth: s.baseWidth, cifarStem: small });
    case 'sew':
      return new SewResNet({ numClasses: s.numClasses, inChannels: s.inChannels, T: s.T, method: s.method, layers: DEPTH_LAYERS[s.depth!], baseWidth: s.baseWidth, cifarStem: small });
    default:
      throw new Error(`buildImageModel: unknown backbone ${JSON.stringify(s.backbone)}`);
  }
}
