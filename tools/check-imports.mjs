#!/usr/bin/env node
// The import check `make test` runs (docs/design.md, "Layers" and rule 9): over the TypeScript program of
// tsconfig.json, through the compiler's own module resolution (not a regex), it fails when
//   - any import cycle exists among the files of src/ (every strongly connected component is listed),
//   - a file in src/ imports src/index.ts (the barrel is for outside users only),
//   - a file in src/ imports a later layer than its own (the order below, as docs/design.md gives it),
//   - a file in src/ imports a file outside src/ (bench/, test/ and tools/ are not part of the package),
//   - the main entry point (src/index.ts, `import ... from 'htaf'`) loads, at run time, a heavy part that
//     has its own subpath export (sharp's image decoding, the vega plots, the LLM client).
// Type-only imports count for cycles and layers (a cycle of types is still one a reader has to untangle),
// not for what an entry point loads (they are erased).
// Usage: node tools/check-imports.mjs [--quiet]
import ts from 'typescript';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAYERS = [
  'core', 'tensor', 'autograd', 'nn', 'optim', 'distributed', 'io', 'activations', 'theory', 'data', 'metrics', 'models', 'concepts', 'train',
  'export', 'report', 'demo', 'bench', 'cli',
];
/** Layers that import nothing of htaf's other layers (the dependency-free runtime). */
const STANDALONE = new Set(['runtime']);

/** What `import ... from 'htaf'` must not load: npm packages and files behind 'htaf/images' and 'htaf/concepts'. */
const LIGHT_ENTRY = 'src/index.ts';
const HEAVY = ['sharp', 'vega', 'vega-lite', 'src/concepts/llm_client.ts', 'src/data/images/folder.ts'];

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const BARREL = join(SRC, 'index.ts');
/** The entry points: files directly in src/ (index.ts for 'htaf', images.ts, concepts.ts for the subpaths). */
const isEntry = (file) => dirname(file) === SRC;

function program() {
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } };
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, host);
  return { files: config.fileNames, options: config.options };
}

/** Is this import/export erased at run time (`import type`, or only `type` names)? */
function typeOnly(node) {
  if (ts.isImportDeclaration(node)) {
    const c = node.importClause;
    if (!c) return false;
    if (c.isTypeOnly) return true;
    const nb = c.namedBindings;
    return !c.name && !!nb && ts.isNamedImports(nb) && nb.elements.length > 0 && nb.elements.every((e) => e.isTypeOnly);
  }
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const ec = node.exportClause;
    return !!ec && ts.isNamedExports(ec) && ec.elements.length > 0 && ec.elements.every((e) => e.isTypeOnly);
  }
  return false;
}

/** Every module specifier a file uses (import/export declarations, `import x = require()`, dynamic import()), and whether it is type-only. */
function specifiers(sf) {
  const out = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, typeOnly: typeOnly(node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      out.push({ spec: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      out.push({ spec: node.moduleReference.expression.text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const layerOf = (file) => relative(SRC, file).split(sep)[0].replace(/\.ts$/, '');

/** Tarjan's strongly connected components of size > 1 (and self-loops). */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const meta = new Map();
  const found = [];
  const strong = (v) => {
    meta.set(v, { index, low: index, on: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!meta.has(w)) {
        strong(w);
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
      } else if (meta.get(w).on) {
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
      }
    }
    if (meta.get(v).low === meta.get(v).index) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        meta.get(w).on = false;
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? new Set()).has(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!meta.has(v)) strong(v);
  return found;
}

export function checkImports() {
  const { files, options } = program();
  const problems = [];
  const graph = new Map();
  const runtime = new Map(); // file -> what it loads at run time (src files and npm package names)
  const rel = (f) => relative(ROOT, f);
  for (const file of files) {
    if (!file.startsWith(SRC + sep)) continue;
    const loads = new Set();
    runtime.set(file, loads);
    const sf0 = ts.createSourceFile(file, ts.sys.readFile(file), ts.ScriptTarget.Latest, true);
    for (const { spec, typeOnly: erased } of specifiers(sf0)) {
      if (erased) continue;
      const resolved = ts.resolveModuleName(spec, file, options, ts.sys).resolvedModule;
      if (resolved && !resolved.isExternalLibraryImport) loads.add(resolved.resolvedFileName);
      else if (!spec.startsWith('node:') && !spec.startsWith('.')) loads.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
    if (isEntry(file)) continue;
    const sf = ts.createSourceFile(file, ts.sys.readFile(file), ts.ScriptTarget.Latest, true);
    const from = layerOf(file);
    const edges = new Set();
    graph.set(file, edges);
    for (const { spec } of specifiers(sf)) {
      const resolved = ts.resolveModuleName(spec, file, options, ts.sys).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) continue; // node: built-ins and npm packages
      const target = resolved.resolvedFileName;
      if (!target.startsWith(ROOT + sep)) continue;
      if (!target.startsWith(SRC + sep)) {
        problems.push(`${rel(file)} imports ${rel(target)}, outside src/ (not part of the package)`);
        continue;
      }
      edges.add(target);
      if (isEntry(target)) {
        problems.push(`${rel(file)} imports ${rel(target)}, a public entry point; import the layer module instead (docs/design.md rule 9)`);
        continue;
      }
      const to = layerOf(target);
      if (to === from) continue;
      if (STANDALONE.has(from)) {
        problems.push(`${rel(file)} imports ${rel(target)}: src/${from} imports no other layer of htaf`);
        continue;
      }
      const a = LAYERS.indexOf(from);
      const b = LAYERS.indexOf(to);
      if (a < 0) problems.push(`${rel(file)}: src/${from} is not in the layer order (tools/check-imports.mjs LAYERS, docs/design.md "Layers")`);
      else if (b < 0 && !STANDALONE.has(to)) problems.push(`${rel(target)}: src/${to} is not in the layer order (tools/check-imports.mjs LAYERS, docs/design.md "Layers")`);
      else if (b > a) problems.push(`${rel(file)} (layer ${from}) imports ${rel(target)} (layer ${to}, later in the order: ${LAYERS.join(' → ')})`);
    }
  }
  // What the light entry point loads, transitively.
  const entry = join(ROOT, LIGHT_ENTRY);
  const seen = new Map([[entry, null]]);
  const queue = [entry];
  while (queue.length) {
    const f = queue.shift();
    for (const t of runtime.get(f) ?? []) {
      if (seen.has(t)) continue;
      seen.set(t, f);
      if (runtime.has(t)) queue.push(t);
    }
  }
  for (const heavy of HEAVY) {
    const key = heavy.startsWith('src/') ? join(ROOT, heavy) : heavy;
    if (!seen.has(key)) continue;
    const chain = [];
    for (let at = key; at !== null; at = seen.get(at)) chain.unshift(at.startsWith(ROOT) ? rel(at) : at);
    problems.push(`${LIGHT_ENTRY} loads ${heavy} (${chain.join(' → ')}); it belongs behind a subpath export ('htaf/images', 'htaf/concepts')`);
  }
  for (const scc of cycles(graph)) problems.push(`import cycle of ${scc.length} files: ${scc.map(rel).join(', ')}`);
  return { files: graph.size, problems: [...new Set(problems)] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { files, problems } = checkImports();
  for (const p of problems) console.error(`check-imports: ${p}`);
  if (problems.length) {
    console.error(`check-imports: ${problems.length} problem(s) in ${files} files of src/`);
    process.exit(1);
  }
  if (!process.argv.includes('--quiet')) console.log(`check-imports: ${files} files of src/, no cycle, layer order kept`);
}
