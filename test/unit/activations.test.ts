// Binary activation modules: values and gradients against float64 references (docs/method.md §1), the exact and
// sign forms, the composed fallbacks against the fused ops, and argument errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApproxSign, BinaryActivation, HTAF, Heaviside, STE, ScaledSigmoid, heavisideStep, memory, randn, tensor, tidy, type Tensor, type DType,
} from '../../src/index.js';
import { htafComposed } from '../../src/activations/htaf.js';
import { htafDerivative as htafSlope, htafValue } from '../../src/theory/theorem32.js';
import { scaledSigmoidComposed, scaledSigmoidSlope } from '../../src/activations/scaled_sigmoid.js';
import { steComposed, surrogateSlope, type SurrogateKind } from '../../src/activations/ste.js';
import { approxSignSlope } from '../../src/activations/approx_sign.js';

const XS = [-1e4, -30, -3, -1, -0.75, -0.5, -0.26, -0.1, -1e-3, 0, 1e-3, 0.1, 0.26, 0.5, 0.75, 0.999, 1, 3, 30, 1e4];

/** f(x) and df/dx at each point (float64 by default), with f a function of a tensor. */
function valueAndGrad(f: (x: Tensor) => Tensor, xs: number[], dtype: DType = 'float64'): { y: number[]; g: number[]; requiresGrad: boolean } {
  return tidy(() => {
    const x = tensor(xs, { dtype, requiresGrad: true });
    const y = f(x);
    const requiresGrad = y.requiresGrad;
    if (requiresGrad) y.sum().backward();
    const g = x.grad === null ? xs.map(() => 0) : x.grad.toFlatArray();
    return { y: y.toFlatArray(), g, requiresGrad };
  });
}

function assertNear(actual: number[], expected: number[], rtol: number, atol: number, what: string): void {
  actual.forEach((a, i) => {
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what} at x=${XS[i] ?? i}: got ${a}, expected ${e}`);
  });
}

test('HTAF(0) = 1/2 exactly, for every (alpha, beta), float32 and float64, fused and composed', () => {
  for (const [a, b] of [[2, 11], [8, 2.75], [11, 2], [0.01, 5000], [1e3, 1e4]]) {
    for (const dtype of ['float32', 'float64'] as const) {
      const m = new HTAF(a, b);
      assert.deepEqual(valueAndGrad((x) => m.call(x), [0], dtype).y, [0.5]);
      assert.deepEqual(valueAndGrad((x) => htafComposed(x, a, b), [0], dtype).y, [0.5]);
    }
  }
});

test("HTAF's slope at 0 equals alpha*beta/4 (central finite differences and autograd)", () => {
  for (const [a, b] of [[2, 11], [8, 2.75], [11, 2], [0.5, 3], [1, 1], [0.05, 500]]) {
    const m = new HTAF(a, b);
    const h = 1e-6;
    const { y, g } = valueAndGrad((x) => m.call(x), [-h, 0, h]);
    const fd = (y[2] - y[0]) / (2 * h);
    const want = (a * b) / 4;
    assert.ok(Math.abs(fd - want) <= 1e-6 * want, `HTAF(${a}, ${b}): finite difference ${fd}, alpha*beta/4 = ${want}`);
    assert.ok(Math.abs(g[1] - want) <= 1e-12 * want, `HTAF(${a}, ${b}): autograd ${g[1]}, alpha*beta/4 = ${want}`);
  }
});

test('HTAF and SS: values and gradients match the float64 formulas and finite differences', () => {
  const cases: Array<[string, BinaryActivation, (x: number) => number, (x: number) => number]> = [
    ['HTAF(2, 11)', new HTAF(2, 11), (x) => htafValue(x, 2, 11), (x) => htafSlope(x, 2, 11)],
    ['HTAF(0.3, 40)', new HTAF(0.3, 40), (x) => htafValue(x, 0.3, 40), (x) => htafSlope(x, 0.3, 40)],
    ['SS(22)', new ScaledSigmoid(22), (x) => 1 / (1 + Math.exp(-22 * x)), (x) => scaledSigmoidSlope(x, 22)],
    ['SS(3)', new ScaledSigmoid(3), (x) => 1 / (1 + Math.exp(-3 * x)), (x) => scaledSigmoidSlope(x, 3)],
  ];
  for (const [name, m, f, df] of cases) {
    const { y, g } = valueAndGrad((x) => m.call(x), XS);
    assertNear(y, XS.map(f), 1e-12, 1e-300, `${name} value`);
    assertNear(g, XS.map(df), 1e-9, 1e-300, `${name} gradient`);
    // finite differences where the function is smooth on the scale of h
    const h = 1e-6;
    const pts = [-0.5, -0.1, 0, 0.05, 0.3];
    const plus = valueAndGrad((x) => m.call(x), pts.map((p) => p + h)).y;
    const minus = valueAndGrad((x) => m.call(x), pts.map((p) => p - h)).y;
    const grads = valueAndGrad((x) => m.call(x), pts).g;
    pts.forEach((p, i) => {
      const fd = (plus[i] - minus[i]) / (2 * h);
      assert.ok(Math.abs(fd - grads[i]) <= 1e-5 * Math.max(1, Math.abs(grads[i])), `${name} at ${p}: finite difference ${fd}, autograd ${grads[i]}`);
    });
  }
});

test('STE: forward is exactly H(x) (H(0) = 1), backward the surrogate with its default parameter', () => {
  const H = XS.map((x) => (x >= 0 ? 1 : 0));
  const cases: Array<[SurrogateKind, number | undefined, number]> = [['sigmoid', undefined, 4], ['tanh', undefined, 2], ['rect', undefined, 1], ['sigmoid', 10, 10], ['rect', 0.5, 0.5]];
  for (const [kind, given, param] of cases) {
    const m = new STE(kind, given);
    assert.equal(m.param, param);
    for (const dtype of ['float32', 'float64'] as const) {
      const { y, g } = valueAndGrad((x) => m.call(x), XS, dtype);
      assert.deepEqual(y, H, `STE ${kind} forward (${dtype})`);
      assertNear(g, XS.map((x) => surrogateSlope(kind, param, x)), dtype === 'float32' ? 1e-5 : 1e-12, 1e-7, `STE ${kind} gradient (${dtype})`);
    }
  }
});

test('ApproxSign: forward exactly sign(x) with sign(0) = +1; backward 2 + 2x on [-1, 0), 2 - 2x on [0, 1), else 0', () => {
  const m = new ApproxSign();
  const pts = [...XS, -1, -0.999, 0.5, -0.25, 1];
  for (const dtype of ['float32', 'float64'] as const) {
    const { y, g } = valueAndGrad((x) => m.call(x), pts, dtype);
    assert.deepEqual(y, pts.map((x) => (x >= 0 ? 1 : -1)), `ApproxSign forward (${dtype})`);
    pts.forEach((x, i) => {
      const want = approxSignSlope(x);
      assert.ok(Math.abs(g[i] - want) <= 1e-6 * Math.max(1, want), `ApproxSign gradient at ${x} (${dtype}): got ${g[i]}, expected ${want}`);
    });
  }
  assert.equal(approxSignSlope(-0.5), 1);
  assert.equal(approxSignSlope(0), 2);
  assert.equal(approxSignSlope(0.5), 1);
  assert.equal(approxSignSlope(1), 0);
  assert.equal(approxSignSlope(-1.5), 0);
  assert.equal(m.signed, true);
  assert.throws(() => new ApproxSign({ signed: false }), /ApproxSign: signed must be true/);
});

test('sign forms: 2*f - 1 forward, 2*f\' backward', () => {
  const pairs: Array<[string, BinaryActivation, BinaryActivation]> = [
    ['HTAF', new HTAF(2, 11), new HTAF(2, 11, { signed: true })],
    ['SS', new ScaledSigmoid(5), new ScaledSigmoid(5, { signed: true })],
    ['STE tanh', new STE('tanh'), new STE('tanh', undefined, { signed: true })],
    ['STE rect', new STE('rect', 2), new STE('rect', 2, { signed: true })],
  ];
  for (const [name, plain, signed] of pairs) {
    const p = valueAndGrad((x) => plain.call(x), XS);
    const s = valueAndGrad((x) => signed.call(x), XS);
    assertNear(s.y, p.y.map((v) => 2 * v - 1), 1e-15, 1e-15, `${name} signed value`);
    assertNear(s.g, p.g.map((v) => 2 * v), 1e-15, 0, `${name} signed gradient`);
  }
  const sh = valueAndGrad((x) => new Heaviside({ signed: true }).call(x), XS);
  assert.deepEqual(sh.y, XS.map((x) => (x >= 0 ? 1 : -1)));
});

test("'exact' mode: every binary activation is H(x) (or 2H(x) - 1 when signed), without gradient", () => {
  const mods: BinaryActivation[] = [new HTAF(), new ScaledSigmoid(), new STE(), new STE('rect'), new Heaviside(), new ApproxSign()];
  const xs = [-2, -0.3, -1e-30, 0, 1e-30, 0.3, 2, NaN];
  for (const m of mods) {
    assert.equal(m.mode, 'smooth');
    m.mode = 'exact';
    for (const dtype of ['float32', 'float64'] as const) {
      const r = valueAndGrad((x) => m.call(x), xs, dtype);
      const want = xs.map((x) => (x >= 0 ? 1 : m.signed ? -1 : 0));
      assert.deepEqual(r.y, want, `${m.constructor.name} exact (${dtype})`);
      assert.equal(r.requiresGrad, false, `${m.constructor.name} exact carries no gradient`);
    }
    assert.equal(m.setMode('smooth'), m);
  }
  // Heaviside has no gradient in smooth mode either
  assert.equal(valueAndGrad((x) => new Heaviside().call(x), xs).requiresGrad, false);
  tidy(() => {
    const x = tensor([-1, 0, 1], { dtype: 'float64' });
    assert.deepEqual(heavisideStep(x).toFlatArray(), [0, 1, 1]);
    assert.equal(heavisideStep(x).dtype, 'float64');
    assert.deepEqual(heavisideStep(x, true).toFlatArray(), [-1, 1, 1]);
  });
});

test('composed fallbacks (other devices and dtypes) equal the fused ops in value and gradient', () => {
  const pts = XS.filter((x) => Math.abs(x) <= 3);
  const cases: Array<[string, (x: Tensor) => Tensor, (x: Tensor) => Tensor]> = [
    ['htaf', (x) => new HTAF(2, 11).call(x), (x) => htafComposed(x, 2, 11)],
    ['ss', (x) => new ScaledSigmoid(7).call(x), (x) => scaledSigmoidComposed(x, 7)],
    ['ste sigmoid', (x) => new STE('sigmoid', 4).call(x), (x) => steComposed(x, 'sigmoid', 4)],
    ['ste tanh', (x) => new STE('tanh', 2).call(x), (x) => steComposed(x, 'tanh', 2)],
    ['ste rect', (x) => new STE('rect', 1).call(x), (x) => steComposed(x, 'rect', 1)],
  ];
  for (const [name, fused, composed] of cases) {
    const a = valueAndGrad(fused, pts);
    const b = valueAndGrad(composed, pts);
    assertNear(b.y, a.y, 1e-12, 1e-15, `${name} composed value`);
    assertNear(b.g, a.g, 1e-9, 1e-12, `${name} composed gradient`);
  }
});

test('activation modules have no parameters or state; summaries show parameters, sign and mode', () => {
  const m = new HTAF(2, 11, { signed: true, mode: 'exact' });
  assert.equal([...m.parameters()].length, 0);
  assert.equal(tidy(() => m.stateDict().size), 0);
  assert.equal(String(m), 'HTAF(alpha=2, beta=11, signed, mode=exact)');
  assert.equal(String(new ScaledSigmoid()), 'ScaledSigmoid(gamma=22, mode=smooth)');
  assert.equal(String(new STE('rect')), "STE(surrogate='rect', a=1, mode=smooth)");
  assert.equal(String(new Heaviside()), 'Heaviside(mode=smooth)');
});

test('constructor and mode errors name the parameter and what is allowed', () => {
  assert.throws(() => new HTAF(0), /^Error: HTAF: alpha must be a finite number > 0; got 0$/);
  assert.throws(() => new HTAF(2, NaN), /HTAF: beta must be a finite number > 0; got NaN/);
  assert.throws(() => new HTAF(2, Infinity), /HTAF: beta must be a finite number > 0; got Infinity/);
  assert.throws(() => new HTAF('2' as any), /HTAF: alpha must be a finite number > 0; got "2"/);
  assert.throws(() => new ScaledSigmoid(-1), /ScaledSigmoid: gamma must be a finite number > 0; got -1/);
  assert.throws(() => new STE('step' as any), /STE: surrogate must be one of 'sigmoid', 'tanh', 'rect'; got "step"/);
  assert.throws(() => new STE('rect', 0), /STE: a \(the rect surrogate's parameter\) must be a finite number > 0; got 0/);
  assert.throws(() => new STE('tanh', -2), /STE: k \(the tanh surrogate's parameter\) must be a finite number > 0/);
  assert.throws(() => new HTAF(2, 11, { mod: 'exact' } as any), /HTAF: unknown option 'mod'; allowed: mode, signed/);
  assert.throws(() => new HTAF(2, 11, { mode: 'hard' as any }), /HTAF: mode must be 'smooth' or 'exact'; got "hard"/);
  assert.throws(() => new Heaviside({ signed: 1 as any }), /Heaviside: signed must be true or false; got 1/);
  const m = new HTAF();
  assert.throws(() => {
    m.mode = 'step' as any;
  }, /HTAF.mode: mode must be 'smooth' or 'exact'; got "step"/);
  assert.equal(m.mode, 'smooth');
  assert.throws(() => m.forward([1, 2] as any), /HTAF.forward: input must be a Tensor; got \[1, 2\]$/);
});

test('forward and backward in every mode and form free their intermediates', () => {
  const mods: BinaryActivation[] = [
    new HTAF(), new HTAF(2, 11, { signed: true }), new ScaledSigmoid(), new STE('tanh'), new STE('rect', 1, { signed: true }), new Heaviside(), new ApproxSign(),
  ];
  const x = randn([8, 8]).requiresGrad_(true).keep();
  try {
    const step = () =>
      tidy(() => {
        for (const m of mods) {
          for (const mode of ['smooth', 'exact'] as const) {
            m.mode = mode;
            const y = m.call(x).mul(x);
            y.sum().backward();
          }
        }
        for (const f of [(t: Tensor) => htafComposed(t, 2, 11), (t: Tensor) => steComposed(t, 'rect', 1)]) f(x).sum().backward();
        x.zeroGrad();
      });
    step();
    const base = memory().liveTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(memory().liveTensors, base);
  } finally {
    x.dispose();
  }
});
