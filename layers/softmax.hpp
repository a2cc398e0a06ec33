// Softmax: exp(x) / Σ exp(x) along `axis` (counted with the batch axis as Keras; default -1).
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

class Softmax : public Layer {
 public:
  explicit Softmax(int axis = -1, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "Softmax"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  int axis_;
};

}  // namespace tessera
