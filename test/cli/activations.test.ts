// `htaf activations`: the registry and spec syntax from the command line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run.js';

test('activations lists every registered activation with its parameters', () => {
  const r = runCli(['activations']);
  assert.equal(r.status, 0, r.stderr);
  for (const name of ['htaf:alpha=2,beta=11', 'ss:gamma=22', 'ste:sigmoid,k=4', 'heaviside', 'approxsign', 'relu']) {
    assert.ok(r.stdout.includes(name), `missing ${name}`);
  }
  const json = JSON.parse(runCli(['activations', '--json']).stdout);
  assert.ok(json.some((a: { name: string }) => a.name === 'htaf'));
});

test('activations SPEC... prints the canonical form, and a bad spec names the parameter', () => {
  const r = runCli(['activations', 'htaf', 'ste:rect', 'sign:htaf:beta=20']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /htaf -> htaf:alpha=2,beta=11/);
  assert.match(r.stdout, /ste:rect -> ste:rect,a=1/);
  assert.match(r.stdout, /sign:htaf:beta=20 -> sign:htaf:alpha=2,beta=20/);
  const bad = runCli(['activations', 'htaf:alpha=-1']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /alpha must be a finite number > 0; got '-1'/);
});
