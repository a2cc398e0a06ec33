#include "layers/gaussian_noise.hpp"

#include <nlohmann/json.hpp>

#include "core/ops.hpp"

namespace tessera {

GaussianNoise::GaussianNoise(float stddev, std::optional<std::uint64_t> seed, std::string name)
    : NoiseLayer(seed, std::move(name)), stddev_(stddev) {
  if (!(stddev_ >= 0.0f)) fail("stddev must be non-negative, got " + std::to_string(stddev_));
}

LayerPtr GaussianNoise::from_config(const Json& config) {
  auto layer = std::make_shared<GaussianNoise>(config.at("stddev").get<float>(),
                                               seed_from_json(config), config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Variable GaussianNoise::call(const Variable& x, bool training) {
  if (!training) return x;
  return add(x, Variable(noise().normal(x.shape(), 0.0f, stddev_)));
}

Json GaussianNoise::get_config() const {
  Json config = NoiseLayer::get_config();
  config["stddev"] = stddev_;
  return config;
}

}  // namespace tessera
