#include "layers/pooling.hpp"

#include <nlohmann/json.hpp>

#include "core/ops.hpp"
#include "layers/spatial_args.hpp"

namespace tessera {

Pooling::Pooling(std::string class_name, std::size_t rank, PoolMode mode, PoolingOptions options)
    : SpatialLayer(std::move(class_name), rank, options.data_format, options.name), mode_(mode) {
  pool_size_ = positive_tuple(options.pool_size, rank_, what("pool_size"));
  strides_ = options.strides.empty() ? pool_size_
                                     : positive_tuple(options.strides, rank_, what("strides"));
  padding_ = normalize_padding(options.padding, what("padding"));
}

PoolingOptions Pooling::options_from_config(const std::string& class_name, std::size_t rank,
                                            const Json& config) {
  auto sizes = [&](const std::string& key) {
    const auto v =
        positive_tuple(config_value(config, key, 2), rank, config_what(class_name, config, key));
    return std::vector<long>(v.begin(), v.end());
  };
  PoolingOptions o;
  o.pool_size = sizes("pool_size");
  if (config.contains("strides") && !config["strides"].is_null()) o.strides = sizes("strides");
  o.padding = config_value(config, "padding", "valid").get<std::string>();
  o.data_format = data_format_from_json(config, class_name);
  o.name = config_value(config, "name", "").get<std::string>();
  return o;
}

Im2colSpec Pooling::spec_for(const Shape& input_shape) const {
  return windows(input_shape, pool_size_, strides_, std::vector<std::size_t>(rank_, 1), padding_);
}

Shape Pooling::compute_output_shape(const Shape& input_shape) const {
  const Im2colSpec spec = spec_for(input_shape);
  const std::size_t channels = channels_of(input_shape, data_format_);
  return sample_shape(window_out_sizes(spec, rank_), channels, data_format_);
}

void Pooling::build_weights(const Shape& input_shape, Generator&) { spec_ = spec_for(input_shape); }

Variable Pooling::call(const Variable& x, bool) {
  Variable in = to_channels_last(x, data_format_);
  const Shape s = in.shape();
  std::vector<long> out{long(s.front())};
  for (std::size_t n : window_out_sizes(spec_, rank_)) out.push_back(long(n));
  out.push_back(long(s.back()));
  Variable y = pool2d(as_rows_cols(in), spec_, mode_);
  return from_channels_last(reshape(y, out), data_format_);
}

Json Pooling::get_config() const {
  Json config = Layer::get_config();
  config["pool_size"] = pool_size_;
  config["strides"] = strides_;
  config["padding"] = padding_;
  config["data_format"] = data_format_;
  return config;
}

}  // namespace tessera
