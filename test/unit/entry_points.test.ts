// The package's entry points, as a user imports them by name: `import ... from 'htaf'` gives the tensor
// API, modules and tabular training without loading image decoding (sharp), plots (vega) or the LLM
// client; 'htaf/images' and 'htaf/concepts' carry those. A module-resolution hook in the child process
// fails any import of a heavy module, so the light entry point's test fails the moment one creeps in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../cli/run.js';

const HEAVY = /^(sharp|vega|vega-lite)$|llm_client\.js$|images\/folder\.js$/;

/** Runs an ES module snippet in a child whose module loader refuses the heavy modules when `strict`. */
function runModule(code: string, strict: boolean): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-entry-'));
  try {
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(hooks, `export async function resolve(specifier, context, next) {
  if (${strict} && ${HEAVY}.test(specifier)) throw new Error('the light entry point loaded ' + specifier + ' (from ' + context.parentURL + ')');
  return next(specifier, context);
}\n`);
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("import from 'htaf' loads the tensor API and tabular training, not sharp, vega or the LLM client", () => {
  const r = runModule(`
    const h = await import('htaf');
    const t = h.tensor([[1, 2], [3, 4]]);
    console.log(JSON.stringify({ sum: t.sum().item(), trainRun: typeof h.trainRun, fit: typeof h.fit, linear: typeof h.nn.Linear, images: 'trainImageModel' in h, concepts: 'nameConcepts' in h }));
  `, true);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { sum: 10, trainRun: 'function', fit: 'function', linear: 'function', images: false, concepts: false });
});

test("'htaf/images' and 'htaf/concepts' carry the heavy parts (the hook would refuse them)", () => {
  const lenient = runModule(`
    const i = await import('htaf/images');
    const c = await import('htaf/concepts');
    console.log(JSON.stringify({ train: typeof i.trainImageModel, folder: typeof i.loadImageFolder, icbm: typeof c.trainIcbm, name: typeof c.nameConcepts }));
  `, false);
  assert.equal(lenient.status, 0, lenient.stderr);
  assert.deepEqual(JSON.parse(lenient.stdout), { train: 'function', folder: 'function', icbm: 'function', name: 'function' });
  const strict = runModule("await import('htaf/images');", true);
  assert.notEqual(strict.status, 0, 'the hook catches a heavy import');
  assert.match(strict.stderr, /the light entry point loaded (sharp|.*folder\.js)/);
});
