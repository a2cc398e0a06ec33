// GaussianDropout: while training, multiplies each element by noise drawn from
// N(1, rate/(1 − rate)) (stddev sqrt(rate/(1 − rate)), as Keras); at inference, and for rate 0,
// the identity. Draws come from the layer's own stream (seed, else the model's generator).
#pragma once

#include "layers/noise_layer.hpp"

namespace tessera {

class GaussianDropout : public NoiseLayer {
 public:
  explicit GaussianDropout(float rate, std::optional<std::uint64_t> seed = std::nullopt,
                           std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "GaussianDropout"; }
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  float rate_;
};

}  // namespace tessera
