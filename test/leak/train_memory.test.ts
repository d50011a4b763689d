// A long training run must hold a flat resident memory (DEVELOPERS: memory across the boundary):
// 5,000 Adam steps of the benchmark MLP keep RSS within 50 MB of what it was after 500 steps, and
// leave no native tensor behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, manualSeed, memory, mseLoss, randn, tidy } from '../../src/index.js';
import { benchmarkMlp } from '../../src/bench/step.js';

const rssMb = () => process.memoryUsage.rss() / 2 ** 20;

test('5,000 Adam steps of the HTAF MLP hold a flat resident memory', () => {
  manualSeed(0);
  const liveBefore = memory().liveTensors;
  const model = benchmarkMlp('htaf');
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const x = randn([256, 45]).keep();
  const y = randn([256, 1]).keep();
  const step = () =>
    tidy(() => {
      optimizer.zeroGrad();
      const loss = mseLoss(model.call(x), y);
      loss.backward();
      optimizer.step();
    });
  for (let s = 0; s < 500; s++) step();
  const liveAt500 = memory().liveTensors;
  const rssAt500 = rssMb();
  for (let s = 500; s < 5000; s++) step();
  const rssAt5000 = rssMb();
  assert.equal(memory().liveTensors, liveAt500, 'native tensors alive after 5,000 steps vs after 500');
  assert.ok(rssAt5000 - rssAt500 < 50, `RSS grew from ${rssAt500.toFixed(1)} MB to ${rssAt5000.toFixed(1)} MB`);
  optimizer.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
  assert.equal(memory().liveTensors, liveBefore, 'every tensor of the run is freed');
});
