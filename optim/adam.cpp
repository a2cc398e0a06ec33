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
  float *m = s[0].data(), *v = s[1].data(), *vhat = amsgrad_ ? s[2].data() : nullptr;
  float* pw = w.data();
  const float* pg = g.data();
  for (std::size_t i = 0; i < w.size(); ++i) {
    m[i] += (pg[i] - m[i]) * (1.0f - beta_1_);
    v[i] += (pg[i] * pg[i] - v[i]) * (1.0f - beta_2_);
    float denom_v = v[i];
    if (vhat) denom_v = vhat[i] = std::max(vhat[i], v[i]);
    pw[i] -= m[i] * alpha / (std::sqrt(denom_v) + epsilon_);
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
