// Refusing allocations the machine cannot hold, before making them. A model file can ask for
// any size (Dense units = 2^40, an input dataset of 10^12 rows); allocating first would end in
// std::bad_alloc at best and in the kernel's OOM killer at worst, so sizes are computed from
// shapes (without overflow) and compared with the memory available.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "core/tensor.hpp"

namespace tessera {

class ResourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bytes of a float32 tensor of this shape; SIZE_MAX when the product overflows.
std::size_t tensor_bytes(const Shape& shape);

// The limit allocations are checked against: set_memory_limit's value, else MemAvailable from
// /proc/meminfo, else physical memory (sysconf).
std::size_t memory_limit();
// Caps memory_limit() (0 restores the machine's figure), e.g. to keep a server's models small.
void set_memory_limit(std::size_t bytes);

// Throws ResourceError "<what> of shape S needs N, more than the M of memory available" when a
// tensor of `shape`, plus what the innermost MemoryBudget on this thread holds already, exceeds
// memory_limit(); otherwise adds it to that budget.
void reserve_memory(const Shape& shape, const std::string& what);

// Sums reserve_memory calls within a scope (e.g. every weight of a model while it is built), so
// that a model of many layers is refused as a whole and not only a single huge weight.
class MemoryBudget {
 public:
  MemoryBudget();
  ~MemoryBudget();
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;
  std::size_t reserved() const { return reserved_; }

 private:
  friend void reserve_memory(const Shape&, const std::string&);
  MemoryBudget* outer_;
  std::size_t reserved_ = 0;
};

}  // namespace tessera
