#include "layers/gaussian_dropout.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/ops.hpp"

namespace tessera {

GaussianDropout::GaussianDropout(float rate, std::optional<std::uint64_t> seed, std::string name)
    : NoiseLayer(seed, std::move(name)), rate_(rate) {
  if (!(rate_ >= 0.0f && rate_ < 1.0f)) fail("rate must be in [0, 1), got " + std::to_string(rate_));
}

LayerPtr GaussianDropout::from_config(const Json& config) {
  auto layer = std::make_shared<GaussianDropout>(config.at("rate").get<float>(),
                                                 seed_from_json(config), config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Variable GaussianDropout::call(const Variable& x, bool training) {
  if (!training || rate_ == 0.0f) return x;
  const float stddev = std::sqrt(rate_ / (1.0f - rate_));
  return mul(x, Variable(noise().normal(x.shape(), 1.0f, stddev)));
}

Json GaussianDropout::get_config() const {
  Json config = NoiseLayer::get_config();
  config["rate"] = rate_;
  return config;
}

}  // namespace tessera
