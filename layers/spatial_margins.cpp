#include "layers/spatial_margins.hpp"

#include <nlohmann/json.hpp>

#include "layers/spatial_args.hpp"

namespace tessera {

SpatialMargins::SpatialMargins(std::string class_name, std::size_t rank, Kind kind,
                               AxisPads margins, MarginOptions options)
    : SpatialLayer(std::move(class_name), rank, options.data_format, options.name),
      kind_(kind),
      margins_(std::move(margins)) {
  if (rank_ == 1 && data_format_ != "channels_last")
    fail("data_format must be 'channels_last' (1-D layers pad or crop the steps axis), got '" +
         data_format_ + "'");
  if (margins_.size() != rank_)
    fail(key() + " must give (before, after) for " + std::to_string(rank_) + " spatial axes, got " +
         std::to_string(margins_.size()));
}

AxisPads SpatialMargins::margins_from_config(const std::string& class_name, std::size_t rank,
                                             Kind kind, const Json& config) {
  const std::string key = kind == Kind::cropping ? "cropping" : "padding";
  // Keras' defaults: ZeroPadding 1 on every side; Cropping1D (1, 1), Cropping2D nothing.
  const Json fallback = kind == Kind::zero_padding || rank == 1 ? 1 : 0;
  return spatial_pairs_from_json(config_value(config, key, fallback), rank,
                                 config_what(class_name, config, key));
}

MarginOptions SpatialMargins::options_from_config(const std::string& class_name, std::size_t rank,
                                                  const Json& config) {
  MarginOptions o;
  if (rank == 2) o.data_format = data_format_from_json(config, class_name);
  o.name = config_value(config, "name", "").get<std::string>();
  return o;
}

Shape SpatialMargins::compute_output_shape(const Shape& input_shape) const {
  check_rank(input_shape);
  const AxisPads all = batched_pairs(margins_, data_format_);
  Shape out = input_shape;
  for (std::size_t a = 0; a < out.size(); ++a) {
    const std::size_t total = all[a + 1].first + all[a + 1].second;
    if (kind_ == Kind::zero_padding) {
      out[a] += total;
    } else if (total >= out[a]) {
      fail("cropping " + spatial_pairs_to_json(margins_).dump() + " leaves nothing of input " +
           shape_str(input_shape));
    } else {
      out[a] -= total;
    }
  }
  return out;
}

Variable SpatialMargins::call(const Variable& x, bool) {
  const AxisPads all = batched_pairs(margins_, data_format_);
  return kind_ == Kind::zero_padding ? zero_pad(x, all) : crop(x, all);
}

Json SpatialMargins::get_config() const {
  Json config = Layer::get_config();
  config[key()] = spatial_pairs_to_json(margins_);
  if (rank_ == 2) config["data_format"] = data_format_;
  return config;
}

}  // namespace tessera
