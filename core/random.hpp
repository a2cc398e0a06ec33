// Deterministic random numbers: one Generator per model, seeded by the user. The draws are
// defined here (not by the standard library's distributions), so a seed gives the same numbers
// with every compiler and standard library.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "core/tensor.hpp"

namespace tessera {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : engine_(seed) {}
  // Restarts the stream; a normal() spare left from the old stream is dropped.
  void seed(std::uint64_t s) {
    engine_.seed(s);
    has_spare_ = false;
  }

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

// The random stream of a layer that draws while training (dropout, noise). It is seeded from the
// layer's own seed when it has one, otherwise from the model's generator when the layer is built,
// so either seed reproduces every draw.
class OwnedGenerator {
 public:
  explicit OwnedGenerator(std::optional<std::uint64_t> seed = std::nullopt) : seed_(seed) {
    if (seed_) gen_.seed(*seed_);
  }
  void seed_from(Generator& model) { gen_.seed(seed_ ? *seed_ : model.next_u64()); }
  void reseed(std::uint64_t seed) {
    seed_ = seed;
    gen_.seed(seed);
  }
  const std::optional<std::uint64_t>& seed() const { return seed_; }
  Generator& gen() { return gen_; }

 private:
  std::optional<std::uint64_t> seed_;
  Generator gen_;
};

}  // namespace tessera
