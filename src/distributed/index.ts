// The distributed package (docs/distributed.md): c10d process groups, DDP, SyncBatchNorm, the launcher.
export { initProcessGroup, destroyProcessGroup, defaultProcessGroup, isInitialized, getRank, getWorldSize, allReduce, broadcast, barrier, availableBackends, ProcessGroup } from './process_group.js';
export type { Backend, ReduceOp, InitProcessGroupOptions } from './process_group.js';
export { DistributedDataParallel } from './ddp.js';
export type { DistributedDataParallelOptions } from './ddp.js';
export { convertSyncBatchNorm, allReduceWithGrad } from './sync_batch_norm.js';
export { launchWorkers, workerEnvironment, WorkerFailure } from './launch.js';
export type { LaunchOptions } from './launch.js';
