#include "layers/noise_layer.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

NoiseLayer::NoiseLayer(std::optional<std::uint64_t> seed, std::string name)
    : Layer(std::move(name)), rng_(seed) {}

void NoiseLayer::build_weights(const Shape&, Generator& gen) { rng_.seed_from(gen); }

Json NoiseLayer::get_config() const {
  Json config = Layer::get_config();
  config["seed"] = seed_to_json(rng_.seed());
  return config;
}

}  // namespace tessera
