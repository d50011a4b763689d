#include "cpu_allocator.h"

#include <c10/core/CPUAllocator.h>
#include <c10/util/Exception.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace htaf {
namespace {

constexpr size_t kAlignment = 64;            // what libtorch's own allocator guarantees (AVX-512 loads)
constexpr size_t kMinCachedBytes = 64 << 10;  // below this glibc's bins serve well
constexpr size_t kPage = 4096;
// Past this much idle cache, freed blocks go back to the system instead (a model whose shapes keep
// changing must not hoard memory).
constexpr int64_t kMaxCachedBytes = int64_t(2) << 30;

size_t roundUp(size_t n) { return (n + kPage - 1) / kPage * kPage; }

class CachingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t nbytes) const override {
    void* ptr = nullptr;
    if (nbytes >= kMinCachedBytes) {
      const size_t size = roundUp(nbytes);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = free_.find(size);
        if (it != free_.end() && !it->second.empty()) {
          ptr = it->second.back();
          it->second.pop_back();
          cachedBytes_ -= size;
        }
      }
      if (!ptr) ptr = alignedAlloc(size);
      std::lock_guard<std::mutex> lock(mutex_);
      sizes_[ptr] = size;
      allocatedBytes_ += size;
    } else {
      ptr = alignedAlloc(nbytes == 0 ? kAlignment : nbytes);
    }
    return {ptr, ptr, &CachingCpuAllocator::release, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &CachingCpuAllocator::release; }

  static void release(void* ptr) {
    if (!ptr) return;
    CachingCpuAllocator& self = instance();
    {
      std::lock_guard<std::mutex> lock(self.mutex_);
      auto it = self.sizes_.find(ptr);
      if (it != self.sizes_.end()) {
        const size_t size = it->second;
        self.sizes_.erase(it);
        self.allocatedBytes_ -= size;
        if (self.cachedBytes_ + static_cast<int64_t>(size) <= kMaxCachedBytes) {
          self.free_[size].push_back(ptr);
          self.cachedBytes_ += size;
          return;
        }
      }
    }
    std::free(ptr);
  }

  void emptyCache() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [size, blocks] : free_) {
      for (void* p : blocks) std::free(p);
    }
    free_.clear();
    cachedBytes_ = 0;
  }

  CpuCacheStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return {cachedBytes_, allocatedBytes_, true};
  }

  // Never destroyed: tensors may be freed during process exit, after static destructors ran.
  static CachingCpuAllocator& instance() {
    static auto* self = new CachingCpuAllocator();
    return *self;
  }

 private:
  static void* alignedAlloc(size_t size) {
    void* p = nullptr;
    if (posix_memalign(&p, kAlignment, size) != 0 || !p) {
      TORCH_CHECK(false, "out of memory: cannot allocate ", size, " bytes on the CPU");
    }
    return p;
  }

  mutable std::mutex mutex_;
  mutable std::unordered_map<size_t, std::vector<void*>> free_;
  mutable std::unordered_map<void*, size_t> sizes_;
  mutable int64_t cachedBytes_ = 0;
  mutable int64_t allocatedBytes_ = 0;
};

bool gInstalled = false;

}  // namespace

void installCachingCpuAllocator() {
  if (gInstalled) return;
  const char* env = std::getenv("HTAF_CPU_CACHE");
  if (env && std::strcmp(env, "0") == 0) return;
  // Priority 1 wins over libtorch's default registration (priority 0).
  c10::SetCPUAllocator(&CachingCpuAllocator::instance(), 1);
  gInstalled = true;
}

CpuCacheStats cpuCacheStats() {
  if (!gInstalled) return {0, 0, false};
  return CachingCpuAllocator::instance().stats();
}

void emptyCpuCache() {
  if (gInstalled) CachingCpuAllocator::instance().emptyCache();
}

}  // namespace htaf
