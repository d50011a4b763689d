// Theorem 3.2 (src/theory/theorem32.ts): HTAF(0) = 1/2, slope αβ/4 at zero (finite differences of the float64
// formula and of the fused op), the tail HTAF'(x) ≈ C·e^(−2α|x|) (least-squares slope of the log), and the ratio
// to the scaled sigmoid's derivative growing like e^((αβ − 2α)|x|) (Figure 1c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  htaf,
  htafDerivative,
  htafLogDerivative,
  htafValue,
  logTailConstant,
  scaledSigmoidDerivative,
  slopeAtZero,
  tailConstant,
  tailRatioVsScaledSigmoid,
  logTailRatioVsScaledSigmoid,
  tensor,
  tidy,
} from '../../src/index.js';

const PAIRS: [number, number][] = [[2, 11], [8, 2.75], [11, 2], [0.5, 44], [1, 5], [0.2, 100]];

function close(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (rel ${rel})`);
}

/** Least-squares slope and intercept of y against x. */
function fitLine(xs: number[], ys: number[]): { slope: number; intercept: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

function range(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

test('HTAF(0) = 1/2, HTAF is odd about 1/2, its range is (σ(−β), σ(β))', () => {
  for (const [alpha, beta] of PAIRS) {
    assert.equal(htafValue(0, alpha, beta), 0.5);
    for (const x of [0.01, 0.3, 2, 50]) close(htafValue(x, alpha, beta) + htafValue(-x, alpha, beta), 1, 1e-15, 'symmetry');
    const top = 1 / (1 + Math.exp(-beta));
    const bottom = Math.exp(-beta) / (1 + Math.exp(-beta));
    assert.ok(htafValue(1e4, alpha, beta) <= top && htafValue(1e4, alpha, beta) > 0.5);
    close(htafValue(-1e4, alpha, beta), bottom, 1e-15, 'the floor σ(−β)');
  }
  // No overflow for large beta and x of either sign.
  for (const x of [-1e4, -1, 1, 1e4]) assert.ok(Number.isFinite(htafValue(x, 1e-3, 1e4)));
  assert.equal(htafValue(-1e4, 2, 1e4), Math.exp(-1e4) / (1 + Math.exp(-1e4)));
});

test('Theorem 3.2(b): slope at zero = alpha*beta/4, by finite differences of htafValue', () => {
  for (const [alpha, beta] of [...PAIRS, [0.01, 3], [3, 0.5]] as [number, number][]) {
    assert.equal(slopeAtZero(alpha, beta), (alpha * beta) / 4);
    close(htafDerivative(0, alpha, beta), (alpha * beta) / 4, 1e-15, 'htafDerivative(0)');
    const h = 1e-5 / (alpha * Math.max(1, beta));
    const fd = (htafValue(h, alpha, beta) - htafValue(-h, alpha, beta)) / (2 * h);
    close(fd, slopeAtZero(alpha, beta), 1e-7, `central difference at 0, (alpha, beta) = (${alpha}, ${beta})`);
  }
});

test('Theorem 3.2(b) on the fused op: htaf on a float64 tensor has slope alpha*beta/4 at zero (differences and autograd)', () => tidy(() => {
  for (const [alpha, beta] of PAIRS) {
    const h = 1e-6 / (alpha * beta);
    const y = htaf(tensor([-h, 0, h], { dtype: 'float64' }), alpha, beta).toArray() as number[];
    assert.equal(y[1], 0.5);
    close((y[2] - y[0]) / (2 * h), slopeAtZero(alpha, beta), 1e-7, `fused op, (alpha, beta) = (${alpha}, ${beta})`);
    const x = tensor([0], { dtype: 'float64', requiresGrad: true });
    htaf(x, alpha, beta).sum().backward();
    close((x.grad!.toArray() as number[])[0], slopeAtZero(alpha, beta), 1e-14, 'fused op backward at 0');
  }
}));

test('htafValue and htafDerivative agree with the fused op in float64, into the tails', () => tidy(() => {
  const xs = [-30, -8, -2, -0.7, -0.05, 0, 0.001, 0.1, 0.4, 1.5, 5, 12, 40];
  for (const [alpha, beta] of PAIRS) {
    const x = tensor(xs, { dtype: 'float64', requiresGrad: true });
    const y = htaf(x, alpha, beta);
    y.sum().backward();
    const values = y.toArray() as number[];
    const grads = x.grad!.toArray() as number[];
    xs.forEach((xi, i) => {
      close(values[i], htafValue(xi, alpha, beta), 1e-13, `value at ${xi}`);
      const d = htafDerivative(xi, alpha, beta);
      if (d > 1e-300) close(grads[i], d, 1e-12, `derivative at ${xi}, (alpha, beta) = (${alpha}, ${beta})`);
    });
  }
}));

test('htafDerivative is the derivative of htafValue (central differences) and is even', () => {
  for (const [alpha, beta] of PAIRS) {
    for (const x of [-3, -0.4, -0.05, 0.02, 0.3, 1, 2.5]) {
      const h = 1e-6 * Math.max(1, Math.abs(x));
      const fd = (htafValue(x + h, alpha, beta) - htafValue(x - h, alpha, beta)) / (2 * h);
      const d = htafDerivative(x, alpha, beta);
      // The difference quotient carries ~1e-16/h of rounding in absolute terms.
      assert.ok(Math.abs(fd - d) <= 1e-6 * d + 1e-9, `x = ${x}, (alpha, beta) = (${alpha}, ${beta}): ${fd} vs ${d}`);
      assert.equal(htafDerivative(-x, alpha, beta), d);
    }
  }
});

test('htafDerivative is stable in the tails: positive, no NaN, equal to exp(htafLogDerivative)', () => {
  for (const [alpha, beta] of [...PAIRS, [1e-3, 1e4], [50, 1e4]] as [number, number][]) {
    for (const x of [1, 10, 100, 300, 1e4]) {
      const d = htafDerivative(x, alpha, beta);
      const logD = htafLogDerivative(x, alpha, beta);
      assert.ok(Number.isFinite(logD), `log derivative at ${x}`);
      assert.ok(d >= 0 && !Number.isNaN(d));
      if (logD > -700) close(d, Math.exp(logD), 1e-12, `x = ${x}, (alpha, beta) = (${alpha}, ${beta})`);
      else assert.ok(d < 1e-300);
    }
  }
  // The textbook 1 − tanh² is exactly 0 from alpha*x ≈ 19 on; ours keeps the tail: at alpha*x = 40,
  // HTAF' = C·e^(−80) to within rounding.
  close(htafDerivative(20, 2, 11), tailConstant(2, 11) * Math.exp(-80), 1e-12, 'tail at alpha*x = 40');
});

test('Theorem 3.2(a): log HTAF\'(x) falls with slope -2 alpha in the tail, and equals log C - 2 alpha x', () => {
  for (const [alpha, beta] of PAIRS) {
    // The tail: alpha*x from 12 (there the tanh correction 2β·e^(−2αx) is below 1e-8) to 150.
    const xs = range(12 / alpha, 150 / alpha, 200);
    const logs = xs.map((x) => Math.log(htafDerivative(x, alpha, beta)));
    const { slope, intercept } = fitLine(xs, logs);
    close(slope, -2 * alpha, 1e-9, `fitted slope, (alpha, beta) = (${alpha}, ${beta})`);
    close(intercept, Math.log(tailConstant(alpha, beta)), 1e-8, 'fitted intercept = log C');
    for (let i = 0; i < xs.length; i++) {
      assert.ok(Math.abs(logs[i] - (Math.log(tailConstant(alpha, beta)) - 2 * alpha * xs[i])) < 1e-8, `log C - 2 alpha x at ${xs[i]}`);
      assert.equal(htafDerivative(-xs[i], alpha, beta), htafDerivative(xs[i], alpha, beta));
    }
  }
  // C = 4αβσ(β)σ(−β); its log stays finite where C underflows.
  close(tailConstant(2, 11), 4 * 2 * 11 * (1 / (1 + Math.exp(-11))) * (1 / (1 + Math.exp(11))), 1e-14, 'C(2, 11)');
  close(logTailConstant(2, 11), Math.log(tailConstant(2, 11)), 1e-14, 'log C');
  assert.ok(Number.isFinite(logTailConstant(1, 1e4)));
  // A small alpha gives the heavier tail at the same slope at zero (alpha*beta = 22).
  assert.ok(htafDerivative(3, 2, 11) > htafDerivative(3, 8, 2.75));
  assert.ok(htafDerivative(3, 8, 2.75) > htafDerivative(3, 11, 2));
});

test('HTAF\'/SS\' with gamma = alpha*beta: 1 at zero, grows like e^((alpha*beta - 2 alpha)|x|) (Figure 1c)', () => {
  for (const [alpha, beta] of PAIRS) {
    const gamma = alpha * beta;
    close(tailRatioVsScaledSigmoid(0, alpha, beta), 1, 1e-14, 'ratio at 0');
    close(scaledSigmoidDerivative(0, gamma), gamma / 4, 1e-15, 'SS\'(0)');
    // Where neither derivative underflows, the ratio is their quotient.
    for (const x of [0.1, 0.5, 1, 3]) {
      close(tailRatioVsScaledSigmoid(x, alpha, beta), htafDerivative(x, alpha, beta) / scaledSigmoidDerivative(x, gamma), 1e-11, `quotient at ${x}`);
    }
    // Tail: both factors are in their exponential regimes (alpha*x >= 12, gamma*x >= 12).
    const start = 12 / Math.min(alpha, gamma);
    const xs = range(start, start + 25, 100);
    const logs = xs.map((x) => logTailRatioVsScaledSigmoid(x, alpha, beta));
    for (let i = 0; i < xs.length; i++) {
      const r = tailRatioVsScaledSigmoid(xs[i], alpha, beta);
      if (logs[i] < 700) close(Math.log(r), logs[i], 1e-12, `ratio and its log at ${xs[i]}`);
      else if (logs[i] > Math.log(Number.MAX_VALUE)) assert.equal(r, Infinity, 'overflow is Infinity, not NaN');
    }
    const { slope, intercept } = fitLine(xs, logs);
    // (11, 2) has alpha*beta − 2 alpha = 0: its ratio levels off at C/gamma instead of growing.
    assert.ok(Math.abs(slope - (gamma - 2 * alpha)) <= 1e-9 * gamma, `growth rate, (alpha, beta) = (${alpha}, ${beta}): ${slope} vs ${gamma - 2 * alpha}`);
    close(intercept, Math.log(tailConstant(alpha, beta) / gamma), 1e-7, 'intercept = log(C/gamma)');
    for (const x of xs) assert.equal(logTailRatioVsScaledSigmoid(-x, alpha, beta), logTailRatioVsScaledSigmoid(x, alpha, beta), 'even');
  }
  // The paper's pair: at |x| = 10 the HTAF gradient is e^180-ish times the SS one, and no NaN where both underflow.
  assert.ok(tailRatioVsScaledSigmoid(10, 2, 11) > 1e70);
  assert.ok(!Number.isNaN(tailRatioVsScaledSigmoid(100, 2, 11)));
  assert.equal(tailRatioVsScaledSigmoid(100, 2, 11), Infinity, 'beyond float64 range, not NaN');
});

test('bad arguments: errors name the argument and the value', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => htafValue(NaN, 2, 11), /htafValue: x must be a finite number, got NaN/],
    [() => htafValue(Infinity, 2, 11), /htafValue: x must be a finite number, got Infinity/],
    [() => htafValue(1, 0, 11), /htafValue: alpha must be a finite number > 0, got 0/],
    [() => htafValue(1, 2, -1), /htafValue: beta must be a finite number > 0, got -1/],
    [() => htafDerivative(1, NaN, 11), /htafDerivative: alpha .* got NaN/],
    [() => htafDerivative('1' as unknown as number, 2, 11), /htafDerivative: x must be a finite number, got "1"$/],
    [() => slopeAtZero(2, Infinity), /slopeAtZero: beta .* got Infinity/],
    [() => tailConstant(-2, 11), /tailConstant: alpha .* got -2/],
    [() => scaledSigmoidDerivative(1, 0), /scaledSigmoidDerivative: gamma must be a finite number > 0, got 0/],
    [() => scaledSigmoidDerivative(NaN, 1), /scaledSigmoidDerivative: x .* got NaN/],
    [() => tailRatioVsScaledSigmoid(1, 2, 0), /tailRatioVsScaledSigmoid: beta .* got 0/],
    [() => logTailRatioVsScaledSigmoid(1, NaN, 2), /logTailRatioVsScaledSigmoid: alpha .* got NaN/],
  ];
  for (const [fn, message] of cases) assert.throws(fn, message);
});
