// Process-wide settings of the engine: seeds, threads, devices, memory counters.
import { N } from './native.js';

/** Seeds libtorch's generators: runs then repeat bit for bit on one machine with the same threads. */
export function manualSeed(seed: number): void {
  N.manualSeed(seed);
}

/** Intra-op threads libtorch uses (like torch.set_num_threads). */
export function setNumThreads(n: number): void {
  N.setNumThreads(n);
}

export function getNumThreads(): number {
  return N.numThreads();
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
}

export function memory(): MemoryInfo {
  return { liveTensors: N.liveTensors(), peakTensors: N.peakTensors() };
}

export function resetPeakTensors(): void {
  N.resetPeakTensors();
}
