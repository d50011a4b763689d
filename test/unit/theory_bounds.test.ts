// Proposition 3.1 (src/theory/bounds.ts): Table 6, Figure 2, the inverse bound, the measured sup of
// |HTAF − H| off (−δ, δ), the rounding of the table, and argument checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alphaMin, betaMin, betaMinForAlpha, checkApproximation, logitBound, roundUpForTable } from '../../src/index.js';

const TABLE6: [number, string][] = [
  [5, '4.72'], [10, '2.24'], [20, '1.11'], [30, '0.74'], [40, '0.55'],
  [50, '0.44'], [100, '0.22'], [500, '0.05'], [1000, '0.022'], [5000, '0.005'],
];

function close(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (rel ${rel})`);
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));

test('L = ln((1 - eps)/eps); beta_min(0.1) = ln 9 = 2.197..., printed "2.20"', () => {
  close(logitBound(0.1), Math.log(9), 1e-15, 'L(0.1)');
  assert.equal(betaMin(0.1), logitBound(0.1));
  assert.equal(roundUpForTable(betaMin(0.1)), '2.20');
  close(logitBound(0.25), Math.log(3), 1e-15, 'L(0.25)');
  // σ(−L) = eps: the bound is the logit of 1 − eps.
  for (const eps of [1e-9, 0.01, 0.1, 0.3, 0.49]) close(sigmoid(-logitBound(eps)), eps, 1e-9, `σ(−L(${eps}))`);
});

test('Table 6 (eps = delta = 0.1): alpha_min = atanh(L/beta)/delta, rounded up to the printed values', () => {
  const L = Math.log(9);
  for (const [beta, printed] of TABLE6) {
    const a = alphaMin(beta, 0.1, 0.1);
    close(a, Math.atanh(L / beta) / 0.1, 1e-14, `alphaMin(${beta})`);
    assert.equal(roundUpForTable(a), printed, `beta = ${beta}: ${a}`);
    assert.ok(Number(printed) >= a, 'the printed bound never understates');
  }
});

test('the rounding rule: up to two decimals, more where two would overstate by over 25%', () => {
  assert.equal(roundUpForTable(0.07), '0.07', 'float noise in 0.07 * 100 does not bump it');
  assert.equal(roundUpForTable(4.7100000001), '4.72');
  assert.equal(roundUpForTable(0.043), '0.05'); // +16%
  assert.equal(roundUpForTable(0.039), '0.04'); // +2.6%
  assert.equal(roundUpForTable(0.021), '0.021'); // 0.03 would be +43%
  assert.equal(roundUpForTable(0.0000123), '0.000013');
  for (let v = 1e-6; v < 1e3; v *= 1.37) {
    const s = roundUpForTable(v);
    assert.ok(Number(s) >= v * (1 - 1e-12), `${s} >= ${v}`);
    assert.ok(Number(s) <= 1.25 * v, `${s} <= 1.25 * ${v}`);
    assert.ok(s.split('.')[1].length >= 2);
  }
  assert.throws(() => roundUpForTable(-1), /value must be a finite number >= 0, got -1/);
});

test('Figure 2: beta * alpha_min falls toward L/delta (about 22) as beta grows', () => {
  const L = Math.log(9);
  const limit = L / 0.1;
  assert.equal(Math.round(limit), 22);
  const betas: number[] = [];
  for (let b = 2.2; b < 1e7; b *= 1.1) betas.push(b);
  let previous = Infinity;
  for (const beta of betas) {
    const product = beta * alphaMin(beta, 0.1, 0.1);
    assert.ok(product < previous, `decreasing at beta = ${beta}: ${product} >= ${previous}`);
    assert.ok(product > limit * (1 - 1e-12), `above the limit at beta = ${beta}: ${product}`);
    previous = product;
  }
  close(1e6 * alphaMin(1e6, 0.1, 0.1), limit, 1e-10, 'beta * alpha_min at beta = 1e6');
  // Table 6's own products (Figure 2's points): 23.58 at beta = 5, then within 0.4 of 22 from beta = 10 on.
  close(5 * alphaMin(5, 0.1, 0.1), 23.577, 1e-4, 'beta = 5');
  for (const [beta] of TABLE6.slice(1)) assert.ok(Math.abs(beta * alphaMin(beta, 0.1, 0.1) - 22) < 0.4);
});

test('betaMinForAlpha inverts alphaMin: L/tanh(alpha*delta)', () => {
  for (const eps of [0.01, 0.1, 0.3]) {
    for (const delta of [0.01, 0.1, 2]) {
      for (const beta of [logitBound(eps) * 1.01, 5, 11, 100, 5000]) {
        const a = alphaMin(beta, eps, delta);
        close(betaMinForAlpha(a, eps, delta), beta, 1e-9, `beta back from alpha = ${a}`);
      }
      for (const alpha of [0.05, 1, 2, 8]) {
        const b = betaMinForAlpha(alpha, eps, delta);
        close(b, logitBound(eps) / Math.tanh(alpha * delta), 1e-15, 'formula');
        // atanh near 1 is ill-conditioned (relative error ~ ulp/(1 − tanh²)): round trips only where alpha*delta <= 4.
        if (alpha * delta <= 4) close(alphaMin(b, eps, delta), alpha, 1e-9, `alpha back from beta = ${b}`);
      }
    }
  }
  // The paper's (alpha, beta) = (2, 11) at eps = delta = 0.1 needs beta >= 11.14: a little short.
  close(betaMinForAlpha(2, 0.1, 0.1), 11.1322, 1e-4, 'beta_min(alpha = 2)');
  assert.equal(roundUpForTable(betaMinForAlpha(2, 0.1, 0.1)), '11.14');
  // Where tanh(alpha*delta) is 1 in float64 the least beta is still admissible (just above L).
  const b = betaMinForAlpha(1e4, 0.1, 0.1);
  assert.ok(b > logitBound(0.1));
  assert.ok(alphaMin(b, 0.1, 0.1) > 0);
});

test('checkApproximation: sup <= eps at alpha = alpha_min and above, > eps just below', () => {
  for (const eps of [0.001, 0.05, 0.1, 0.3]) {
    for (const delta of [0.01, 0.1, 1]) {
      const L = logitBound(eps);
      for (const beta of [L * 1.001, L * 1.5, 5, 10, 20, 50, 100, 500, 1000, 5000, 1e5]) {
        if (beta <= L) continue;
        const a = alphaMin(beta, eps, delta);
        for (const factor of [1, 1 + 1e-9, 1.01, 1.5, 3, 100]) {
          const r = checkApproximation(a * factor, beta, eps, delta);
          assert.ok(r.holds, `eps ${eps} delta ${delta} beta ${beta} alpha ${a * factor}: sup ${r.sup}`);
          assert.ok(r.sup <= eps * (1 + 1e-12));
          // Found where monotonicity says it is: at |x| = delta, value σ(−β·tanh(αδ)).
          assert.equal(Math.abs(r.at), delta);
          close(r.sup, sigmoid(-beta * Math.tanh(a * factor * delta)), 1e-12, 'closed form');
        }
        for (const factor of [1 - 1e-6, 0.9, 0.5]) {
          const r = checkApproximation(a * factor, beta, eps, delta);
          assert.equal(r.holds, false, `eps ${eps} delta ${delta} beta ${beta} alpha ${a * factor} (below alpha_min): sup ${r.sup}`);
          assert.ok(r.sup > eps);
        }
      }
      // beta <= L: no alpha works; even a huge alpha leaves sup = σ(−β) > eps.
      const r = checkApproximation(1e6, L * 0.99, eps, delta);
      assert.equal(r.holds, false);
      close(r.sup, sigmoid(-L * 0.99), 1e-12, 'sup for beta below L');
    }
  }
});

test('checkApproximation at the paper defaults (alpha, beta) = (2, 11), eps = delta = 0.1', () => {
  const r = checkApproximation(2, 11, 0.1, 0.1);
  assert.equal(r.at, 0.1);
  close(r.sup, 0.10237, 1e-4, 'sup');
  assert.equal(r.holds, false, 'alpha_min(11) = 2.03 > 2');
  assert.equal(checkApproximation(2.05, 11, 0.1, 0.1).holds, true);
});

test('bad arguments: errors name the argument and the value', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => logitBound(0), /logitBound: eps must be a number in \(0, 1\/2\), got 0/],
    [() => logitBound(0.5), /eps must be a number in \(0, 1\/2\), got 0.5/],
    [() => betaMin(NaN), /betaMin: eps .* got NaN/],
    [() => betaMin('0.1' as unknown as number), /eps .* got "0.1"$/],
    [() => alphaMin(2, 0.1, 0.1), /alphaMin: beta must exceed beta_min = ln\(\(1 - eps\)\/eps\) = 2.197\d* .*got 2/],
    [() => alphaMin(Math.log(9), 0.1, 0.1), /beta must exceed beta_min/],
    [() => alphaMin(-5, 0.1, 0.1), /alphaMin: beta must be a finite number > 0, got -5/],
    [() => alphaMin(5, 0.1, 0), /alphaMin: delta must be a finite number > 0, got 0/],
    [() => alphaMin(5, -0.1, 0.1), /alphaMin: eps .* got -0.1/],
    [() => betaMinForAlpha(Infinity, 0.1, 0.1), /betaMinForAlpha: alpha must be a finite number > 0, got Infinity/],
    [() => betaMinForAlpha(1, 0.1, -2), /betaMinForAlpha: delta .* got -2/],
    [() => checkApproximation(0, 5, 0.1, 0.1), /checkApproximation: alpha must be a finite number > 0, got 0/],
    [() => checkApproximation(1, NaN, 0.1, 0.1), /checkApproximation: beta .* got NaN/],
    [() => checkApproximation(1, 5, 0.7, 0.1), /checkApproximation: eps .* got 0.7/],
    [() => checkApproximation(1, 5, 0.1, NaN), /checkApproximation: delta .* got NaN/],
  ];
  for (const [fn, message] of cases) assert.throws(fn, message);
});
