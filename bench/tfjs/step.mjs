#!/usr/bin/env node
// The TypeScript incumbents on the benchmark MLP: TensorFlow.js with its pure-JS ('cpu') or WASM backend.
// Linear(45,256)-ReLU-Linear(256,256)-ReLU-Linear(256,128)-ReLU-Linear(128,1), MSE, Adam 1e-3.
// Usage: node bench/tfjs/step.mjs --backend cpu|wasm --batch 256 --steps 20 [--warmup 3]
// Prints one JSON line with ms_per_step (median).
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' },
    batch: { type: 'string', default: '256' },
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
  },
});
const batch = Number(values.batch);
const steps = Number(values.steps);
const warmup = Number(values.warmup);

if (values.backend === 'wasm') {
  const require = createRequire(import.meta.url);
  setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
}
await tf.setBackend(values.backend);
await tf.ready();

const sizes = [45, 256, 256, 128, 1];
const params = [];
for (let i = 0; i < sizes.length - 1; i++) {
  const bound = 1 / Math.sqrt(sizes[i]);
  params.push(tf.variable(tf.randomUniform([sizes[i], sizes[i + 1]], -bound, bound)));
  params.push(tf.variable(tf.randomUniform([sizes[i + 1]], -bound, bound)));
}
const x = tf.randomNormal([batch, 45]);
const y = tf.randomNormal([batch, 1]);
const optimizer = tf.train.adam(1e-3);

function loss() {
  let h = x;
  for (let i = 0; i < params.length; i += 2) {
    h = tf.add(tf.matMul(h, params[i]), params[i + 1]);
    if (i < params.length - 2) h = tf.relu(h);
  }
  return tf.losses.meanSquaredError(y, h);
}

const times = [];
for (let s = 0; s < warmup + steps; s++) {
  const t0 = process.hrtime.bigint();
  const l = optimizer.minimize(loss, true);
  await l.data();
  l.dispose();
  if (s >= warmup) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(JSON.stringify({ impl: `tfjs-${values.backend}`, model: 'mlp', activation: 'relu', batch, steps, ms_per_step: median, stat: 'median', tfjs: tf.version.tfjs }));
