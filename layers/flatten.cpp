#include "layers/flatten.hpp"

#include <numeric>

#include <nlohmann/json.hpp>

#include "core/ops.hpp"

namespace tessera {

Flatten::Flatten(const std::string& data_format, std::string name) : Layer(std::move(name)) {
  try {
    data_format_ = normalize_data_format(data_format, "data_format");
  } catch (const LayerError& e) {
    fail(e.what());
  }
}

LayerPtr Flatten::from_config(const Json& config) {
  auto layer = std::make_shared<Flatten>(
      config_value(config, "data_format", "channels_last").get<std::string>(),
      config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Shape Flatten::compute_output_shape(const Shape& input_shape) const {
  return {shape_size(input_shape)};
}

Variable Flatten::call(const Variable& x, bool) {
  const Shape s = x.shape();
  Variable y = x;
  if (data_format_ == "channels_first" && s.size() > 2) {
    std::vector<std::size_t> perm(s.size());
    std::iota(perm.begin() + 1, perm.end() - 1, std::size_t(2));
    perm.back() = 1;
    y = transpose(x, perm);
  }
  return reshape(y, {long(s[0]), long(shape_size(output_shape()))});
}

Json Flatten::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = data_format_;
  return config;
}

}  // namespace tessera
