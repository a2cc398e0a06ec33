// PReLU: x for x > 0, alpha·x otherwise, with a learned alpha per input element. Weight alpha has
// the sample's shape with each of shared_axes (1-based, the batch axis is 0) set to 1, so those
// axes share one slope.
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

struct PReLUOptions {
  InitializerPtr alpha_initializer = zeros_initializer();
  RegularizerPtr alpha_regularizer = nullptr;
  ConstraintPtr alpha_constraint = nullptr;
  std::vector<std::size_t> shared_axes = {};
  std::string name = "";
};

class PReLU : public Layer {
 public:
  explicit PReLU(PReLUOptions options = {});
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "PReLU"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  void build_weights(const Shape& input_shape, Generator& gen) override;
  Variable call(const Variable& x, bool training) override;

 private:
  PReLUOptions options_;
};

}  // namespace tessera
