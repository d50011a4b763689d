// `htaf train` end to end on small CSVs written here: --json and result.json, the files kept in --out,
// resume, a regression run in plain text, and refusals that leave nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** 240 rows: two numbers, a colour, a churn label (yes/no) and a price (regression target). */
function writeCsv(dir: string): string {
  const r = lcg(3);
  const colours = ['red', 'green', 'blue'];
  const lines = ['age,income,colour,churn,price'];
  for (let i = 0; i < 240; i++) {
    const age = Math.round(18 + 60 * r());
    const income = Math.round(1000 + 9000 * r());
    const colour = colours[Math.floor(3 * r())];
    const churn = age < 40 !== (colour === 'red') ? 'yes' : 'no';
    const price = (0.5 * age + income / 1000 + (colour === 'blue' ? 10 : 0)).toFixed(2);
    lines.push(`${age},${income},${colour},${churn},${price}`);
  }
  const file = join(dir, 'small.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const FAST = ['--hidden', '8,8', '--epochs', '4', '--batch', '32', '--lr', '0.01'];

test('htaf train --json on a CSV: one JSON line, equal to --out/result.json; checkpoints kept; resume reports the same', () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-cli-train-'));
  try {
    const csv = writeCsv(dir);
    const out = join(dir, 'run');
    const r = runCli(['train', '--data', csv, '--target', 'churn', ...FAST, '--method', 'htaf', '--seed', '1', '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const res = JSON.parse(lines[lines.length - 1]);
    assert.deepEqual(res, JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')));
    assert.deepEqual(readdirSync(out).sort(), ['best.safetensors', 'checkpoint.safetensors', 'result.json']);
    assert.equal(res.data.task, 'binary');
    assert.deepEqual(res.data.classes, ['no', 'yes']);
    assert.equal(res.data.rows, 240);
    assert.equal(res.data.split.train + res.data.split.val + res.data.split.test, 240);
    assert.equal(res.config.method, 'htaf:alpha=2,beta=11'); // the canonical spec
    assert.deepEqual(res.config.hidden, [8, 8]);
    for (const part of ['val', 'test']) {
      for (const mode of ['exact', 'smooth']) assert.equal(typeof res[part][mode].auroc, 'number', `${part} ${mode}`);
    }
    assert.ok(res.test.smooth.auroc > 0.5, JSON.stringify(res.test));
    assert.ok(res.binarity >= 0 && res.binarity <= 1);
    assert.equal(res.checkpoint.best, join(out, 'best.safetensors'));
    assert.equal(typeof res.preprocessor, 'object');
    assert.ok(Array.isArray(res.warnings));
    assert.match(r.stderr, /epoch 4\/4 {2}train loss [\d.]+ {2}val auroc [\d.]+ \(exact steps\)/); // plain progress lines off a TTY

    // The same --out again without --resume is refused; with --resume the finished run reports the same.
    const again = runCli(['train', '--data', csv, '--target', 'churn', ...FAST, '--method', 'htaf', '--seed', '1', '--out', out, '--json']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already holds a run .*--resume/);
    const resumed = runCli(['train', '--data', csv, '--target', 'churn', ...FAST, '--method', 'htaf', '--seed', '1', '--out', out, '--resume', '--json']);
    assert.equal(resumed.status, 0, resumed.stderr);
    const res2 = JSON.parse(resumed.stdout.trim().split('\n').pop()!);
    delete res.seconds;
    delete res2.seconds;
    assert.deepEqual(res2, res);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('htaf train: a regression run prints exact and smooth RMSE in target units, writes nothing without --out; a built-in dataset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-cli-train-'));
  try {
    const csv = writeCsv(dir);
    const r = runCli(['train', '--data', csv, '--target', 'price', '--task', 'regression', ...FAST, '--method', 'relu']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /val rmse +[\d.]+ +[\d.]+/);
    assert.match(r.stdout, /test rmse +[\d.]+ +[\d.]+/);
    assert.match(r.stdout, /binarity of the hidden units \(test, smooth steps\)/);
    assert.deepEqual(readdirSync(dir), ['small.csv']);
    // a built-in dataset knows its target and task
    const boston = runCli(['train', '--data', 'boston', ...FAST, '--json']);
    assert.equal(boston.status, 0, boston.stderr);
    const res = JSON.parse(boston.stdout.trim().split('\n').pop()!);
    assert.equal(res.data.target, 'medv');
    assert.equal(res.data.task, 'regression');
    assert.equal(res.data.rows, 506);
    assert.ok(res.test.exact.rmse > 0 && res.test.exact.rmse < 30, JSON.stringify(res.test));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('htaf train refuses bad input with the option named, and leaves no --out folder behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-cli-train-'));
  try {
    const csv = writeCsv(dir);
    const out = join(dir, 'never');
    const cases: [string[], RegExp][] = [
      [['--data', csv], /--target COLUMN is required for a CSV file/],
      [['--data', join(dir, 'missing.csv'), '--target', 'churn'], /no such file, and not a built-in dataset/],
      [['--data', csv, '--target', 'churn', '--method', 'htaf:alpha=0'], /alpha must be a finite number > 0/],
      [['--data', csv, '--target', 'churn', '--lr', '-1'], /--lr must be a finite number > 0/],
      [['--data', csv, '--target', 'churn', '--resume'], /--resume needs --out/],
      [['--data', csv, '--target', 'no_such_column', '--out', out], /no_such_column/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['train', ...args, '--epochs', '1']);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message);
    }
    assert.ok(!existsSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
