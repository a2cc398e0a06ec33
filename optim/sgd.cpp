#include "optim/sgd.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>
#include <xtensor/xnoalias.hpp>

#include "optim/optimizer_config.hpp"

namespace tessera {

SGD::SGD(float learning_rate, float momentum, bool nesterov)
    : Optimizer(learning_rate), momentum_(momentum), nesterov_(nesterov) {
  if (!(momentum >= 0.0f && momentum <= 1.0f))
    throw std::invalid_argument("SGD: momentum must be between 0 and 1, got " + std::to_string(momentum));
}

OptimizerPtr SGD::from_config(const Json& config) {
  OptimizerConfig c("SGD", config);
  auto opt = std::make_shared<SGD>(0.01f, c.number("momentum", 0.0f), c.flag("nesterov", false));
  c.apply_base(*opt);
  return opt;
}

Json SGD::get_config() const {
  Json c = Optimizer::get_config();
  c["momentum"] = momentum_;
  c["nesterov"] = nesterov_;
  return c;
}

void SGD::update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t) {
  if (momentum_ == 0.0f) {  // v = −lr·g: no state needed
    xt::noalias(w) -= lr * g;  // without a temporary (core/tensor.hpp)
    return;
  }
  float* v = slots(index, w, 1)[0].data();
  float* pw = w.data();
  const float* pg = g.data();
  for (std::size_t i = 0; i < w.size(); ++i) {
    v[i] = momentum_ * v[i] - lr * pg[i];
    pw[i] += nesterov_ ? momentum_ * v[i] - lr * pg[i] : v[i];
  }
}

}  // namespace tessera
