// `htaf bench step|op` print the JSON the benchmark table is built from; bad options are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run.js';

test('bench step --json prints one line with timing, memory and tensor counts', () => {
  for (const model of ['mlp', 'cnn', 'sew']) {
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

test('bench step --model sew --neuron composed times the composed LIF loop; the JSON line names the path', () => {
  for (const neuron of ['fused', 'composed']) {
    const r = runCli(['bench', 'step', '--model', 'sew', '--activation', 'ste', '--neuron', neuron, '--batch', '4', '--steps', '1', '--warmup', '0', '--threads', '1', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout.trim());
    assert.equal(j.neuron, neuron);
    assert.equal(j.params, 308538);
  }
});

test('bench step --nproc 2 --data fashion-mnist: data-parallel steps on the real images, one JSON line from rank 0', () => {
  const r = runCli(['bench', 'step', '--model', 'wrn', '--depth', '10', '--widen', '1', '--activation', 'htaf', '--batch', '8', '--steps', '2', '--warmup', '1',
    '--threads', '1', '--data', 'fashion-mnist', '--nproc', '2', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  const j = JSON.parse(lines[0]);
  assert.equal(j.world_size, 2);
  assert.equal(j.data, 'fashion-mnist');
  assert.equal(j.allreduce_bytes_per_step, 4 * j.params, 'one step all-reduces every float32 gradient once');
  assert.equal(j.collectives_per_step, 1);
  assert.ok(j.allreduce_ms > 0 && j.images_per_s > 0);
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
    [['bench', 'step', '--model', 'rnn'], /--model must be one of mlp, cnn, wrn, sew, got 'rnn'/],
    [['bench', 'step', '--model', 'sew', '--neuron', 'cupy'], /--neuron must be one of fused, composed, got 'cupy'/],
    [['bench', 'step', '--model', 'sew', '--activation', 'relu'], /--activation must be one of htaf, ss, ste for --model sew \(a spike is 0 or 1\); got 'relu'/],
    [['bench', 'step', '--model', 'mlp', '--data', 'fashion-mnist'], /--data fashion-mnist needs an image model/],
    [['bench', 'step', '--model', 'cnn', '--batch', '5', '--nproc', '2'], /--batch 5 must be a multiple of the processes \(2\)/],
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
