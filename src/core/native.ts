// The one module that loads the addon (DESIGN: src/core). Everything native goes through `N`.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedNativeApi } from './native_api.generated.js';
import type { DType, NativeHandle } from './types.js';
import { packageRoot } from './package_root.js';

/** The addon's hand-written entries (native/src/addon.cc) beside the generated op table. */
export interface NativeApi extends GeneratedNativeApi {
  dispose(handle: NativeHandle): boolean;
  fromBuffer(data: ArrayBufferView, shape: readonly number[], dtype: DType): NativeHandle;
  toBuffer(handle: NativeHandle): ArrayBuffer;
  liveTensors(): number;
  peakTensors(): number;
  resetPeakTensors(): void;
  cpuCache(): { cachedBytes: number; allocatedBytes: number; enabled: boolean };
  emptyCpuCache(): void;
  // c10d process groups (native/src/distributed.cc; src/distributed/ wraps them).
  pgCreate(store: string, rank: number, worldSize: number, backend: string, timeoutMs: number, host: string): number;
  pgAllReduce(group: number, tensors: NativeHandle[], op: string, scale?: number): void;
  pgBroadcast(group: number, tensors: NativeHandle[], root: number): void;
  pgBarrier(group: number): void;
  pgDestroy(group: number): boolean;
  pgAllReduceGrad(group: number, tensor: NativeHandle): NativeHandle;
  pgBackends(): string[];
}

function load(): NativeApi {
  const file = process.env.HTAF_NATIVE ?? join(packageRoot(), 'native/build/Release/htaf_native.node');
  if (!existsSync(file)) {
    throw new Error(`htaf: the native addon is not built (${file} is missing). Run \`make build\` (or \`npm run build\`) in the htaf folder.`);
  }
  const require = createRequire(import.meta.url);
  try {
    return require(file) as NativeApi;
  } catch (err) {
    throw new Error(`htaf: cannot load the native addon ${file}: ${(err as Error).message}. ` +
      'Is libtorch installed (Debian: apt-get install libtorch-dev libopenblas0-pthread), or LIBTORCH set as at build time?');
  }
}

export const N: NativeApi = load();
