// Where every Tensor's storage comes from. Small blocks come from operator new (aligned for
// SIMD loads). Large ones — a training step's activations and gradients — are mapped pages kept
// in a cache when freed and handed to the next request of about the same size: the next step
// asks for the same sizes in the same order, so after the first step it maps nothing and faults
// in no page (in this project's VM a fresh page's first touch triples the cost of writing it).
// The cache is tessera's own, not the C heap's: a step's small allocations cannot split a freed
// activation's block there and push the next step's copy to fresh memory (glibc's heap grew by
// 2-3 blocks per step size that way), and the host program's malloc settings stay untouched.
#pragma once

#include <cstddef>

namespace tessera {

namespace tensor_memory {

// Blocks of this many bytes or more are mapped and cached; smaller ones use operator new. At
// 256 KiB, a small layer's 192 KiB kernel gradient and scatter buffers went to the C heap, which
// grew by 0.6 MB over five steps of LC1D 10x32 (a 2.1 MB step); at 64 KiB it stays put.
constexpr std::size_t kLargeBlock = std::size_t(64) << 10;

// Throws std::bad_alloc; for a large block only once the system has refused it with the
// cache's blocks given back.
void* allocate(std::size_t bytes);
void release(void* data, std::size_t bytes) noexcept;

// Large blocks only: bytes in use, bytes kept for reuse, and how many blocks were ever mapped.
struct Stats {
  std::size_t live = 0, cached = 0, maps = 0;
};
Stats stats();

// Returns every cached block to the system (a program about to change what it computes can
// call it; the cache also gives back its oldest blocks when it holds more than is in use).
void release_cached();

}  // namespace tensor_memory

template <class T>
struct TensorAllocator {
  using value_type = T;
  TensorAllocator() = default;
  template <class U>
  TensorAllocator(const TensorAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(tensor_memory::allocate(n * sizeof(T))); }
  void deallocate(T* data, std::size_t n) noexcept { tensor_memory::release(data, n * sizeof(T)); }
  template <class U>
  bool operator==(const TensorAllocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const TensorAllocator<U>&) const noexcept {
    return false;
  }
};

}  // namespace tessera
