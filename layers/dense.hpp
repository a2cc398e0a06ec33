// Dense: y = activation(x · kernel + bias) on the last axis (Keras applies it to any rank ≥ 2).
// Weights: kernel (in, units), bias (units,).
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

class Dense : public Layer {
 public:
  explicit Dense(std::size_t units, KernelOptions options = {});
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "Dense"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  void build_weights(const Shape& input_shape, Generator& gen) override;
  Variable call(const Variable& x, bool training) override;

 private:
  std::size_t units_;
  KernelOptions options_;
  NamedActivation activation_;
};

}  // namespace tessera
