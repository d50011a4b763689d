// The one fit loop (src/train/fit.ts) on its own: hooks in order, the selection rule (a NaN value never
// wins; the best epoch's weights are left in the model), patience, a NaN loss stopping before its step,
// and a checkpointed fit resumed to the same weights through the run state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linear, SGD, fit, improves, bestIndex, manualSeed, memory, mseLoss, RunState, tensor, tidy, type Tensor } from '../../src/index.js';

const X = [[1, 0], [0, 1], [1, 1], [2, 1]];
const Y = [[1], [2], [3], [4]];

function setup() {
  manualSeed(0);
  const model = new Linear(2, 1);
  const optimizer = new SGD(model.parameters(), { lr: 0.05 });
  const x = tensor(X).keep();
  const y = tensor(Y).keep();
  return { model, optimizer, x, y, dispose: () => { x.dispose(); y.dispose(); optimizer.dispose(); model.dispose(); } };
}

const weightsOf = (m: Linear) => tidy(() => [...(m.weight.toFlatArray() as number[]), ...(m.bias!.toFlatArray() as number[])]);

test('selection rule: NaN never wins, ties keep the first, direction is respected', () => {
  assert.equal(improves(NaN, null, true), false);
  assert.equal(improves(0.5, null, true), true);
  assert.equal(improves(0.5, NaN, false), true);
  assert.equal(improves(0.5, 0.5, true), false);
  assert.equal(improves(0.4, 0.5, false), true);
  assert.equal(bestIndex([NaN, 0.7, 0.9, 0.9, NaN], true), 2);
  assert.equal(bestIndex([3, 1, 2], false), 1);
});

test('fit: hooks in order, the best epoch (by the selection rule) left in the model, patience stops the run', async () => {
  const live = memory().liveTensors;
  const s = setup();
  try {
    const calls: string[] = [];
    const values = [0.5, NaN, 0.9, 0.8, 0.7, 0.6]; // epoch 3 wins; NaN at epoch 2 never does
    const snapshots = new Map<number, number[]>();
    const { state } = await fit<number, { epoch: number; loss: number }>({
      model: s.model, optimizer: s.optimizer, epochs: 6, select: { higherIsBetter: true, patience: 2 },
      batches: () => [0, 1],
      forward: () => ({ loss: mseLoss(s.model.call(s.x), s.y), rows: 4 }),
      evaluate: (t) => {
        snapshots.set(t.epoch, weightsOf(s.model));
        return { record: { epoch: t.epoch, loss: t.lossSum / t.rows }, value: values[t.epoch - 1] };
      },
      hooks: {
        start: (_st, resumed) => calls.push(`start ${resumed}`),
        epochStart: (e) => calls.push(`epoch ${e}`),
        beforeForward: (_b, e, i) => calls.push(`forward ${e}.${i}`),
        afterBackward: (_b, e, i) => calls.push(`backward ${e}.${i}`),
        batchEnd: () => calls.push('end'),
        epochDone: ({ epoch, improved }) => calls.push(`done ${epoch}${improved ? ' *' : ''}`),
      },
    });
    assert.deepEqual(calls.slice(0, 8), ['start false', 'epoch 1', 'forward 1.0', 'backward 1.0', 'end', 'forward 1.1', 'backward 1.1', 'end']);
    assert.deepEqual(calls.filter((c) => c.startsWith('done')), ['done 1 *', 'done 2', 'done 3 *', 'done 4', 'done 5']);
    assert.equal(state.finished, 'early-stop');
    assert.equal(state.bestEpoch, 3);
    assert.equal(state.best, 0.9);
    assert.equal(state.history.length, 5);
    assert.deepEqual(weightsOf(s.model), snapshots.get(3), 'the best epoch\'s weights are in the model');
  } finally {
    s.dispose();
  }
  assert.equal(memory().liveTensors, live, 'no tensor left behind');
});

test('fit: a NaN loss stops before its step; the initial weights stay when no epoch won', async () => {
  const s = setup();
  try {
    const initial = weightsOf(s.model);
    let stepped = 0;
    const { state } = await fit<number, unknown>({
      model: s.model, optimizer: s.optimizer, epochs: 3, select: { higherIsBetter: true },
      batches: () => [0],
      forward: () => ({ loss: mseLoss(s.model.call(s.x), s.y).mul(NaN) as Tensor, rows: 4 }),
      evaluate: () => assert.fail('no epoch finishes'),
      nanRecord: (epoch, batch) => ({ batch, why: `epoch ${epoch}` }),
      hooks: { afterBackward: () => stepped++ },
    });
    assert.equal(stepped, 0, 'no backward on a NaN loss');
    assert.equal(state.finished, 'nan');
    assert.deepEqual(state.stoppedOnNaN, { epoch: 1, batch: 1, why: 'epoch 1' });
    assert.deepEqual(weightsOf(s.model), initial);
  } finally {
    s.dispose();
  }
});

test('fit: checkpointed through the run state, stopped after epoch 2 and resumed, ends with the uninterrupted weights', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'htaf-fit-'));
  const ran: number[] = [];
  const run = async (epochs: number, resume: boolean, path?: string, stopAfter?: number) => {
    ran.length = 0;
    const s = setup();
    try {
      const runState = path === undefined ? undefined : new RunState<{ lr: number }, number>(path, { owner: 'fit test', kind: 'fit-test', version: 1, config: { lr: 0.05 }, configKeys: ['lr'] });
      await fit<number, number>({
        model: s.model, optimizer: s.optimizer, epochs, runState, resume, select: { higherIsBetter: false },
        batches: () => [0],
        forward: () => ({ loss: mseLoss(s.model.call(s.x), s.y), rows: 4 }),
        evaluate: (t) => ({ record: t.lossSum, value: t.lossSum }),
        hooks: { epochStart: (e) => ran.push(e), epochDone: ({ epoch }) => { if (epoch === stopAfter) throw new Error('interrupted'); } },
      });
      return weightsOf(s.model);
    } finally {
      s.dispose();
    }
  };
  try {
    const whole = await run(5, false);
    const path = join(dir, 'checkpoint.safetensors');
    await assert.rejects(run(5, false, path, 2), /interrupted/); // stopped once epoch 2's checkpoint was written
    assert.deepEqual(await run(5, true, path), whole);
    assert.deepEqual(ran, [3, 4, 5], 'the resumed fit ran only the epochs after the checkpoint');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
