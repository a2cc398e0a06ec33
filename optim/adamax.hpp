// Keras' Adamax (keras/optimizers/adamax.py, Keras 2.11+; the legacy kernel agrees):
//   m += (g − m)(1 − β1);  u = max(β2·u, |g|);  w −= lr·m / ((1 − β1ᵗ)(u + ε)).
// Defaults: learning_rate 0.001, β1 0.9, β2 0.999, ε 1e-7.
#pragma once

#include "optim/optimizer.hpp"

namespace tessera {

class Adamax : public Optimizer {
 public:
  explicit Adamax(float learning_rate = 0.001f, float beta_1 = 0.9f, float beta_2 = 0.999f,
                  float epsilon = 1e-7f);
  static OptimizerPtr from_config(const Json& config);
  std::string class_name() const override { return "Adamax"; }
  Json get_config() const override;

 protected:
  void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) override;

 private:
  float beta_1_, beta_2_, epsilon_;
};

}  // namespace tessera
