// A caching CPU allocator for libtorch's tensors in a Node process.
//
// Why: libtorch's default CPU allocator asks glibc for 64-byte-aligned blocks (posix_memalign). In a Node
// process, small long-lived allocations (handles, V8/N-API bookkeeping) land between those blocks, and a
// freed block is then a little too small for the next aligned request of the same size, so the heap
// grows without bound: 20,000 create/dispose cycles of a 256 KB tensor took RSS from 0.2 to 2.5 GB here
// (CPython, whose small objects live in their own pools, does not show it). Keeping freed blocks of
// 64 KB and more in per-size free lists and handing them back for the next request of that size makes a
// training loop's memory flat after the first step, and saves the allocation and page faults too.
#pragma once
#include <cstddef>
#include <cstdint>

namespace htaf {

// Makes the caching allocator libtorch's CPU allocator (once). HTAF_CPU_CACHE=0 in the environment
// leaves libtorch's default in place.
void installCachingCpuAllocator();

struct CpuCacheStats {
  int64_t cachedBytes;     // freed blocks held for reuse
  int64_t allocatedBytes;  // blocks in use by tensors (of the sizes the cache handles)
  bool enabled;
};
CpuCacheStats cpuCacheStats();

// Returns every cached block to the system (like torch.cuda.empty_cache for this allocator).
void emptyCpuCache();

}  // namespace htaf
