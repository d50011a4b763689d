// Process-wide settings of the engine: seeds, threads, devices, memory counters.
import { N } from './native.js';

/** Seeds libtorch's generators: runs then repeat bit for bit on one machine with the same threads. */
export function manualSeed(seed: number): void {
  N.manualSeed(seed);
}

/**
 * Intra-op threads libtorch uses (like torch.set_num_threads), and OpenBLAS's pool as well when OpenBLAS
 * is the BLAS, so that n threads means n cores (and one thread count gives one set of results).
 */
export function setNumThreads(n: number): void {
  N.setNumThreads(n);
}

export function getNumThreads(): number {
  return N.numThreads();
}

/** OpenBLAS's thread count, or -1 when the BLAS libtorch uses is not OpenBLAS. */
export function getBlasThreads(): number {
  return N.blasThreads();
}

export function cudaAvailable(): boolean {
  return N.cudaAvailable();
}

export function libtorchVersion(): string {
  return N.libtorchVersion();
}

export interface MemoryInfo {
  /** Native tensors alive now (created and neither disposed nor garbage-collected). */
  liveTensors: number;
  /** The most that were alive at once since the last resetPeakTensors(). */
  peakTensors: number;
  /** Bytes of tensor blocks (64 KB and up) in use, and freed ones held for reuse by the CPU cache. */
  cpuAllocatedBytes: number;
  cpuCachedBytes: number;
}

export function memory(): MemoryInfo {
  const cache = N.cpuCache();
  return {
    liveTensors: N.liveTensors(),
    peakTensors: N.peakTensors(),
    cpuAllocatedBytes: cache.allocatedBytes,
    cpuCachedBytes: cache.cachedBytes,
  };
}

/**
 * Returns the CPU tensor blocks held for reuse to the system. htaf keeps freed blocks of 64 KB and more
 * (up to 2 GB) so that a training loop allocates nothing after its first step and its memory stays flat;
 * HTAF_CPU_CACHE=0 turns the cache off.
 */
export function emptyCache(): void {
  N.emptyCpuCache();
}

export function resetPeakTensors(): void {
  N.resetPeakTensors();
}
