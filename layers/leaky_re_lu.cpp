#include "layers/leaky_re_lu.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

namespace tessera {

LeakyReLU::LeakyReLU(float alpha, std::string name) : Layer(std::move(name)), alpha_(alpha) {
  if (!std::isfinite(alpha_)) fail("alpha must be a finite number, got " + std::to_string(alpha_));
}

LayerPtr LeakyReLU::from_config(const Json& config) {
  const float alpha = config.contains("negative_slope")
                          ? config_value(config, "negative_slope", 0.3f).get<float>()
                          : config_value(config, "alpha", 0.3f).get<float>();
  auto layer = std::make_shared<LeakyReLU>(alpha, config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Variable LeakyReLU::call(const Variable& x, bool) { return relu(x, alpha_); }

Json LeakyReLU::get_config() const {
  Json config = Layer::get_config();
  config["alpha"] = alpha_;
  return config;
}

}  // namespace tessera
