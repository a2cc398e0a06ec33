#include "optim/nadam.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optim/optimizer_config.hpp"

namespace tessera {

Nadam::Nadam(float learning_rate, float beta_1, float beta_2, float epsilon, float schedule_decay)
    : Optimizer(learning_rate), beta_1_(beta_1), beta_2_(beta_2), epsilon_(epsilon),
      schedule_decay_(schedule_decay) {}

OptimizerPtr Nadam::from_config(const Json& config) {
  OptimizerConfig c("Nadam", config);
  // Legacy configs carry the schedule decay as "decay" (tf.keras) or "schedule_decay" (Keras ≤ 2.3).
  const bool legacy = c.flag("is_legacy_optimizer", false) || c.has("lr") || c.has("decay") ||
                      c.has("schedule_decay");
  const float schedule_decay = legacy ? c.number("schedule_decay", c.number("decay", 0.004f)) : 0.0f;
  auto opt = std::make_shared<Nadam>(0.001f, c.number("beta_1", 0.9f), c.number("beta_2", 0.999f),
                                     c.number("epsilon", 1e-7f), schedule_decay);
  c.apply_base(*opt);
  return opt;
}

Json Nadam::get_config() const {
  Json c = Optimizer::get_config();
  c["beta_1"] = beta_1_;
  c["beta_2"] = beta_2_;
  c["epsilon"] = epsilon_;
  if (schedule_decay_ > 0.0f) {
    c["decay"] = schedule_decay_;
    c["is_legacy_optimizer"] = true;
  }
  return c;
}

double Nadam::momentum_cache(std::int64_t t) const {
  const double exponent = (schedule_decay_ > 0.0f ? schedule_decay_ : 1.0) * static_cast<double>(t);
  return beta_1_ * (1.0 - 0.5 * std::pow(0.96, exponent));
}

void Nadam::update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) {
  auto& s = slots(index, w, 2);  // m, v
  const double u_t = momentum_cache(step), u_next = momentum_cache(step + 1);
  if (product_step_ != step) {  // once per step, like Keras' _u_product_counter
    product_ *= u_t;
    product_step_ = step;
  }
  const float m_coef = static_cast<float>(u_next / (1.0 - product_ * u_next));
  const float g_coef = static_cast<float>((1.0 - u_t) / (1.0 - product_));
  const float v_coef = static_cast<float>(1.0 / (1.0 - std::pow(double{beta_2_}, static_cast<double>(step))));
  float *m = s[0].data(), *v = s[1].data();
  float* pw = w.data();
  const float* pg = g.data();
  for (std::size_t i = 0; i < w.size(); ++i) {
    m[i] += (pg[i] - m[i]) * (1.0f - beta_1_);
    v[i] += (pg[i] * pg[i] - v[i]) * (1.0f - beta_2_);
    const float m_hat = m_coef * m[i] + g_coef * pg[i];
    pw[i] -= lr * m_hat / (std::sqrt(v_coef * v[i]) + epsilon_);
  }
}

}  // namespace tessera
