// Gradient storage that survives training steps: ops write a weight's gradient into the storage
// the weight kept from the previous step (Variable::zero_grad keeps it) instead of a fresh
// buffer and an add, and loops inside a step use per-thread scratch.
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
// and grown as needed, 64-byte aligned. Contents are whatever the last user left.
float* thread_scratch(int slot, std::size_t size);

}  // namespace tessera
