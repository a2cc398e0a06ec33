// Keras' Adagrad (keras/optimizers/adagrad.py, Keras 2.11+):
//   a += g²;  w −= lr·g / √(a + ε),  a starting at initial_accumulator_value.
// The legacy kernel divides by √a + ε and Keras ≤ 2.3 also starts a at 0; we follow 2.11+.
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

 protected:
  void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) override;

 private:
  float initial_accumulator_value_, epsilon_;
};

}  // namespace tessera
