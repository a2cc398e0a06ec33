// GaussianNoise: while training, adds N(0, stddev²) noise to each element; at inference the
// identity. Draws come from the layer's own stream (seed, else the model's generator at build).
#pragma once

#include "layers/noise_layer.hpp"

namespace tessera {

class GaussianNoise : public NoiseLayer {
 public:
  explicit GaussianNoise(float stddev, std::optional<std::uint64_t> seed = std::nullopt,
                         std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "GaussianNoise"; }
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  float stddev_;
};

}  // namespace tessera
