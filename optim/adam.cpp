#include "optim/adam.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "optim/optimizer_config.hpp"

namespace tessera {

namespace {

// Adam's and AdamW's own keys; the learning rate and weight decay come from apply_base.
struct AdamKeys {
  float beta_1, beta_2, epsilon;
  bool amsgrad;
};

AdamKeys read_adam_keys(OptimizerConfig& c) {
  return {c.number("beta_1", 0.9f), c.number("beta_2", 0.999f), c.number("epsilon", 1e-7f),
          c.flag("amsgrad", false)};
}

}  // namespace

Adam::Adam(float learning_rate, float beta_1, float beta_2, float epsilon, bool amsgrad)
    : Optimizer(learning_rate), beta_1_(beta_1), beta_2_(beta_2), epsilon_(epsilon), amsgrad_(amsgrad) {}

OptimizerPtr Adam::from_config(const Json& config) {
  OptimizerConfig c("Adam", config);
  const AdamKeys k = read_adam_keys(c);
  auto opt = std::make_shared<Adam>(0.001f, k.beta_1, k.beta_2, k.epsilon, k.amsgrad);
  c.apply_base(*opt);
  return opt;
}

Json Adam::get_config() const {
  Json c = Optimizer::get_config();
  c["beta_1"] = beta_1_;
  c["beta_2"] = beta_2_;
  c["epsilon"] = epsilon_;
  c["amsgrad"] = amsgrad_;
  return c;
}

void Adam::update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) {
  const double t = static_cast<double>(step);
  const float alpha = static_cast<float>(lr * std::sqrt(1.0 - std::pow(double{beta_2_}, t)) /
                                         (1.0 - std::pow(double{beta_1_}, t)));
  auto& s = slots(index, w, amsgrad_ ? 3 : 2);
  float* __restrict m = s[0].data();
  float* __restrict v = s[1].data();
  float* __restrict pw = w.data();
  const float* __restrict pg = g.data();
  const float one_minus_beta_1 = 1.0f - beta_1_, one_minus_beta_2 = 1.0f - beta_2_;
  const float epsilon = epsilon_;
  const long n = long(w.size());
  // Separate loops without a branch or aliasing vectorize; large weights are shared among the
  // threads (each element's arithmetic is unchanged, so the result is too).
  if (!amsgrad_) {
#pragma omp parallel for schedule(static) if (n > (1 << 17))
    for (long i = 0; i < n; ++i) {
      m[i] += (pg[i] - m[i]) * one_minus_beta_1;
      v[i] += (pg[i] * pg[i] - v[i]) * one_minus_beta_2;
      pw[i] -= m[i] * alpha / (std::sqrt(v[i]) + epsilon);
    }
    return;
  }
  float* __restrict vhat = s[2].data();
#pragma omp parallel for schedule(static) if (n > (1 << 17))
  for (long i = 0; i < n; ++i) {
    m[i] += (pg[i] - m[i]) * one_minus_beta_1;
    v[i] += (pg[i] * pg[i] - v[i]) * one_minus_beta_2;
    vhat[i] = std::max(vhat[i], v[i]);
    pw[i] -= m[i] * alpha / (std::sqrt(vhat[i]) + epsilon);
  }
}

AdamW::AdamW(float learning_rate, float weight_decay, float beta_1, float beta_2, float epsilon,
             bool amsgrad)
    : Adam(learning_rate, beta_1, beta_2, epsilon, amsgrad) {
  this->weight_decay = weight_decay;
}

OptimizerPtr AdamW::from_config(const Json& config) {
  OptimizerConfig c("AdamW", config);
  const AdamKeys k = read_adam_keys(c);
  auto opt = std::make_shared<AdamW>(0.001f, 0.004f, k.beta_1, k.beta_2, k.epsilon, k.amsgrad);
  c.apply_base(*opt);
  return opt;
}

Json AdamW::get_config() const {
  Json c = Adam::get_config();
  c["weight_decay"] = weight_decay;
  return c;
}

}  // namespace tessera
