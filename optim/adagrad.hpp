// Keras' Adagrad (keras/optimizers/adagrad.py, Keras 2.11+):
//   a += g²;  w −= lr·g / √(a + ε),  a starting at initial_accumulator_value.
// The legacy optimizer (tf.keras optimizer_v2's ResourceApplyAdagradV2, which Keras 2.11-2.15
// build from configs without is_legacy_optimizer: false) divides by √a + ε: `legacy` selects
// that. Multi-backend Keras ≤ 2.3 started a at 0, but Keras 2.15 loading its files uses the
// default 0.1, as here.
// Defaults: learning_rate 0.001, initial_accumulator_value 0.1, ε 1e-7.
#pragma once

#include "optim/optimizer.hpp"

namespace tessera {

class Adagrad : public Optimizer {
 public:
  explicit Adagrad(float learning_rate = 0.001f, float initial_accumulator_value = 0.1f,
                   float epsilon = 1e-7f);
  static OptimizerPtr from_config(const Json& config);
  std::string class_name() const override { return "Adagrad"; }
  Json get_config() const override;
  bool legacy = false;

 protected:
  void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) override;

 private:
  float initial_accumulator_value_, epsilon_;
};

}  // namespace tessera
