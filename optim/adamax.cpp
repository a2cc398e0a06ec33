#include "optim/adamax.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "optim/optimizer_config.hpp"

namespace tessera {

Adamax::Adamax(float learning_rate, float beta_1, float beta_2, float epsilon)
    : Optimizer(learning_rate), beta_1_(beta_1), beta_2_(beta_2), epsilon_(epsilon) {}

OptimizerPtr Adamax::from_config(const Json& config) {
  OptimizerConfig c("Adamax", config);
  auto opt = std::make_shared<Adamax>(0.001f, c.number("beta_1", 0.9f), c.number("beta_2", 0.999f),
                                      c.number("epsilon", 1e-7f));
  c.apply_base(*opt);
  return opt;
}

Json Adamax::get_config() const {
  Json c = Optimizer::get_config();
  c["beta_1"] = beta_1_;
  c["beta_2"] = beta_2_;
  c["epsilon"] = epsilon_;
  return c;
}

void Adamax::update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t step) {
  const float correction = static_cast<float>(1.0 - std::pow(double{beta_1_}, static_cast<double>(step)));
  auto& s = slots(index, w, 2);  // m, u
  float *m = s[0].data(), *u = s[1].data();
  float* pw = w.data();
  const float* pg = g.data();
  for (std::size_t i = 0; i < w.size(); ++i) {
    m[i] += (pg[i] - m[i]) * (1.0f - beta_1_);
    u[i] = std::max(beta_2_ * u[i], std::abs(pg[i]));
    pw[i] -= lr * m[i] / (correction * (u[i] + epsilon_));
  }
}

}  // namespace tessera
