// SyncBatchNorm as an option (docs/distributed.md): convertSyncBatchNorm(module) makes every BatchNorm1d /
// BatchNorm2d of the module normalize, in training, with the batch statistics over all ranks (the global
// batch), as PyTorch's nn.SyncBatchNorm.convert_sync_batchnorm. The default stays per-rank statistics, as
// PyTorch's DDP. The sum across ranks is one c10d all-reduce per layer in forward and one in backward.
import { N } from '../core/native.js';
import { Tensor } from '../tensor/tensor.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/batchnorm.js';
import type { Module } from '../nn/module.js';
import { defaultProcessGroup, type ProcessGroup } from './process_group.js';

/** A sum across the group's ranks that autograd differentiates (backward sums the gradients too). */
export function allReduceWithGrad(t: Tensor, group: ProcessGroup = defaultProcessGroup()): Tensor {
  return new Tensor(N.pgAllReduceGrad(group.id, t.native));
}

/** Turns on synchronized statistics in every batch norm layer of `module`; returns how many. */
export function convertSyncBatchNorm(module: Module, group: ProcessGroup = defaultProcessGroup()): number {
  let n = 0;
  for (const m of module.modules()) {
    if (m instanceof BatchNorm1d || m instanceof BatchNorm2d) {
      m.syncStats = (local) => allReduceWithGrad(local, group);
      n++;
    }
  }
  return n;
}
