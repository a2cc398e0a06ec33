// Keras' Adadelta (keras/optimizers/adadelta.py, Keras 2.11+; the legacy kernel agrees):
//   a = ρ·a + (1 − ρ)·g²;  Δ = −√(d + ε) · g / √(a + ε);  d = ρ·d + (1 − ρ)·Δ²;  w += lr·Δ.
// Defaults: learning_rate 0.001 (Keras ≤ 2.3: 1.0), ρ 0.95, ε 1e-7.
#pragma once

#include "optim/optimizer.hpp"

namespace tessera {

class Adadelta : public Optimizer {
 public:
  explicit Adadelta(float learning_rate = 0.001f, float rho = 0.95f, float epsilon = 1e-7f);
  static OptimizerPtr from_config(const Json& config);
  std::string class_name() const override { return "Adadelta"; }
  Json get_config() const override;

 protected:
  void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) override;

 private:
  float rho_, epsilon_;
};

}  // namespace tessera
