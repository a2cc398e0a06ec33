// InputLayer: declares a model's input shape (Keras' batch_input_shape, batch first, None for a
// free size); the identity on its input. It has no weights. When every sample size is known it
// sets declared_input_shape, from which a Sequential model builds.
#pragma once

#include <optional>

#include "layers/keras_config.hpp"

namespace tessera {

class InputLayer : public Layer {
 public:
  using Dims = std::vector<std::optional<std::size_t>>;  // nullopt = None
  explicit InputLayer(Dims batch_input_shape, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "InputLayer"; }
  const Dims& batch_input_shape() const { return batch_input_shape_; }
  // The shape of one sample; throws when a size other than the batch's is None.
  Shape sample_shape() const;
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  Variable call(const Variable& x, bool training) override;

 private:
  Dims batch_input_shape_;
};

}  // namespace tessera
