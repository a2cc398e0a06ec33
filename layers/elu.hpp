// ELU: x for x > 0, alpha·(exp(x) − 1) otherwise (Keras' default alpha 1.0).
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

class ELU : public Layer {
 public:
  explicit ELU(float alpha = 1.0f, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "ELU"; }
  Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  float alpha_;
};

}  // namespace tessera
