// Small helpers shared by the benchmark commands.
import { readFileSync } from 'node:fs';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function rssMb(): number {
  return process.memoryUsage.rss() / (1024 * 1024);
}

/** Which BLAS library the process has mapped (libtorch's Debian build resolves libblas.so.3 at run time). */
export function blasInUse(): string {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    if (/openblas-pthread/.test(maps)) return 'openblas-pthread';
    if (/openblas/.test(maps)) return 'openblas';
    if (/libmkl/.test(maps)) return 'mkl';
    if (/blas\/libblas\.so/.test(maps)) return 'reference-blas';
    return 'unknown';
  } catch {
    return 'unknown';
  }
}
