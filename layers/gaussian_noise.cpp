#include "layers/gaussian_noise.hpp"

#include <nlohmann/json.hpp>

#include "core/ops.hpp"

namespace tessera {

GaussianNoise::GaussianNoise(float stddev, std::optional<std::uint64_t> seed, std::string name)
    : Layer(std::move(name)), stddev_(stddev), rng_(seed) {
  if (!(stddev_ >= 0.0f)) fail("stddev must be non-negative, got " + std::to_string(stddev_));
}

LayerPtr GaussianNoise::from_config(const Json& config) {
  auto layer = std::make_shared<GaussianNoise>(config.at("stddev").get<float>(),
                                               seed_from_json(config), config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

void GaussianNoise::build_weights(const Shape&, Generator& gen) { rng_.seed_from(gen); }

Variable GaussianNoise::call(const Variable& x, bool training) {
  if (!training) return x;
  return add(x, Variable(rng_.gen().normal(x.shape(), 0.0f, stddev_)));
}

Json GaussianNoise::get_config() const {
  Json config = Layer::get_config();
  config["stddev"] = stddev_;
  config["seed"] = seed_to_json(rng_.seed());
  return config;
}

}  // namespace tessera
