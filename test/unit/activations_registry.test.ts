// The activation registry: spec → module → spec round trips, canonical forms, the listing, and the errors
// for unknown names and bad values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApproxSign, BinaryActivation, GELU, HTAF, Heaviside, Identity, LeakyReLU, ReLU, STE, ScaledSigmoid, Sigmoid, SiLU, Tanh,
  activationFactory, activationHelp, activationSpec, canonicalActivationSpec, isRegisteredActivation, listActivations, parseActivation,
} from '../../src/index.js';

const CANONICAL = [
  'htaf:alpha=2,beta=11', 'htaf:alpha=0.05,beta=500', 'ss:gamma=22', 'ss:gamma=0.001', 'ste:sigmoid,k=4', 'ste:tanh,k=2',
  'ste:rect,a=1', 'ste:rect,a=0.25', 'heaviside', 'approxsign', 'relu', 'gelu', 'silu', 'tanh', 'sigmoid', 'identity',
  'sign:htaf:alpha=2,beta=11', 'sign:ss:gamma=3', 'sign:ste:tanh,k=1.5', 'sign:heaviside',
];

test('round trip: every canonical spec → module → the same spec', () => {
  for (const spec of CANONICAL) assert.equal(activationSpec(parseActivation(spec)), spec);
});

test('round trip: module → spec → a module with the same class and parameters', () => {
  const mods = [
    new HTAF(3, 7.5), new HTAF(2, 11, { signed: true }), new ScaledSigmoid(1e-7), new STE('rect', 0.3), new STE('tanh'),
    new STE('sigmoid', 1e21, { signed: true }), new Heaviside(), new ApproxSign(), new ReLU(), new GELU(), new SiLU(), new Tanh(), new Sigmoid(), new Identity(),
  ];
  for (const m of mods) {
    const spec = activationSpec(m);
    const back = parseActivation(spec);
    assert.equal(back.constructor, m.constructor, spec);
    assert.equal(String(back), String(m), spec);
    if (m instanceof BinaryActivation) assert.equal((back as BinaryActivation).signed, m.signed, spec);
  }
  assert.equal(activationSpec(new STE('sigmoid', 1e21)), 'ste:sigmoid,k=1e+21');
  assert.equal(activationSpec(new HTAF(0.1 + 0.2, 11)), 'htaf:alpha=0.30000000000000004,beta=11');
  assert.equal((parseActivation('htaf:alpha=0.30000000000000004') as HTAF).alpha, 0.1 + 0.2);
});

test('specs: defaults, order, case, spaces, both separators, keyed choice → the canonical form', () => {
  const cases: Array<[string, string]> = [
    ['htaf', 'htaf:alpha=2,beta=11'],
    ['htaf:beta=5', 'htaf:alpha=2,beta=5'],
    ['htaf:beta=5,alpha=3', 'htaf:alpha=3,beta=5'],
    ['htaf,alpha=3', 'htaf:alpha=3,beta=11'],
    [' HTAF : Alpha = 3 , BETA=1e1 ', 'htaf:alpha=3,beta=10'],
    ['ss', 'ss:gamma=22'],
    ['ste', 'ste:sigmoid,k=4'],
    ['ste:tanh', 'ste:tanh,k=2'],
    ['ste:rect', 'ste:rect,a=1'],
    ['ste:k=8', 'ste:sigmoid,k=8'],
    ['ste:surrogate=rect,a=.5', 'ste:rect,a=0.5'],
    ['ste:TANH,k=+3', 'ste:tanh,k=3'],
    ['sign:htaf', 'sign:htaf:alpha=2,beta=11'],
    ['SIGN: ste:rect', 'sign:ste:rect,a=1'],
    ['sign:approxsign', 'approxsign'],
    ['ReLU', 'relu'],
  ];
  for (const [spec, canonical] of cases) {
    assert.equal(activationSpec(parseActivation(spec)), canonical, spec);
    assert.equal(canonicalActivationSpec(spec), canonical, spec);
  }
});

test('parsed modules: classes, parameters, sign form, smooth mode', () => {
  const h = parseActivation('sign:htaf:alpha=1.5,beta=20') as HTAF;
  assert.ok(h instanceof HTAF);
  assert.deepEqual([h.alpha, h.beta, h.signed, h.mode], [1.5, 20, true, 'smooth']);
  const s = parseActivation('ste:rect,a=2') as STE;
  assert.deepEqual([s.surrogate, s.param, s.signed], ['rect', 2, false]);
  assert.ok(parseActivation('approxsign') instanceof ApproxSign);
  assert.ok(parseActivation('relu') instanceof ReLU);
  assert.notEqual(parseActivation('htaf'), parseActivation('htaf'));
});

test('bad specs raise errors that name the parameter and list what is allowed', () => {
  const NAMES = 'htaf, ss, ste, heaviside, approxsign, relu, gelu, silu, tanh, sigmoid, identity';
  const cases: Array<[unknown, RegExp | string]> = [
    ['foo', `activation spec "foo": unknown activation 'foo'; allowed: ${NAMES} (binary ones also as sign:<spec>)`],
    ['', `activation spec "": the activation name is missing; allowed: ${NAMES} (binary ones also as sign:<spec>)`],
    [':alpha=2', /the activation name is missing; allowed: htaf, ss/],
    ['sign:relu', `activation spec "sign:relu": 'sign:' applies to binary activations only (htaf, ss, ste, heaviside, approxsign); 'relu' is not one`],
    ['sign:sign:htaf', /unknown activation 'sign'; allowed: htaf/],
    ['htaf:alpha=0', `activation spec "htaf:alpha=0": alpha must be a finite number > 0; got '0'`],
    ['htaf:beta=-2', /beta must be a finite number > 0; got '-2'/],
    ['htaf:alpha=NaN', /alpha must be a finite number > 0; got 'NaN'/],
    ['htaf:alpha=Infinity', /alpha must be a finite number > 0; got 'Infinity'/],
    ['htaf:alpha=inf', /alpha must be a finite number > 0; got 'inf'/],
    ['htaf:alpha=1e400', /alpha must be a finite number > 0; got '1e400'/],
    ['htaf:alpha=0x10', /alpha must be a finite number > 0; got '0x10'/],
    ['htaf:alpha=two', /alpha must be a finite number > 0; got 'two'/],
    ['ss:gamma=', `activation spec "ss:gamma=": gamma is missing a value; write gamma=<a finite number > 0>`],
    ['ss:=3', /argument 1 \('=3'\) has no parameter name; parameters of ss: gamma/],
    ['htaf:gamma=3', `activation spec "htaf:gamma=3": unknown parameter 'gamma' for htaf; allowed: alpha, beta`],
    ['ste:x=1', /unknown parameter 'x' for ste; allowed: surrogate \(sigmoid, tanh, rect\), k \(sigmoid, tanh\), a \(rect\)/],
    ['htaf:2', /htaf takes no unnamed argument; got '2'; parameters: alpha=<number>, beta=<number>/],
    ['relu:1', /relu takes no unnamed argument; got '1'; parameters: none/],
    ['relu:alpha=1', /unknown parameter 'alpha' for relu; allowed: none/],
    ['ste:step', `activation spec "ste:step": surrogate must be one of sigmoid, tanh, rect; got 'step'`],
    ['ste:surrogate=', /surrogate is missing a value; allowed: sigmoid, tanh, rect/],
    ['ste:k=2,tanh', /the surrogate \('tanh'\) must come first/],
    ['ste:tanh,surrogate=rect', /surrogate is given twice/],
    ['ste:rect,k=2', `activation spec "ste:rect,k=2": parameter 'k' does not apply to surrogate rect; ste:rect takes a`],
    ['ste:a=1', /parameter 'a' does not apply to surrogate sigmoid; ste:sigmoid takes k/],
    ['ste:tanh,k=0', /k must be a finite number > 0; got '0'/],
    ['htaf:alpha=1,alpha=2', /alpha is given twice/],
    ['htaf:', /argument 1 is empty \(write 'htaf' alone for the defaults\)/],
    ['htaf:alpha=1,,beta=2', /argument 2 is empty/],
    [7, `parseActivation: an activation spec must be a string such as 'htaf:alpha=2,beta=11'; got 7`],
    [null, /must be a string .*; got null/],
  ];
  for (const [spec, want] of cases) {
    const re = typeof want === 'string' ? new RegExp(`^${want.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : want;
    assert.throws(() => parseActivation(spec as string), (err: Error) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, re, `spec ${JSON.stringify(spec)}`);
      return true;
    });
  }
  assert.throws(() => activationFactory('htaf:alpha=-1'), /alpha must be a finite number > 0/);
  assert.throws(() => canonicalActivationSpec('nope'), /unknown activation 'nope'/);
});

test('activationSpec: unregistered classes and subclasses have no spec', () => {
  assert.throws(() => activationSpec(new LeakyReLU()), /activationSpec: LeakyReLU is not a registered activation .*; registered: htaf, ss, ste/);
  class MyHTAF extends HTAF {}
  assert.throws(() => activationSpec(new MyHTAF()), /MyHTAF is not a registered activation/);
  assert.throws(() => activationSpec(new GELU({ approximate: 'tanh' })), /GELU\(approximate='tanh'\) has no spec/);
  assert.throws(() => activationSpec('htaf' as any), /activationSpec: expected an activation Module; got "htaf"/);
  assert.equal(isRegisteredActivation(new HTAF()), true);
  assert.equal(isRegisteredActivation(new MyHTAF()), false);
  assert.equal(isRegisteredActivation(new LeakyReLU()), false);
});

test('activationFactory: checked once, a fresh module per call', () => {
  const make = activationFactory('sign:ss:gamma=4');
  const a = make();
  const b = make();
  assert.notEqual(a, b);
  assert.equal(activationSpec(a), 'sign:ss:gamma=4');
  (a as ScaledSigmoid).mode = 'exact';
  assert.equal((b as ScaledSigmoid).mode, 'smooth');
});

test('listActivations: names, parameters, defaults, descriptions; every example parses to itself', () => {
  const list = listActivations();
  assert.deepEqual(list.map((a) => a.name), ['htaf', 'ss', 'ste', 'heaviside', 'approxsign', 'relu', 'gelu', 'silu', 'tanh', 'sigmoid', 'identity']);
  const by = Object.fromEntries(list.map((a) => [a.name, a]));
  assert.deepEqual(by.htaf.params.map((p) => [p.name, p.default]), [['alpha', 2], ['beta', 11]]);
  assert.deepEqual(by.ss.params.map((p) => [p.name, p.default]), [['gamma', 22]]);
  assert.deepEqual(by.ste.params[0].choices, ['sigmoid', 'tanh', 'rect']);
  assert.deepEqual(by.ste.params[1].defaults, { sigmoid: 4, tanh: 2 });
  assert.deepEqual(by.ste.params[2].only, ['rect']);
  assert.deepEqual(list.filter((a) => a.binary).map((a) => [a.name, a.signForm]), [['htaf', 'prefix'], ['ss', 'prefix'], ['ste', 'prefix'], ['heaviside', 'prefix'], ['approxsign', 'always']]);
  assert.equal(by.relu.signForm, 'none');
  for (const a of list) {
    assert.ok(a.description.length > 0 && !a.description.includes('\n'), a.name);
    assert.equal(activationSpec(parseActivation(a.example)), a.example);
  }
  assert.equal(by.ste.example, 'ste:sigmoid,k=4');
  // the listing is a copy: editing it changes nothing
  by.htaf.params[0].default = 99;
  assert.equal(listActivations()[0].params[0].default, 2);
  const help = activationHelp();
  for (const a of list) assert.ok(help.includes(a.example), a.example);
  assert.match(help, /sign:<spec>/);
  assert.match(help, /k: number > 0, default 4 \(sigmoid\), 2 \(tanh\)/);
});
