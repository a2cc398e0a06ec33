#include "layers/thresholded_re_lu.hpp"

#include <nlohmann/json.hpp>

#include "core/ops.hpp"

namespace tessera {

ThresholdedReLU::ThresholdedReLU(float theta, std::string name)
    : Layer(std::move(name)), theta_(theta) {
  if (!(theta_ >= 0.0f)) fail("theta must be non-negative, got " + std::to_string(theta_));
}

LayerPtr ThresholdedReLU::from_config(const Json& config) {
  auto layer = std::make_shared<ThresholdedReLU>(config_value(config, "theta", 1.0f).get<float>(),
                                                 config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Variable ThresholdedReLU::call(const Variable& x, bool) {
  // x · (x > theta): the mask is a constant, so the gradient is the mask.
  Tensor mask = xt::cast<float>(x.value() > theta_);
  return mul(x, Variable(std::move(mask)));
}

Json ThresholdedReLU::get_config() const {
  Json config = Layer::get_config();
  config["theta"] = theta_;
  return config;
}

}  // namespace tessera
