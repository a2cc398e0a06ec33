#include "optim/adagrad.hpp"

#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "optim/optimizer_config.hpp"

namespace tessera {

namespace {

// An optimizer with a legacy decay is a legacy one (Keras 2.11+'s optimizers have no decay).
bool legacy_form(const Adagrad& o) { return o.legacy || o.decay != 0.0f; }

}  // namespace

Adagrad::Adagrad(float learning_rate, float initial_accumulator_value, float epsilon)
    : Optimizer(learning_rate), initial_accumulator_value_(initial_accumulator_value), epsilon_(epsilon) {
  if (!(initial_accumulator_value >= 0.0f))
    throw std::invalid_argument("Adagrad: initial_accumulator_value must be >= 0, got " +
                                std::to_string(initial_accumulator_value));
}

OptimizerPtr Adagrad::from_config(const Json& config) {
  OptimizerConfig c("Adagrad", config);
  auto opt = std::make_shared<Adagrad>(0.001f, c.number("initial_accumulator_value", 0.1f),
                                       c.number("epsilon", 1e-7f));
  opt->legacy = c.legacy();
  c.apply_base(*opt);
  return opt;
}

Json Adagrad::get_config() const {
  Json c = Optimizer::get_config();
  c["initial_accumulator_value"] = initial_accumulator_value_;
  c["epsilon"] = epsilon_;
  return legacy_form(*this) ? legacy_config(c, decay) : c;
}

void Adagrad::update(std::size_t index, Tensor& w, const Tensor& g, float lr, std::int64_t) {
  float* a = slots(index, w, 1, initial_accumulator_value_)[0].data();
  float* pw = w.data();
  const float* pg = g.data();
  for (std::size_t i = 0; i < w.size(); ++i) {
    a[i] += pg[i] * pg[i];
    pw[i] -= lr * pg[i] / (legacy_form(*this) ? std::sqrt(a[i]) + epsilon_ : std::sqrt(a[i] + epsilon_));
  }
}

}  // namespace tessera
