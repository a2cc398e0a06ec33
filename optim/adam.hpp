// Keras' Adam and AdamW (keras/optimizers/adam.py and adamw.py, Keras 2.11+; the legacy
// training_ops kernel and Keras ≤ 2.3 compute the same):
//   m += (g − m)(1 − β1);  v += (g² − v)(1 − β2);  α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ);
//   w −= α·m / (√v + ε)    (amsgrad: v̂ = max(v̂, v) takes v's place).
// AdamW is Adam with the base class's weight decay w −= lr·wd·w applied before that step
// (Keras 2.11+ apply_gradients runs _apply_weight_decay before the update).
// Defaults: learning_rate 0.001, β1 0.9, β2 0.999, ε 1e-7, amsgrad false; AdamW wd 0.004.
#pragma once

#include "optim/optimizer.hpp"

namespace tessera {

class Adam : public Optimizer {
 public:
  explicit Adam(float learning_rate = 0.001f, float beta_1 = 0.9f, float beta_2 = 0.999f,
                float epsilon = 1e-7f, bool amsgrad = false);
  static OptimizerPtr from_config(const Json& config);
  std::string class_name() const override { return "Adam"; }
  Json get_config() const override;

 protected:
  void update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) override;

 private:
  float beta_1_, beta_2_, epsilon_;
  bool amsgrad_;
};

class AdamW : public Adam {
 public:
  explicit AdamW(float learning_rate = 0.001f, float weight_decay = 0.004f, float beta_1 = 0.9f,
                 float beta_2 = 0.999f, float epsilon = 1e-7f, bool amsgrad = false);
  static OptimizerPtr from_config(const Json& config);
  std::string class_name() const override { return "AdamW"; }
  Json get_config() const override;  // weight_decay always a number: AdamW requires one
};

}  // namespace tessera
