#!/usr/bin/env node
// Generates the N-API glue and the TypeScript signatures from native/ops.def (docs/design.md rule 1).
// Outputs: native/gen/ops_generated_{0,1}.cc, native/gen/ops_generated.h,
//          src/tensor/tensor_ops.generated.ts, src/tensor/functions.generated.ts,
//          src/core/native_api.generated.ts
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TABLE = join(root, 'native/ops.def');
const NATIVE_FILES = 2; // the glue is split so the two cores compile it in parallel

// type -> [C++ local type, OpCall converter, TS type, TS->native expression, native-side TS type]
const ARG_TYPES = {
  'Tensor': ['at::Tensor', 'tensor', 'Tensor', (v) => `h(${v})`, 'NativeHandle'],
  'Tensor?': ['c10::optional<at::Tensor>', 'optTensor', 'Tensor | null', (v) => `ho(${v})`, 'NativeHandle | null'],
  'Tensor[]': ['std::vector<at::Tensor>', 'tensorList', 'Tensor[]', (v) => `hl(${v})`, 'NativeHandle[]'],
  'TensorOrScalar': ['at::Tensor', 'tensorOrScalar', 'Tensor | number', (v) => `h(${v})`, 'NativeHandle | number'],
  'Scalar': ['at::Scalar', 'scalar', 'number', (v) => v, 'number'],
  'Scalar?': ['c10::optional<at::Scalar>', 'optScalar', 'number | null', (v) => v, 'number | null'],
  'int': ['int64_t', 'integer', 'number', (v) => v, 'number'],
  'int?': ['c10::optional<int64_t>', 'optInteger', 'number | null', (v) => v, 'number | null'],
  'int[]': ['std::vector<int64_t>', 'intList', 'number | readonly number[]', (v) => v, 'number | readonly number[]'],
  'int[]?': ['c10::optional<std::vector<int64_t>>', 'optIntList', 'number | readonly number[] | null', (v) => v, 'number | readonly number[] | null'],
  'float': ['double', 'number', 'number', (v) => v, 'number'],
  'float?': ['c10::optional<double>', 'optNumber', 'number | null', (v) => v, 'number | null'],
  'bool': ['bool', 'boolean', 'boolean', (v) => v, 'boolean'],
  'str': ['std::string', 'string', 'string', (v) => v, 'string'],
  'Dtype': ['at::ScalarType', 'dtype', 'DType', (v) => v, 'DType'],
  'Dtype?': ['c10::optional<at::ScalarType>', 'optDtype', 'DType | null', (v) => v, 'DType | null'],
  'Device': ['at::Device', 'device', 'Device', (v) => v, 'Device'],
  'Reduction': ['int64_t', 'reduction', 'Reduction', (v) => v, 'Reduction'],
};

// return -> [C++ result expression wrapper, TS type, TS wrap of native result r (fn form), native-side TS type]
const RETURN_TYPES = {
  'Tensor': [(e) => `c.result(at::Tensor(${e}))`, 'Tensor', 'wrap(r)', 'NativeHandle'],
  'Tensor?': [(e) => `c.result(at::Tensor(${e}))`, 'Tensor | null', 'r === null ? null : wrap(r)', 'NativeHandle | null'],
  'Tensor[]': [(e) => `c.result(std::vector<at::Tensor>(${e}))`, 'Tensor[]', 'r.map(wrap)', 'NativeHandle[]'],
  '(Tensor,Tensor)': [(e) => `c.result(${e})`, '[Tensor, Tensor]', 'r.map(wrap) as [Tensor, Tensor]', 'NativeHandle[]'],
  '(Tensor,Tensor,Tensor)': [(e) => `c.result(${e})`, '[Tensor, Tensor, Tensor]', 'r.map(wrap) as [Tensor, Tensor, Tensor]', 'NativeHandle[]'],
  'float': [(e) => `c.result(static_cast<double>(${e}))`, 'number', 'r', 'number'],
  'int': [(e) => `c.result(static_cast<int64_t>(${e}))`, 'number', 'r', 'number'],
  'bool': [(e) => `c.result(static_cast<bool>(${e}))`, 'boolean', 'r', 'boolean'],
  'str': [(e) => `c.result(std::string(${e}))`, 'string', 'r', 'string'],
  'int[]': [(e) => `c.result(std::vector<int64_t>(${e}))`, 'number[]', 'r', 'number[]'],
  'Scalar': [(e) => `c.result(at::Scalar(${e}))`, 'number | boolean', 'r', 'number | boolean'],
  'void': [null, 'void', null, 'void'],
  'self': [null, 'this', null, 'void'],
};

const RESERVED_WORDS = new Set(['var', 'delete', 'new', 'in', 'typeof', 'void', 'with', 'do', 'if', 'for', 'switch', 'case', 'default']);

function fail(lineNo, msg) {
  throw new Error(`native/ops.def:${lineNo}: ${msg}`);
}

function parseArgs(text, lineNo) {
  const args = [];
  let options = false;
  // split on commas that are not inside brackets or quotes
  const parts = [];
  let depth = 0, cur = '', quote = null;
  for (const ch of text) {
    if (quote) { cur += ch; if (ch === quote) quote = null; continue; }
    if (ch === "'" || ch === '"') { quote = ch; cur += ch; continue; }
    if (ch === '[' || ch === '(') depth++;
    if (ch === ']' || ch === ')') depth--;
    if (ch === ',' && depth === 0) { parts.push(cur); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (p === '*') { options = true; continue; }
    const m = /^(\w+)\s*:\s*([\w\[\]?]+)\s*(?:=\s*(.+))?$/.exec(p);
    if (!m) fail(lineNo, `cannot read argument '${p}'`);
    const [, name, type, dflt] = m;
    if (!ARG_TYPES[type]) fail(lineNo, `unknown argument type '${type}' of '${name}'`);
    if (options && dflt === undefined && !type.endsWith('?')) fail(lineNo, `option '${name}' needs a default`);
    args.push({ name, type, dflt: dflt?.trim(), option: options });
  }
  return args;
}

function parseTable() {
  const ops = [];
  readFileSync(TABLE, 'utf8').split('\n').forEach((line, i) => {
    const lineNo = i + 1;
    const text = line.trim();
    if (!text || text.startsWith('#')) return;
    const m = /^(method|fn|internal)\s+(\w+)\s*\((.*?)\)\s*->\s*(\([^)]*\)|\S+)\s*\|\s*(.+)$/.exec(text);
    if (!m) fail(lineNo, 'expected: kind name (args) -> return | C++ expression');
    const [, kind, name, argText, retText, expr] = m;
    const ret = retText.replace(/\s+/g, '');
    if (!RETURN_TYPES[ret]) fail(lineNo, `unknown return type '${ret}'`);
    const args = parseArgs(argText, lineNo);
    if (kind === 'method' && (args[0]?.name !== 'self' || args[0].type !== 'Tensor')) {
      fail(lineNo, `method '${name}' must take 'self: Tensor' first`);
    }
    if (ops.some((o) => o.name === name)) fail(lineNo, `op '${name}' is defined twice`);
    ops.push({ kind, name, args, ret, expr: expr.trim(), lineNo, text });
  });
  return ops;
}

const HEADER = '// GENERATED by tools/gen-ops.mjs from native/ops.def. Do not edit: edit the table and run `npm run gen`.\n';

function cppOp(op) {
  const names = op.args.map((a) => `"${a.name}"`).join(', ');
  const lines = [];
  lines.push(`// ${op.text.replace(/\s*\|.*$/, '')}`);
  lines.push(`static Napi::Value op_${op.name}(const Napi::CallbackInfo& info) {`);
  lines.push(op.args.length
    ? `  static const char* const names[] = {${names}};`
    : '  static const char* const* names = nullptr;');
  lines.push(`  htaf::OpCall c(info, "${op.name}", names, ${op.args.length});`);
  lines.push('  try {');
  op.args.forEach((a, i) => {
    const [ctype, conv] = ARG_TYPES[a.type];
    lines.push(`    ${ctype} ${a.name} = c.${conv}(${i});`);
  });
  const wrapRet = RETURN_TYPES[op.ret][0];
  if (wrapRet) {
    lines.push(`    return ${wrapRet(op.expr)};`);
  } else {
    lines.push(`    ${op.expr};`);
    lines.push('    return c.none();');
  }
  lines.push('  } catch (...) {');
  lines.push('    return c.fail();');
  lines.push('  }');
  lines.push('}');
  return lines.join('\n');
}

function writeNative(ops) {
  mkdirSync(join(root, 'native/gen'), { recursive: true });
  const per = Math.ceil(ops.length / NATIVE_FILES);
  const decls = [];
  for (let k = 0; k < NATIVE_FILES; k++) {
    const part = ops.slice(k * per, (k + 1) * per);
    const body = [
      HEADER,
      '#include <napi.h>',
      '#include <ATen/ATen.h>',
      '#include "op_call.h"',
      '#include "helpers.h"',
      '#include "fused_activations.h"',
      '#include "fused_neurons.h"',
      '#include "optim_steps.h"',
      '',
      ...part.map(cppOp).flatMap((s) => [s, '']),
      `void htafRegisterOps${k}(Napi::Env env, Napi::Object exports) {`,
      ...part.map((o) => `  exports.Set("${o.name}", Napi::Function::New(env, op_${o.name}, "${o.name}"));`),
      '}',
      '',
    ];
    writeFileSync(join(root, `native/gen/ops_generated_${k}.cc`), body.join('\n'));
    decls.push(`void htafRegisterOps${k}(Napi::Env env, Napi::Object exports);`);
  }
  writeFileSync(join(root, 'native/gen/ops_generated.h'), [
    HEADER, '#pragma once', '#include <napi.h>', '', ...decls, '',
    'inline void htafRegisterOps(Napi::Env env, Napi::Object exports) {',
    ...decls.map((_, k) => `  htafRegisterOps${k}(env, exports);`), '}', '',
  ].join('\n'));
}

// ---- TypeScript ------------------------------------------------------------------------------------

function tsParams(op, skipSelf) {
  const args = op.args.filter((a, i) => !(skipSelf && i === 0));
  const positional = args.filter((a) => !a.option);
  const options = args.filter((a) => a.option);
  const params = positional.map((a) => {
    const ts = ARG_TYPES[a.type][2];
    return a.dflt !== undefined ? `${a.name}: ${ts} = ${a.dflt}` : `${a.name}: ${ts}`;
  });
  if (options.length) {
    const fields = options.map((a) => `${a.name}?: ${ARG_TYPES[a.type][2]}`).join('; ');
    params.push(`options: { ${fields} } = {}`);
  }
  return { params: params.join(', '), options };
}

function tsCallArgs(op, selfExpr) {
  return op.args.map((a, i) => {
    if (i === 0 && selfExpr) return selfExpr;
    const value = a.option ? `options.${a.name} ?? ${a.dflt ?? 'null'}` : a.name;
    return ARG_TYPES[a.type][3](a.option ? `(${value})` : value);
  }).join(', ');
}

function tsBody(op, { method }) {
  const { options } = tsParams(op, method);
  const lines = [];
  if (options.length) {
    // The op's positional arguments go along so an options error shows the shapes, as the addon's do.
    const positional = op.args.filter((a) => !a.option)
      .map((a, i) => (i === 0 && method ? `${a.name}: this` : a.name));
    lines.push(`checkOptions('${op.name}', options, [${options.map((a) => `'${a.name}'`).join(', ')}], { ${positional.join(', ')} });`);
  }
  const call = `N.${op.name}(${tsCallArgs(op, method ? 'this.native' : null)})`;
  const [, , wrapExpr] = RETURN_TYPES[op.ret];
  if (op.ret === 'self') {
    lines.push(`${call};`, method ? 'return this;' : 'return self;');
  } else if (op.ret === 'void') {
    lines.push(`${call};`);
  } else if (wrapExpr === 'r') {
    lines.push(`return ${call};`);
  } else {
    const w = method ? wrapExpr.replace(/\bwrap\b/g, 'this.wrap') : wrapExpr;
    lines.push(`const r = ${call};`, `return ${w.replace('r.map(this.wrap)', 'r.map((x: NativeHandle) => this.wrap(x))')};`);
  }
  return lines;
}

// Drops names from `import type { ... }` lines that the rest of the file never uses.
function pruneTypeImports(text) {
  return text.replace(/^import type \{ ([^}]+) \} from '([^']+)';$/gm, (line, names, from) => {
    const body = text.replace(line, '');
    const used = names.split(',').map((n) => n.trim()).filter((n) => new RegExp(`\\b${n}\\b`).test(body));
    return used.length ? `import type { ${used.join(', ')} } from '${from}';` : '';
  });
}

function signatureDoc(op) {
  return `  /** ${op.text.replace(/\s*\|.*$/, '').replace(/^\w+\s+/, '')} */`;
}

function writeTypeScript(ops) {
  const methods = ops.filter((o) => o.kind === 'method');
  const methodTs = [
    HEADER,
    "import { N } from '../core/native.js';",
    "import type { DType, Device, NativeHandle, Reduction } from '../core/types.js';",
    "import { TensorBase, checkOptions, h, ho, hl } from './tensor_base.js';",
    '',
    '/**',
    ' * The Tensor methods bound from native/ops.def; Tensor (tensor.ts) adds the hand-written rest and',
    ' * extends TensorOps<Tensor>. The type parameter is named Tensor so the signatures read as they will be',
    ' * used, and this file needs no import of tensor.ts (which would close an import cycle).',
    ' */',
    'export abstract class TensorOps<Tensor extends TensorBase = TensorBase> extends TensorBase {',
    '  /** Wraps a native result in a Tensor owned by the current scope. */',
    '  protected abstract wrap(handle: NativeHandle): Tensor;',
    '',
  ];
  for (const op of methods) {
    const { params } = tsParams(op, true);
    const ret = op.ret === 'self' ? 'this' : RETURN_TYPES[op.ret][1];
    methodTs.push(signatureDoc(op));
    methodTs.push(`  ${op.name}(${params}): ${ret} {`);
    for (const l of tsBody(op, { method: true })) methodTs.push(`    ${l}`);
    methodTs.push('  }', '');
  }
  methodTs.push('}', '', '// Keep the unused-import checker quiet for tables without such arguments.', 'void h; void ho; void hl;', '');
  writeFileSync(join(root, 'src/tensor/tensor_ops.generated.ts'), pruneTypeImports(methodTs.join('\n')));

  const fns = ops.filter((o) => o.kind !== 'internal');
  const fnTs = [
    HEADER,
    "import { Tensor } from './tensor.js';",
    "import { N } from '../core/native.js';",
    "import type { DType, Device, NativeHandle, Reduction } from '../core/types.js';",
    "import { checkOptions, h, ho, hl } from './tensor_base.js';",
    '',
    'const wrap = (handle: NativeHandle): Tensor => Tensor.fromNative(handle);',
    '',
  ];
  for (const op of fns) {
    const { params } = tsParams(op, false);
    const ret = op.ret === 'self' ? 'Tensor' : RETURN_TYPES[op.ret][1];
    fnTs.push(signatureDoc(op).trim());
    // A reserved word (var) cannot name a function declaration, but can name an export.
    const reserved = RESERVED_WORDS.has(op.name);
    if (reserved) fnTs.push(`export { ${op.name}_ as ${op.name} };`);
    fnTs.push(`${reserved ? '' : 'export '}function ${op.name}${reserved ? '_' : ''}(${params}): ${ret} {`);
    for (const l of tsBody(op, { method: false })) fnTs.push(`  ${l}`);
    fnTs.push('}', '');
  }
  fnTs.push('void h; void ho; void hl; void wrap;', '');
  writeFileSync(join(root, 'src/tensor/functions.generated.ts'), pruneTypeImports(fnTs.join('\n')));

  const api = [
    HEADER,
    "import type { DType, Device, NativeHandle, Reduction } from './types.js';",
    '',
    '/** Every function of the addon generated from native/ops.def, as the addon sees its arguments. */',
    'export interface GeneratedNativeApi {',
  ];
  for (const op of ops) {
    const params = op.args.map((a) => `${a.name}: ${ARG_TYPES[a.type][4]}${a.option || a.dflt !== undefined ? '' : ''}`).join(', ');
    api.push(`  ${op.name}(${params}): ${RETURN_TYPES[op.ret][3]};`);
  }
  api.push('}', '');
  writeFileSync(join(root, 'src/core/native_api.generated.ts'), api.join('\n'));
}

const ops = parseTable();
writeNative(ops);
writeTypeScript(ops);
console.log(`gen-ops: ${ops.length} ops from native/ops.def`);
