// ThresholdedReLU: x where x > theta, 0 elsewhere (Keras' default theta 1.0, theta ≥ 0).
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

class ThresholdedReLU : public Layer {
 public:
  explicit ThresholdedReLU(float theta = 1.0f, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "ThresholdedReLU"; }
  Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  float theta_;
};

}  // namespace tessera
