// Activation: applies a Keras activation, named as in configs ("relu", "softmax", ...).
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

class Activation : public Layer {
 public:
  explicit Activation(const std::string& activation, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "Activation"; }
  Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  NamedActivation activation_;
};

}  // namespace tessera
