// GaussianNoise: while training, adds N(0, stddev²) noise to each element; at inference the
// identity. Draws come from the layer's own stream (seed, else the model's generator at build).
#pragma once

#include <optional>

#include "layers/keras_config.hpp"

namespace tessera {

class GaussianNoise : public Layer {
 public:
  explicit GaussianNoise(float stddev, std::optional<std::uint64_t> seed = std::nullopt,
                         std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "GaussianNoise"; }
  Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
  Json get_config() const override;
  void seed(std::uint64_t seed) { rng_.reseed(seed); }

 protected:
  void build_weights(const Shape& input_shape, Generator& gen) override;
  Variable call(const Variable& x, bool training) override;

 private:
  float stddev_;
  OwnedGenerator rng_;
};

}  // namespace tessera
