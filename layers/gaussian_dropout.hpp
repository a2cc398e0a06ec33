// GaussianDropout: while training, multiplies each element by noise drawn from
// N(1, rate/(1 − rate)) (stddev sqrt(rate/(1 − rate)), as Keras); at inference, and for rate 0,
// the identity. Draws come from the layer's own stream (seed, else the model's generator).
#pragma once

#include <optional>

#include "layers/keras_config.hpp"

namespace tessera {

class GaussianDropout : public Layer {
 public:
  explicit GaussianDropout(float rate, std::optional<std::uint64_t> seed = std::nullopt,
                           std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "GaussianDropout"; }
  Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
  Json get_config() const override;
  void seed(std::uint64_t seed) { rng_.reseed(seed); }

 protected:
  void build_weights(const Shape& input_shape, Generator& gen) override;
  Variable call(const Variable& x, bool training) override;

 private:
  float rate_;
  OwnedGenerator rng_;
};

}  // namespace tessera
