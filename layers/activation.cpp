#include "layers/activation.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

Activation::Activation(const std::string& activation, std::string name) : Layer(std::move(name)) {
  try {
    activation_ = make_activation(activation);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
}

LayerPtr Activation::from_config(const Json& config) {
  const std::string name = config.value("name", "");
  std::string activation;
  try {
    activation = activation_from_json(config.at("activation")).name;
  } catch (const std::exception& e) {
    throw LayerError("Activation '" + name + "': " + e.what());
  }
  auto layer = std::make_shared<Activation>(activation, name);
  apply_base_config(*layer, config);
  return layer;
}

Variable Activation::call(const Variable& x, bool) { return activation_.fn(x); }

Json Activation::get_config() const {
  Json config = Layer::get_config();
  config["activation"] = activation_.name;
  return config;
}

}  // namespace tessera
