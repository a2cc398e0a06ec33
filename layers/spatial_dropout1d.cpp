#include "layers/spatial_dropout1d.hpp"

#include <nlohmann/json.hpp>

namespace tessera {

SpatialDropout1D::SpatialDropout1D(float rate, std::optional<std::uint64_t> seed, std::string name)
    : Dropout(rate, std::nullopt, seed, std::move(name), "SpatialDropout1D") {}

LayerPtr SpatialDropout1D::from_config(const Json& config) {
  DropoutArgs a = dropout_args_from_json(config);
  auto layer = std::make_shared<SpatialDropout1D>(a.rate, a.seed, config.value("name", ""));
  apply_base_config(*layer, config);
  return layer;
}

Shape SpatialDropout1D::compute_output_shape(const Shape& input_shape) const {
  if (input_shape.size() != 2)
    fail("expected an input of rank 3 (batch, steps, channels), got " + batch_shape_str(input_shape));
  return input_shape;
}

Shape SpatialDropout1D::mask_shape(const Shape& input_shape) const {
  return {input_shape[0], 1, input_shape[2]};
}

}  // namespace tessera
