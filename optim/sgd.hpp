// Keras' SGD (keras/optimizers/sgd.py, Keras 2.11+; the legacy and Keras ≤ 2.3 ones agree):
//   v = μ·v − lr·g;  w += v,  or with nesterov  w += μ·v − lr·g   (v after its update).
// Defaults: learning_rate 0.01, momentum 0, nesterov false.
#pragma once

#include "optim/optimizer.hpp"

namespace tessera {

class SGD : public Optimizer {
 public:
  explicit SGD(float learning_rate = 0.01f, float momentum = 0.0f, bool nesterov = false);
  static OptimizerPtr from_config(const Json& config);
  std::string class_name() const override { return "SGD"; }
  Json get_config() const override;

 protected:
  void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) override;

 private:
  float momentum_;
  bool nesterov_;
};

}  // namespace tessera
