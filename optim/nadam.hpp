// Keras' Nadam (keras/optimizers/nadam.py, Keras 2.11+), Adam with Nesterov momentum through
// Dozat's momentum-cache schedule μₜ = β1·(1 − ½·0.96ᵗ) and Πₜ = μ₁·…·μₜ:
//   m += (g − m)(1 − β1);  v += (g² − v)(1 − β2);
//   m̂ = μₜ₊₁·m / (1 − Πₜ·μₜ₊₁) + (1 − μₜ)·g / (1 − Πₜ);  v̂ = v / (1 − β2ᵗ);
//   w −= lr·m̂ / (√v̂ + ε).
// The legacy Nadam (Keras ≤ 2.10, configs with "decay"/"schedule_decay") uses
// μₜ = β1·(1 − ½·0.96^(schedule_decay·t)) with schedule_decay 0.004 and no learning-rate decay:
// give schedule_decay > 0 for it.
// Defaults: learning_rate 0.001, β1 0.9, β2 0.999, ε 1e-7.
#pragma once

#include "optim/optimizer.hpp"

namespace tessera {

class Nadam : public Optimizer {
 public:
  explicit Nadam(float learning_rate = 0.001f, float beta_1 = 0.9f, float beta_2 = 0.999f,
                 float epsilon = 1e-7f, float schedule_decay = 0.0f);
  static OptimizerPtr from_config(const Json& config);
  std::string class_name() const override { return "Nadam"; }
  Json get_config() const override;

 protected:
  void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) override;

 private:
  double momentum_cache(std::int64_t t) const;  // μₜ
  float beta_1_, beta_2_, epsilon_, schedule_decay_;
  double product_ = 1.0;            // Πₜ, shared by all variables
  std::int64_t product_step_ = 0;  // the t that product_ belongs to
};

}  // namespace tessera
