// `htaf bounds` (Proposition 3.1): the human table reproduces the paper's Table 6, --json prints the
// unrounded values of the formula, and bad options are refused with the option named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './run.js';

const TABLE6: [number, string][] = [
  [5, '4.72'], [10, '2.24'], [20, '1.11'], [30, '0.74'], [40, '0.55'],
  [50, '0.44'], [100, '0.22'], [500, '0.05'], [1000, '0.022'], [5000, '0.005'],
];
const L = Math.log(9);

function close(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

/** The rows of the human table: lines whose first cell is a number. */
function tableRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/))
    .filter((cells) => /^\d/.test(cells[0]));
}

test('bounds --eps 0.1 --delta 0.1 prints Table 6 exactly, beta_min "2.20"', () => {
  for (const args of [['bounds', '--eps', '0.1', '--delta', '0.1'], ['bounds']]) {
    const r = runCli(args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /beta_min = ln\(\(1 - eps\)\/eps\) = 2\.20 /);
    const rows = tableRows(r.stdout);
    assert.deepEqual(rows.map((c) => [Number(c[0]), c[1]]), TABLE6);
    // Figure 2's column: beta * alpha_min toward L/delta = 21.97.
    assert.deepEqual(rows.map((c) => c[2]), ['23.58', '22.34', '22.06', '22.01', '21.99', '21.99', '21.98', '21.97', '21.97', '21.97']);
  }
});

test('bounds --json: one line of unrounded values equal to the formula', () => {
  const r = runCli(['bounds', '--eps', '0.1', '--delta', '0.1', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const j = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(j), ['eps', 'delta', 'betaMin', 'rows']);
  assert.equal(j.eps, 0.1);
  assert.equal(j.delta, 0.1);
  close(j.betaMin, L, 1e-15, 'betaMin');
  assert.deepEqual(j.rows.map((row: { beta: number }) => row.beta), TABLE6.map(([b]) => b));
  for (const row of j.rows) {
    assert.deepEqual(Object.keys(row), ['beta', 'alphaMin']);
    close(row.alphaMin, Math.atanh(L / row.beta) / 0.1, 1e-14, `alphaMin(${row.beta})`);
  }
});

test('bounds --beta with values at or under beta_min: "no α works"; JSON null', () => {
  const r = runCli(['bounds', '--beta', '1,2.19,3', '--eps', '0.1', '--delta', '0.1']);
  assert.equal(r.status, 0, r.stderr);
  const rows = tableRows(r.stdout);
  assert.deepEqual(rows[0].slice(0, 2), ['1', 'no α works (β must exceed β_min)']);
  assert.deepEqual(rows[1].slice(0, 2), ['2.19', 'no α works (β must exceed β_min)']);
  assert.equal(rows[2][0], '3');
  assert.ok(Number(rows[2][1]) >= Math.atanh(L / 3) / 0.1);
  const j = JSON.parse(runCli(['bounds', '--beta', '1,3', '--json']).stdout);
  assert.equal(j.rows[0].alphaMin, null);
  close(j.rows[1].alphaMin, Math.atanh(L / 3) / 0.1, 1e-14, 'alphaMin(3)');
});

test('bounds --alpha: the least beta for each alpha, L/tanh(alpha*delta)', () => {
  const eps = 0.05;
  const delta = 0.2;
  const Le = Math.log((1 - eps) / eps);
  const alphas = [0.5, 2, 8];
  const j = JSON.parse(runCli(['bounds', '--eps', String(eps), '--delta', String(delta), '--alpha', alphas.join(','), '--json']).stdout);
  assert.deepEqual(Object.keys(j), ['eps', 'delta', 'betaMin', 'rows']);
  close(j.betaMin, Le, 1e-15, 'betaMin');
  assert.deepEqual(j.rows.map((row: { alpha: number }) => row.alpha), alphas);
  for (const row of j.rows) {
    assert.deepEqual(Object.keys(row), ['alpha', 'betaMin']);
    close(row.betaMin, Le / Math.tanh(row.alpha * delta), 1e-15, `betaMin(${row.alpha})`);
  }
  const human = runCli(['bounds', '--alpha', '2', '--eps', '0.1', '--delta', '0.1']);
  assert.equal(human.status, 0, human.stderr);
  assert.deepEqual(tableRows(human.stdout), [['2', '11.14']]);
});

test('bad bounds options are refused with the option named', () => {
  const cases: [string[], RegExp][] = [
    [['bounds', '--eps', '0.5'], /--eps must be a number in \(0, 1\/2\), got '0.5'/],
    [['bounds', '--eps', '0'], /--eps must be a number in \(0, 1\/2\), got '0'/],
    [['bounds', '--eps', 'abc'], /--eps must be a number, got 'abc'/],
    [['bounds', '--delta', '0'], /--delta must be a number > 0, got '0'/],
    [['bounds', '--delta', '-1'], /--delta must be a number > 0, got '-1'/],
    [['bounds', '--delta', ''], /--delta must be a number, got ''/],
    [['bounds', '--beta', '5,x'], /--beta must be a comma-separated list of numbers > 0, got '5,x'/],
    [['bounds', '--alpha', '0'], /--alpha must be a comma-separated list of numbers > 0, got '0'/],
    [['bounds', '--alpha', '1', '--beta', '5'], /option '--alpha <list>' cannot be used with option '--beta <list>'|option '--beta <list>' cannot be used with option '--alpha <list>'/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, message);
  }
});
