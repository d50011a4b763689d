// The numbers five commands give, held bit for bit across refactors: short, seeded runs of `htaf train`,
// `htaf compare --budget demo`, `htaf images train`, `htaf icbm train` and `htaf gradients`, each on
// built-in or test-made data. Their JSON results (less what depends on the clock or the temp folder)
// were recorded by this file before the training core was rebuilt on the one fit loop, and are committed
// under test/fixtures/behaviour/. To record them again (only when a change is meant to change numbers,
// and say so in the commit): HTAF_RECORD_BEHAVIOUR=1 node --test dist/test/cli/behaviour.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './run.js';
import { writeTinyFashionMnist } from './icbm_data.js';

const FIXTURES = join(ROOT, 'test/fixtures/behaviour');
const RECORD = process.env.HTAF_RECORD_BEHAVIOUR === '1';
/**
 * The widest SIMD the fused activations use here (native/src/fused_activations.cc picks it from the
 * CPU): their AVX-512 and AVX2 paths round differently, which a network made of HTAF everywhere (the
 * image DHN) carries into its numbers. A fixture <name>.<isa>.json, where one exists, holds the numbers
 * of that ISA; <name>.json those of the machine the fixtures were first recorded on (AVX-512).
 * HTAF_RECORD_BEHAVIOUR=isa records the ISA-specific file.
 */
const ISA = /\bavx512f\b/.test(readFileSync('/proc/cpuinfo', 'utf8')) && process.env.HTAF_SIMD !== 'avx2' ? 'avx512' : 'avx2';

/** Keys whose values depend on the clock, the machine's speed or where the run was written. */
const VOLATILE = /seconds|PerSecond|^files$|^outDir$|^out$|^path$|^written$/i;

/** The result with volatile fields dropped, the temp folder replaced by <tmp> and the checkout by <root>. */
function stable(value: unknown, tmp: string): unknown {
  return JSON.parse(JSON.stringify(value, (k, v) => {
    if (k !== '' && VOLATILE.test(k)) return undefined;
    if (typeof v === 'string') return v.split(tmp).join('<tmp>').split(ROOT).join('<root>');
    return v;
  }));
}

function htaf(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/htaf.js'), ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env },
  });
  assert.equal(r.status, 0, `htaf ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

const lastJsonLine = (stdout: string): unknown => JSON.parse(stdout.trim().split('\n').at(-1)!);
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

function check(name: string, result: unknown, tmp: string): void {
  const got = stable(result, tmp);
  const specific = join(FIXTURES, `${name}.${ISA}.json`);
  const file = process.env.HTAF_RECORD_BEHAVIOUR === 'isa' || existsSync(specific) ? specific : join(FIXTURES, `${name}.json`);
  if (RECORD || process.env.HTAF_RECORD_BEHAVIOUR === 'isa') {
    mkdirSync(FIXTURES, { recursive: true });
    writeFileSync(file, JSON.stringify(got, null, 1) + '\n');
    return;
  }
  assert.deepEqual(got, readJson(file), `${name}: the numbers changed (${file.slice(ROOT.length + 1)}, ${ISA})`);
}

function withTemp(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-behaviour-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('behaviour: htaf train (churn, tiny MLP, seed 1) gives the recorded result.json', () => withTemp((dir) => {
  const out = join(dir, 'train');
  htaf(['train', '--data', 'churn', '--hidden', '8,8', '--epochs', '4', '--batch', '64', '--lr', '0.01', '--method', 'htaf', '--seed', '1', '--out', out, '--json']);
  check('train', readJson(join(out, 'result.json')), dir);
}));

test('behaviour: htaf compare --budget demo (churn, 1 split, 3 epochs) gives the recorded results.json', () => withTemp((dir) => {
  const out = join(dir, 'compare');
  htaf(['compare', '--data', 'churn', '--splits', '1', '--budget', 'demo', '--epochs', '3', '--methods', 'htaf,relu', '--seed', '2', '--out', out]);
  check('compare', readJson(join(out, 'results.json')), dir);
}));

test('behaviour: htaf images train (tiny DHN, seed 3) gives the recorded result.json', () => withTemp((dir) => {
  const data = join(dir, 'fm');
  writeTinyFashionMnist(data, { train: 200, t10k: 60 });
  const out = join(dir, 'images');
  htaf(['images', 'train', '--dataset', 'fashion-mnist', '--model', 'dhn', '--depth', '10', '--base-width', '4', '--epochs', '3', '--batch', '32', '--lr', '0.01',
    '--seed', '3', '--augment', '--crop-padding', '1', '--out', out, '--json'], { HTAF_FASHION_MNIST_DIR: data });
  check('images_train', readJson(join(out, 'result.json')), dir);
}));

test('behaviour: htaf icbm train (tiny WRN, M = 8, seed 0) gives the recorded metrics', () => withTemp((dir) => {
  const data = join(dir, 'fm');
  writeTinyFashionMnist(data, { train: 200, t10k: 60 });
  const stdout = htaf(['icbm', 'train', '--dataset', 'fashion-mnist', '--backbone', 'wrn', '--depth', '10', '--width', '1', '--base-width', '4', '--concepts', '8',
    '--epochs', '2', '--batch', '32', '--lr', '0.02', '--seed', '0', '--out', join(dir, 'icbm'), '--json'], { HTAF_FASHION_MNIST_DIR: data });
  check('icbm_train', lastJsonLine(stdout), dir);
}));

test('behaviour: htaf gradients (churn, 8-8, two methods, seed 1) gives the recorded --json', () => withTemp((dir) => {
  const stdout = htaf(['gradients', '--data', 'churn', '--methods', 'relu', 'htaf:alpha=11,beta=2', '--hidden', '8,8', '--epochs', '2', '--batch', '64', '--seed', '1',
    '--out', join(dir, 'gradients'), '--json', '--quiet']);
  check('gradients', lastJsonLine(stdout), dir);
}));
