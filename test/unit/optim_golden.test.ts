// Optimizers and LR schedules against PyTorch 1.13: test/golden/fixtures/optim.json, written by
// /usr/bin/python3 tools/golden/optim_fixtures.py (Debian's python3-torch, the libtorch we bind).
//
// Optimizer cases: float32 parameters get the fixture's gradients before each of 3 steps (null: no
// gradient, so the parameter is skipped) and must match PyTorch's values after every step, and the
// state dict after the last one. Tolerance |got − want| <= 1e-6 + 1e-5·|want|: the native step runs the
// same float32 kernels in the same order as PyTorch's single-tensor code, so any larger gap is a bug.
//
// Schedule cases: every group's lr after construction and after each step() against PyTorch's own
// (recursive) schedulers, to 1e-12 relative: htaf uses closed forms, which differ only by rounding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Adam, AdamW, CosineAnnealingLR, LinearLR, MultiStepLR, SequentialLR, SGD, StepLR, Tensor, tensor, tidy,
  type LRScheduler, type NestedArray, type Optimizer,
} from '../../src/index.js';
import { diffArrays } from '../helpers/compare.js';

type Nested = number | Nested[];

interface OptimizerCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  options: Record<string, unknown>;
  params: Nested[];
  grads: (Nested | null)[][];
  after: Nested[][];
  state: Record<string, Record<string, Nested>>;
  groups?: ({ params: number[] } & Record<string, unknown>)[];
}

interface ScheduleSpec {
  scheduler: string;
  options?: Record<string, unknown>;
  schedulers?: ScheduleSpec[];
  milestones?: number[];
}

interface ScheduleCase extends ScheduleSpec {
  name: string;
  lrs: number[];
  expected: number[][];
}

// The fixtures live in the source tree; this file runs from dist/test/unit/.
function fixturePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', 'golden', 'fixtures', 'optim.json');
    try {
      readFileSync(candidate);
      return candidate;
    } catch { /* keep looking */ }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('optim_golden.test: cannot find test/golden/fixtures/optim.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

const fixture = JSON.parse(readFileSync(fixturePath(), 'utf8')) as { optimizers: OptimizerCase[]; schedules: ScheduleCase[] };

function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

function assertValuesClose(got: number[], want: number[], atol: number, rtol: number, what: string): void {
  const r = diffArrays(got, want, atol, rtol);
  assert.ok(r.ok, `${what}: ${r.failures} element(s) off, max |diff| ${r.maxAbsDiff}, worst at ${r.worst}: got ${got[r.worst]}, want ${want[r.worst]}`);
}

function makeOptimizer(c: OptimizerCase, params: Tensor[]): Optimizer<{ lr: number }> {
  const ctor = { SGD, Adam, AdamW }[c.optimizer] as unknown as new (p: unknown, o: unknown) => Optimizer<{ lr: number }>;
  if (!c.groups) return new ctor(params, c.options);
  return new ctor(c.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) })), c.options);
}

for (const c of fixture.optimizers) {
  test(`optimizer ${c.name} matches PyTorch for ${c.grads.length} steps`, () => {
    const params = c.params.map((v) => tensor(v as NestedArray, { requiresGrad: true }).keep());
    const opt = makeOptimizer(c, params);
    try {
      c.grads.forEach((stepGrads, step) => {
        tidy(() => {
          params.forEach((p, i) => {
            const g = stepGrads[i];
            if (g === null) p.zeroGrad();
            else p.grad = tensor(g as NestedArray);
          });
          opt.step();
        });
        params.forEach((p, i) => {
          assertValuesClose(p.toFlatArray(), flat(c.after[step][i]), 1e-6, 1e-5, `${c.name} step ${step + 1} param ${i}`);
        });
      });
      tidy(() => {
        const { state } = opt.stateDict();
        assert.deepEqual(Object.keys(state).sort(), Object.keys(c.state).sort(), `${c.name}: parameters with state`);
        for (const [index, want] of Object.entries(c.state)) {
          const got = state[Number(index)];
          assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${c.name}: state[${index}] keys`);
          for (const [k, v] of Object.entries(want)) {
            const g = got[k];
            // step is a count; everything else a tensor (a 0-dim one's values look like a bare number).
            if (k === 'step') assert.equal(g, v, `${c.name}: state[${index}].${k}`);
            else assertValuesClose((g as Tensor).toFlatArray(), flat(v), 1e-6, 1e-5, `${c.name}: state[${index}].${k}`);
          }
        }
      });
    } finally {
      opt.dispose();
      for (const p of params) p.dispose();
    }
  });
}

function makeScheduler(opt: SGD, spec: ScheduleSpec): LRScheduler {
  const o = spec.options as never;
  switch (spec.scheduler) {
    case 'StepLR': return new StepLR(opt, o);
    case 'MultiStepLR': return new MultiStepLR(opt, o);
    case 'CosineAnnealingLR': return new CosineAnnealingLR(opt, o);
    case 'LinearLR': return new LinearLR(opt, o);
    case 'SequentialLR':
      return new SequentialLR(opt, { schedulers: spec.schedulers!.map((s) => makeScheduler(opt, s)), milestones: spec.milestones! });
    default: throw new Error(`unknown scheduler ${spec.scheduler}`);
  }
}

for (const c of fixture.schedules) {
  test(`schedule ${c.name} matches PyTorch for ${c.expected.length - 1} steps`, () => {
    const params = c.lrs.map(() => tensor([0], { requiresGrad: true }).keep());
    const opt = new SGD(params.map((p, i) => ({ params: [p], lr: c.lrs[i] })));
    try {
      const sched = makeScheduler(opt, c);
      c.expected.forEach((want, epoch) => {
        if (epoch > 0) {
          opt.step();
          sched.step();
        }
        assert.equal(sched.lastEpoch, epoch);
        assertValuesClose(sched.getLastLr(), want, 1e-15, 1e-12, `${c.name} epoch ${epoch} getLastLr()`);
        assertValuesClose(opt.paramGroups.map((g) => g.lr), want, 1e-15, 1e-12, `${c.name} epoch ${epoch} group lr`);
      });
    } finally {
      opt.dispose();
      for (const p of params) p.dispose();
    }
  });
}
