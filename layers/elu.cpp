#include "layers/elu.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

namespace tessera {

ELU::ELU(float alpha, std::string name) : Layer(std::move(name)), alpha_(alpha) {
  if (!std::isfinite(alpha_)) fail("alpha must be a finite number, got " + std::to_string(alpha_));
}

LayerPtr ELU::from_config(const Json& config) {
  auto layer = std::make_shared<ELU>(config_value(config, "alpha", 1.0f).get<float>(),
                                     config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Variable ELU::call(const Variable& x, bool) { return elu(x, alpha_); }

Json ELU::get_config() const {
  Json config = Layer::get_config();
  config["alpha"] = alpha_;
  return config;
}

}  // namespace tessera
