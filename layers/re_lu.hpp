// ReLU: Keras' general rectifier. x above threshold (capped at max_value), else
// negative_slope·(x − threshold). max_value None (infinity) means no cap.
#pragma once

#include <limits>

#include "layers/keras_config.hpp"

namespace tessera {

struct ReLUOptions {
  float max_value = std::numeric_limits<float>::infinity();
  float negative_slope = 0.0f;
  float threshold = 0.0f;
  std::string name = "";
};

class ReLU : public Layer {
 public:
  explicit ReLU(ReLUOptions options = {});
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "ReLU"; }
  Shape compute_output_shape(const Shape& input_shape) const override { return input_shape; }
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  ReLUOptions options_;
};

}  // namespace tessera
