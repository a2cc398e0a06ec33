#include "core/gradient_buffer.hpp"

#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <vector>

namespace tessera {

namespace {

constexpr std::size_t kHugePage = std::size_t(2) << 20;

// Freed step buffers stay in the heap for the next step instead of going back to the kernel.
// glibc maps blocks above an adaptive threshold (from 128 KiB) fresh and unmaps them on free,
// so every step's activations faulted in their pages again (in this VM that costs as much as
// computing a small layer). 32 MiB is the largest threshold glibc takes; larger buffers are
// weight gradients, which gradient_to_overwrite keeps.
const bool kKeepStepBuffers = [] {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  return true;
}();

// Advises the whole 2 MiB pages inside [data, data + bytes) before they are first touched.
void advise_huge_pages(void* data, std::size_t bytes) {
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
  const std::uintptr_t last = (begin + bytes) & ~(kHugePage - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace

float* thread_scratch(int slot, std::size_t size) {
  thread_local std::vector<float> buffers[6];
  auto& b = buffers[slot];
  if (b.size() < size) b.resize(size);
  return b.data();
}

Tensor uninitialized_tensor(const Shape& shape) {
  Tensor t = Tensor::from_shape(shape);
  if (t.size() * sizeof(float) >= 4 * kHugePage) advise_huge_pages(t.data(), t.size() * sizeof(float));
  return t;
}

Tensor* gradient_to_overwrite(Node& node) {
  if (!node.requires_grad || node.has_grad) return nullptr;
  const Shape shape = shape_of(node.value);
  if (node.grad.size() != node.value.size() || shape_of(node.grad) != shape)
    node.grad = uninitialized_tensor(shape);
  node.has_grad = true;
  return &node.grad;
}

InputGradient::InputGradient(Node& self, std::size_t i) : input_(self.inputs[i].get()) {
  if (!input_->requires_grad) return;
  target_ = gradient_to_overwrite(*input_);
  if (!target_) {
    own_ = uninitialized_tensor(shape_of(input_->value));
    target_ = &own_;
  }
}

void InputGradient::commit() {
  if (target_ == &own_) input_->accumulate(std::move(own_));
  target_ = nullptr;
}

}  // namespace tessera
