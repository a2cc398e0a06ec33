#include "core/tensor_memory.hpp"

#include <sanitizer/asan_interface.h>  // no-op macros unless built with AddressSanitizer
#include <sys/mman.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>

namespace tessera::tensor_memory {

namespace {

constexpr std::size_t kPage = 4096, kHugePage = std::size_t(2) << 20;
constexpr std::align_val_t kAlignment{64};  // a cache line, more than any SIMD load needs

std::size_t mapped_length(std::size_t bytes) { return (bytes + kPage - 1) / kPage * kPage; }

struct CachedBlock {
  void* data;
  std::size_t order;  // when it was cached: the oldest go back to the system first
};

struct Cache {
  std::mutex mutex;
  std::multimap<std::size_t, CachedBlock> blocks;  // by mapped length
  std::unordered_map<void*, std::size_t> in_use;   // mapped length of each block handed out
  std::size_t next_order = 0;
  Stats stats;
};

// Never destroyed: tensors with static storage may be freed after any static cache would be.
Cache& cache() {
  static Cache* instance = new Cache;
  return *instance;
}

// Every cached block back to the system.
void unmap_cached(Cache& c) {
  for (const auto& [length, block] : c.blocks) {
    ASAN_UNPOISON_MEMORY_REGION(block.data, length);
    munmap(block.data, length);
  }
  c.blocks.clear();
  c.stats.cached = 0;
}

// A new block; when the system refuses one (an address-space or cgroup limit), the cache's
// blocks go back first and the mapping is tried once more before bad_alloc.
void* map_block(Cache& c, std::size_t length) {
  auto map = [length] {
    return mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  };
  void* data = map();
  if (data == MAP_FAILED && !c.blocks.empty()) {
    unmap_cached(c);
    data = map();
  }
  if (data == MAP_FAILED) throw std::bad_alloc();
  // Transparent huge pages for the whole 2 MiB pages inside: one fault per 2 MiB on first touch
  // and fewer TLB misses for the sample-strided rows the layers walk.
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
  const std::uintptr_t last = (begin + length) & ~(kHugePage - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
  return data;
}

// Gives the oldest cached blocks back until the cache holds no more than is in use. Called on
// a miss only: a training loop that repeats its steps never misses after the first.
void evict_oldest(Cache& c) {
  while (c.stats.cached > c.stats.live && !c.blocks.empty()) {
    auto oldest = c.blocks.begin();
    for (auto it = c.blocks.begin(); it != c.blocks.end(); ++it)
      if (it->second.order < oldest->second.order) oldest = it;
    ASAN_UNPOISON_MEMORY_REGION(oldest->second.data, oldest->first);
    munmap(oldest->second.data, oldest->first);
    c.stats.cached -= oldest->first;
    c.blocks.erase(oldest);
  }
}

}  // namespace

void* allocate(std::size_t bytes) {
  if (bytes < kLargeBlock) return ::operator new(bytes, kAlignment);
  const std::size_t length = mapped_length(bytes);
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  // The smallest cached block that fits, unless it would waste more than an eighth.
  auto fit = c.blocks.lower_bound(length);
  if (fit != c.blocks.end() && fit->first <= length + length / 8) {
    void* data = fit->second.data;
    c.stats.cached -= fit->first;
    c.stats.live += fit->first;
    c.in_use.emplace(data, fit->first);
    c.blocks.erase(fit);
    ASAN_UNPOISON_MEMORY_REGION(data, bytes);  // the rest of the block stays poisoned
    return data;
  }
  evict_oldest(c);
  void* data = map_block(c, length);
  c.in_use.emplace(data, length);
  c.stats.live += length;
  ++c.stats.maps;
  ASAN_POISON_MEMORY_REGION(static_cast<char*>(data) + bytes, length - bytes);
  return data;
}

void release(void* data, std::size_t bytes) noexcept {
  if (!data) return;
  if (bytes < kLargeBlock) {
    ::operator delete(data, kAlignment);
    return;
  }
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  const auto block = c.in_use.find(data);
  const std::size_t length = block->second;  // may exceed mapped_length(bytes): a reused block
  c.in_use.erase(block);
  // A use after free reports instead of reading stale data.
  ASAN_POISON_MEMORY_REGION(data, length);
  c.stats.live -= length;
  c.stats.cached += length;
  c.blocks.emplace(length, CachedBlock{data, c.next_order++});
}

Stats stats() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  return c.stats;
}

void release_cached() {
  Cache& c = cache();
  std::lock_guard lock(c.mutex);
  unmap_cached(c);
}

}  // namespace tessera::tensor_memory
