#include "optim/rmsprop.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optim/optimizer_config.hpp"

namespace tessera {

namespace {

// An optimizer with a legacy decay is a legacy one (Keras 2.11+'s optimizers have no decay).
bool legacy_form(const RMSprop& o) { return o.legacy || o.decay != 0.0f; }

}  // namespace

RMSprop::RMSprop(float learning_rate, float rho, float momentum, float epsilon, bool centered)
    : Optimizer(learning_rate), rho_(rho), momentum_(momentum), epsilon_(epsilon), centered_(centered) {}

OptimizerPtr RMSprop::from_config(const Json& config) {
  OptimizerConfig c("RMSprop", config);
  auto opt = std::make_shared<RMSprop>(0.001f, c.number("rho", 0.9f), c.number("momentum", 0.0f),
                                       c.number("epsilon", 1e-7f), c.flag("centered", false));
  opt->legacy = c.legacy();
  c.apply_base(*opt);
  return opt;
}

Json RMSprop::get_config() const {
  Json c = Optimizer::get_config();
  c["rho"] = rho_;
  c["momentum"] = momentum_;
  c["epsilon"] = epsilon_;
  c["centered"] = centered_;
  return legacy_form(*this) ? legacy_config(c, decay) : c;
}

void RMSprop::update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t) {
  // Slots: velocity, then the momentum and the average gradient when used.
  const bool momentum = momentum_ > 0.0f;
  auto& s = slots(index, w, 1 + (momentum ? 1 : 0) + (centered_ ? 1 : 0));
  float* v = s[0].data();
  float* p = momentum ? s[1].data() : nullptr;
  float* a = centered_ ? s.back().data() : nullptr;
  float* pw = w.data();
  const float* pg = g.data();
  for (std::size_t i = 0; i < w.size(); ++i) {
    v[i] = rho_ * v[i] + (1.0f - rho_) * pg[i] * pg[i];
    float d = v[i];  // the variance estimate, before ε
    if (a) {
      a[i] = rho_ * a[i] + (1.0f - rho_) * pg[i];
      d -= a[i] * a[i];
    }
    const float root = legacy_form(*this) && !p ? std::sqrt(d) + epsilon_ : std::sqrt(d + epsilon_);
    const float increment = lr * pg[i] / root;
    if (p) {
      p[i] = momentum_ * p[i] + increment;
      pw[i] -= p[i];
    } else {
      pw[i] -= increment;
    }
  }
}

}  // namespace tessera
