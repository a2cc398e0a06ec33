#include "layers/spatial_dropout2d.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

SpatialDropout2D::SpatialDropout2D(float rate, const std::string& data_format,
                                   std::optional<std::uint64_t> seed, std::string name)
    : Dropout(rate, std::nullopt, seed, std::move(name), "SpatialDropout2D") {
  try {
    data_format_ = normalize_data_format(data_format, "data_format");
  } catch (const LayerError& e) {
    fail(e.what());
  }
}

LayerPtr SpatialDropout2D::from_config(const Json& config) {
  DropoutArgs a = dropout_args_from_json(config);
  auto layer = std::make_shared<SpatialDropout2D>(
      a.rate, config_value(config, "data_format", "channels_last").get<std::string>(), a.seed,
      config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Shape SpatialDropout2D::compute_output_shape(const Shape& input_shape) const {
  if (input_shape.size() != 3)
    fail("expected an input of rank 4, got " + batch_shape_str(input_shape));
  return input_shape;
}

Shape SpatialDropout2D::mask_shape(const Shape& s) const {
  if (data_format_ == "channels_first") return {s[0], s[1], 1, 1};
  return {s[0], 1, 1, s[3]};
}

Json SpatialDropout2D::get_config() const {
  Json config = Dropout::get_config();
  config["data_format"] = data_format_;
  return config;
}

}  // namespace tessera
