// Keras' RMSprop (keras/optimizers/rmsprop.py, Keras 2.11+):
//   v = ρ·v + (1 − ρ)·g²;  centered: a = ρ·a + (1 − ρ)·g, d = v − a² + ε, else d = v + ε;
//   Δ = lr·g / √d;  momentum μ > 0: p = μ·p + Δ, w −= p; else w −= Δ.
// ε is INSIDE the root, as in Keras 2.11+. The legacy optimizer (tf.keras optimizer_v2, which
// Keras 2.11-2.15 build from configs without is_legacy_optimizer: false) keeps ε inside with
// momentum (training_ops' ApplyRMSProp) but without momentum computes w −= lr·g / (√d + ε), as
// multi-backend Keras ≤ 2.3 did: `legacy` selects that.
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
  bool legacy = false;

 protected:
  void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) override;

 private:
  float rho_, momentum_, epsilon_;
  bool centered_;
};

}  // namespace tessera
