// Deterministic random numbers: one Generator per model, seeded by the user. The draws are
// defined here (not by the standard library's distributions), so a seed gives the same numbers
// with every compiler and standard library.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "core/tensor.hpp"

namespace tessera {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : engine_(seed) {}
  void seed(std::uint64_t s) { engine_.seed(s); }

  std::uint64_t next_u64() { return engine_(); }
  float uniform();                                // [0, 1)
  float normal();                                 // standard normal (Box–Muller)
  std::size_t uniform_index(std::size_t n);       // [0, n), unbiased

  Tensor uniform(const Shape& shape, float low, float high);
  Tensor normal(const Shape& shape, float mean, float stddev);
  // Normal draws redrawn until within two standard deviations, as TensorFlow's truncated_normal.
  Tensor truncated_normal(const Shape& shape, float mean, float stddev);
  // A uniformly random order of 0..n-1 (Fisher–Yates).
  std::vector<std::size_t> permutation(std::size_t n);

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  float spare_ = 0.0f;
};

}  // namespace tessera
