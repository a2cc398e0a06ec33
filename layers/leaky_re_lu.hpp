// LeakyReLU: x for x > 0, alpha·x otherwise. Keras 2's default alpha is 0.3 (Keras 3 calls it
// negative_slope; both names are read).
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

class LeakyReLU : public Layer {
 public:
  explicit LeakyReLU(float alpha = 0.3f, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "LeakyReLU"; }
  Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  float alpha_;
};

}  // namespace tessera
