// Gradient storage that survives training steps. A fresh multi-megabyte buffer costs a page
// fault per 4 KiB page on first touch (in this project's VM that triples the time of writing a
// large weight gradient), so ops with large weight gradients write into the storage the weight
// kept from the previous step (Variable::zero_grad keeps it), and buffers that must be fresh ask
// for transparent huge pages.
#pragma once

#include "core/autodiff.hpp"

namespace tessera {

// The gradient of `node` for an op that will overwrite all of it: the node's kept storage (or a
// new tensor of its value's shape), now marked present. nullptr when the node wants no gradient
// or already holds one from another op (then compute into a tensor and accumulate it).
Tensor* gradient_to_overwrite(Node& node);

// The gradient an op's backward computes for its input i: written straight into the input's
// storage when it is the input's first gradient, else into a temporary that commit() adds.
// Whoever writes it must overwrite every element.
class InputGradient {
 public:
  InputGradient(Node& self, std::size_t i);
  InputGradient(const InputGradient&) = delete;
  InputGradient& operator=(const InputGradient&) = delete;
  float* data() { return target_ ? target_->data() : nullptr; }  // nullptr: not wanted
  void commit();

 private:
  Node* input_;
  Tensor own_;
  Tensor* target_ = nullptr;
};

// Per-thread scratch that lives as long as the thread (OpenMP keeps its team), so loops inside
// a step allocate nothing after the first step: `size` floats of buffer `slot` (0 … 5), kept
// and grown as needed. Contents are whatever the last user left.
float* thread_scratch(int slot, std::size_t size);

// An uninitialized tensor; when large, backed by transparent huge pages where the kernel offers
// them (one fault per 2 MiB instead of per 4 KiB).
Tensor uninitialized_tensor(const Shape& shape);

}  // namespace tessera
