// Reshape: each sample to target_shape (batch axis kept); one size may be -1 (inferred).
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

class Reshape : public Layer {
 public:
  explicit Reshape(std::vector<long> target_shape, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "Reshape"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  std::vector<long> target_shape_;
};

}  // namespace tessera
