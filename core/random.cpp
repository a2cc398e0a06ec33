#include "core/random.hpp"

#include <cmath>
#include <numbers>
#include <numeric>

namespace tessera {

float Generator::uniform() {
  // The top 24 bits give every float in [0, 1) with spacing 2^-24.
  return float(engine_() >> 40) * (1.0f / 16777216.0f);
}

float Generator::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = 0.0;
  while (u1 <= 0.0) u1 = double(engine_() >> 11) * (1.0 / 9007199254740992.0);
  const double u2 = double(engine_() >> 11) * (1.0 / 9007199254740992.0);
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = float(r * std::sin(2.0 * std::numbers::pi * u2));
  has_spare_ = true;
  return float(r * std::cos(2.0 * std::numbers::pi * u2));
}

std::size_t Generator::uniform_index(std::size_t n) {
  if (n == 0) return 0;
  // Rejection removes the modulo bias.
  const std::uint64_t limit = ~std::uint64_t(0) - (~std::uint64_t(0) % n);
  std::uint64_t v;
  do v = engine_();
  while (v >= limit);
  return std::size_t(v % n);
}

Tensor Generator::uniform(const Shape& shape, float low, float high) {
  Tensor t = Tensor::from_shape(shape);
  for (auto& v : t) v = low + (high - low) * uniform();
  return t;
}

Tensor Generator::normal(const Shape& shape, float mean, float stddev) {
  Tensor t = Tensor::from_shape(shape);
  for (auto& v : t) v = mean + stddev * normal();
  return t;
}

Tensor Generator::truncated_normal(const Shape& shape, float mean, float stddev) {
  Tensor t = Tensor::from_shape(shape);
  for (auto& v : t) {
    float z;
    do z = normal();
    while (std::fabs(z) > 2.0f);
    v = mean + stddev * z;
  }
  return t;
}

std::vector<std::size_t> Generator::permutation(std::size_t n) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t(0));
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[uniform_index(i)]);
  return order;
}

}  // namespace tessera
