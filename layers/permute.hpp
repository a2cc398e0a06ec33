// Permute: reorders the axes of each sample; dims is 1-based as in Keras (batch axis stays 0):
// Permute({2, 1}) turns (batch, a, b) into (batch, b, a).
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

class Permute : public Layer {
 public:
  explicit Permute(std::vector<std::size_t> dims, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "Permute"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  std::vector<std::size_t> dims_;
};

}  // namespace tessera
