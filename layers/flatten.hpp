// Flatten: (batch, d1, ..., dn) → (batch, d1·...·dn). With data_format 'channels_first' the
// channel axis (d1) is first moved last, so the order matches a channels_last model; the default
// 'channels_last' does no reordering (even after channels_first layers), as Keras.
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

class Flatten : public Layer {
 public:
  explicit Flatten(const std::string& data_format = "channels_last", std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "Flatten"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  std::string data_format_;
};

}  // namespace tessera
