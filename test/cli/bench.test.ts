// `htaf bench step|op` print the JSON the benchmark table is built from; bad options are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run.js';

test('bench step --json prints one line with timing, memory and tensor counts', () => {
  for (const model of ['mlp', 'cnn']) {
    const r = runCli(['bench', 'step', '--model', model, '--activation', 'htaf', '--batch', '8', '--steps', '3', '--warmup', '1', '--threads', '1', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const j = JSON.parse(lines[0]);
    assert.equal(j.model, model);
    assert.equal(j.activation, 'htaf');
    for (const k of ['ms_per_step', 'rss_mb_start', 'rss_mb_end']) assert.ok(j[k] > 0, `${k} = ${j[k]}`);
    assert.equal(j.live_tensors_end, 0);
  }
});

test('bench op --json prints ms_fwd_bwd', () => {
  for (const op of ['relu', 'htaf', 'ss', 'ste']) {
    const r = runCli(['bench', 'op', '--op', op, '--shape', '4,8,16,16', '--steps', '2', '--threads', '1', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.op, op);
    assert.ok(j.ms_fwd_bwd > 0);
  }
});

test('bad bench options are refused with the option named', () => {
  const cases: [string[], RegExp][] = [
    [['bench', 'step', '--model', 'rnn'], /--model must be one of mlp, cnn, wrn, got 'rnn'/],
    [['bench', 'step', '--activation', 'swish'], /--activation must be one of relu, htaf, ss, ste/],
    [['bench', 'step', '--steps', '0'], /--steps must be a positive integer, got '0'/],
    [['bench', 'op', '--shape', '2,x'], /--shape must be a comma-separated list of positive integers/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, message);
  }
});

test('demo trains and reports accuracy with smooth and with exact steps', () => {
  const r = runCli(['demo', '--epochs', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /test accuracy, smooth HTAF steps: \d+\.\d%/);
  assert.match(r.stdout, /test accuracy, exact Heaviside steps: \d+\.\d%/);
});
