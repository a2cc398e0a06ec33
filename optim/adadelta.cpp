#include "optim/adadelta.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "optim/optimizer_config.hpp"

namespace tessera {

Adadelta::Adadelta(float learning_rate, float rho, float epsilon)
    : Optimizer(learning_rate), rho_(rho), epsilon_(epsilon) {}

OptimizerPtr Adadelta::from_config(const Json& config) {
  OptimizerConfig c("Adadelta", config);
  auto opt = std::make_shared<Adadelta>(0.001f, c.number("rho", 0.95f), c.number("epsilon", 1e-7f));
  c.apply_base(*opt);
  return opt;
}

Json Adadelta::get_config() const {
  Json c = Optimizer::get_config();
  c["rho"] = rho_;
  c["epsilon"] = epsilon_;
  return c;
}

void Adadelta::update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t) {
  auto& s = slots(index, w, 2);  // accumulated squared gradients, accumulated squared deltas
  float *a = s[0].data(), *d = s[1].data();
  float* pw = w.data();
  const float* pg = g.data();
  for (std::size_t i = 0; i < w.size(); ++i) {
    a[i] = rho_ * a[i] + (1.0f - rho_) * pg[i] * pg[i];
    const float delta = -std::sqrt(d[i] + epsilon_) * pg[i] / std::sqrt(a[i] + epsilon_);
    d[i] = rho_ * d[i] + (1.0f - rho_) * delta * delta;
    pw[i] += lr * delta;
  }
}

}  // namespace tessera
