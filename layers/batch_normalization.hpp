// BatchNormalization: y = gamma·(x − mean)/sqrt(var + epsilon) + beta over the feature axis or
// axes (`axis`, counted with the batch axis as Keras; default -1).
//
// Training (and the layer trainable) uses the batch's mean and biased variance and updates
// moving_mean/moving_variance by m ← m·momentum + batch·(1 − momentum); inference, and a frozen
// layer (trainable = false, as Keras 2's TF backend), uses the moving statistics.
// Weights in Keras' order: gamma (scale), beta (center), moving_mean, moving_variance (the last two
// not trainable). Their shape is (features,) for one axis; for several axes, the input's rank with
// 1 on every other axis (tf.keras' param_shape).
#pragma once

#include "layers/keras_config.hpp"

namespace tessera {

struct BatchNormalizationOptions {
  std::vector<int> axis = {-1};
  float momentum = 0.99f;
  float epsilon = 1e-3f;
  bool center = true;
  bool scale = true;
  InitializerPtr beta_initializer = zeros_initializer();
  InitializerPtr gamma_initializer = ones_initializer();
  InitializerPtr moving_mean_initializer = zeros_initializer();
  InitializerPtr moving_variance_initializer = ones_initializer();
  RegularizerPtr beta_regularizer = nullptr;
  RegularizerPtr gamma_regularizer = nullptr;
  ConstraintPtr beta_constraint = nullptr;
  ConstraintPtr gamma_constraint = nullptr;
  std::string name = "";
};

class BatchNormalization : public Layer {
 public:
  explicit BatchNormalization(BatchNormalizationOptions options = {});
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "BatchNormalization"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  void build_weights(const Shape& input_shape, Generator& gen) override;
  Variable call(const Variable& x, bool training) override;

 private:
  // The axes (with batch) that hold features, resolved against the rank of `input_shape` + 1.
  std::vector<std::size_t> feature_axes(const Shape& input_shape) const;

  BatchNormalizationOptions options_;
};

}  // namespace tessera
