#include "layers/re_lu.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

namespace tessera {

ReLU::ReLU(ReLUOptions options) : Layer(options.name), options_(std::move(options)) {
  // Keras refuses negative values for all three.
  if (options_.max_value < 0.0f)
    fail("max_value must be non-negative, got " + std::to_string(options_.max_value));
  if (options_.negative_slope < 0.0f)
    fail("negative_slope must be non-negative, got " + std::to_string(options_.negative_slope));
  if (options_.threshold < 0.0f)
    fail("threshold must be non-negative, got " + std::to_string(options_.threshold));
}

LayerPtr ReLU::from_config(const Json& config) {
  ReLUOptions o;
  o.max_value = config_value(config, "max_value", o.max_value).get<float>();
  o.negative_slope = config_value(config, "negative_slope", 0.0f).get<float>();
  o.threshold = config_value(config, "threshold", 0.0f).get<float>();
  o.name = config.value("name", "");
  auto layer = std::make_shared<ReLU>(o);
  apply_base_config(*layer, config);
  return layer;
}

Variable ReLU::call(const Variable& x, bool) {
  return relu(x, options_.negative_slope, options_.max_value, options_.threshold);
}

Json ReLU::get_config() const {
  Json config = Layer::get_config();
  config["max_value"] = std::isinf(options_.max_value) ? Json(nullptr) : Json(options_.max_value);
  config["negative_slope"] = options_.negative_slope;
  config["threshold"] = options_.threshold;
  return config;
}

}  // namespace tessera
