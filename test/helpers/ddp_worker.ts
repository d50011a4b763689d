// A training worker for the distributed tests (test/unit/ddp.test.ts): trains a tiny conv net on the
// quadrant images with trainImageModel, as one process or as a rank of a group (torchrun's variables,
// HTAF_STORE), and writes the trained weights to $OUT as JSON (rank 0, or the single process).
// $MODEL: 'plain' (no batch norm) or 'bn' (batch norm, synchronized when distributed). $BATCH: per-process batch.
// $DIE_AT_BATCH: rank $DIE_RANK kills itself with SIGKILL at that batch of epoch $DIE_EPOCH (failure tests).
import { writeFileSync } from 'node:fs';
import { BatchNorm2d, Conv2d, Flatten, Linear, Module, ReLU, Sequential } from '../../src/index.js';
import { initProcessGroup, destroyProcessGroup } from '../../src/distributed/process_group.js';
import { workerEnvironment } from '../../src/distributed/launch.js';
import { trainImageModel } from '../../src/train/image_trainer.js';
import { setNumThreads } from '../../src/core/runtime.js';
import { quadrants } from './images.js';

setNumThreads(1);
const withBn = process.env.MODEL === 'bn';
const who = workerEnvironment();
const group = who && who.worldSize > 1 ? initProcessGroup({ backend: 'gloo' }) : undefined;
let model: Module | undefined;
const dieAt = process.env.DIE_AT_BATCH ? Number(process.env.DIE_AT_BATCH) : 0;
const create = () => (model = new Sequential(
  new Conv2d(1, 4, 3, { padding: 1 }),
  ...(withBn ? [new BatchNorm2d(4)] : []),
  new ReLU(),
  new Flatten(),
  new Linear(4 * 64, 4),
));
let weights: Record<string, number[]> = {};
const r = await trainImageModel(
  { model: { kind: 'dhn', method: 'htaf', depth: 10, width: 1, baseWidth: 8 }, epochs: Number(process.env.EPOCHS ?? 2), batch: Number(process.env.BATCH), lr: 0.05, optimizer: 'sgd', momentum: 0.9, schedule: 'constant', seed: 3, preciseBn: 0, valFraction: 0.1 },
  { train: quadrants(Number(process.env.IMAGES ?? 178), 1, 'train'), test: quadrants(40, 2, 'test') },
  {
    prefetch: false, createModel: create, outDir: process.env.RUN_DIR, resume: process.env.RESUME === '1',
    ...(group ? { distributed: { group, syncBatchNorm: withBn && process.env.SYNC_BN !== '0' } } : {}),
    onEvent(e) {
      if (e.kind === 'batch' && dieAt && e.batch === dieAt && e.epoch === Number(process.env.DIE_EPOCH ?? 1) && who?.rank === Number(process.env.DIE_RANK ?? 1)) {
        process.stderr.write(`worker rank ${who?.rank}: dying at batch ${e.batch}\n`);
        process.kill(process.pid, 'SIGKILL');
      }
      if (e.kind === 'evaluate' && e.part === 'test') {
        weights = Object.fromEntries([...model!.stateDict()].map(([k, t]) => [k, Array.from(t.toTypedArray() as ArrayLike<number | bigint>, Number)]));
      }
    },
  },
);
if (!who || who.rank === 0) writeFileSync(process.env.OUT!, JSON.stringify({ weights, bestEpoch: r.bestEpoch, history: r.history.map((h) => ({ trainLoss: h.trainLoss, valAccuracy: h.valAccuracy })), test: r.test.accuracy }));
if (group) destroyProcessGroup(group);
