// Keras' RMSprop (keras/optimizers/rmsprop.py, Keras 2.11+; the legacy one's training_ops
// kernel computes the same):
//   v = ρ·v + (1 − ρ)·g²;  centered: a = ρ·a + (1 − ρ)·g, d = v − a² + ε, else d = v + ε;
//   Δ = lr·g / √d;  momentum μ > 0: p = μ·p + Δ, w −= p; else w −= Δ.
// ε is INSIDE the root, as in Keras 2.11+ and tf.keras' optimizer_v2 (training_ops kernel).
// Multi-backend Keras ≤ 2.3 (and tf.keras' optimizer_v1) divided by √v + ε instead; we follow
// Keras 2.11+, which wrote the fixtures (2.15) and keras-format.md.
// Defaults: learning_rate 0.001, ρ 0.9, momentum 0, ε 1e-7, centered false.
#pragma once

#include "optim/optimizer.hpp"

namespace tessera {

class RMSprop : public Optimizer {
 public:
  explicit RMSprop(float learning_rate = 0.001f, float rho = 0.9f, float momentum = 0.0f,
                   float epsilon = 1e-7f, bool centered = false);
  static OptimizerPtr from_config(const Json& config);
  std::string class_name() const override { return "RMSprop"; }
  Json get_config() const override;

 protected:
  void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) override;

 private:
  float rho_, momentum_, epsilon_;
  bool centered_;
};

}  // namespace tessera
