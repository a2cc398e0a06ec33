#include "layers/conv.hpp"

#include <nlohmann/json.hpp>

#include "core/convolution.hpp"
#include "core/ops.hpp"
#include "layers/spatial_args.hpp"

namespace tessera {

Conv::Conv(std::string class_name, std::size_t rank, std::size_t filters,
           const std::vector<long>& kernel_size, ConvOptions conv, KernelOptions options)
    : SpatialLayer(std::move(class_name), rank, conv.data_format, options.name),
      filters_(filters),
      options_(std::move(options)),
      activation_(make_activation(options_.activation)) {
  if (filters_ == 0) fail("filters must be positive, got 0");
  kernel_size_ = positive_tuple(kernel_size, rank_, what("kernel_size"));
  strides_ = positive_tuple(conv.strides, rank_, what("strides"));
  dilation_rate_ = positive_tuple(conv.dilation_rate, rank_, what("dilation_rate"));
  padding_ = normalize_padding(conv.padding, what("padding"), rank_ == 1);
  if (conv.groups != 1)
    fail("groups must be 1 (tessera has no grouped convolution), got " +
         std::to_string(conv.groups));
  activity_regularizer = options_.activity_regularizer;
}

Conv::Args Conv::args_from_config(const std::string& class_name, std::size_t rank,
                                  const Json& config) {
  auto sizes = [&](const std::string& key, const Json& fallback) {
    const auto v = positive_tuple(config_value(config, key, fallback), rank,
                                  config_what(class_name, config, key));
    return std::vector<long>(v.begin(), v.end());
  };
  const Json& filters = config.at("filters");
  if (!filters.is_number_integer() || filters.get<long>() <= 0)
    throw LayerError(config_what(class_name, config, "filters") +
                     " must be a positive integer, got " + filters.dump());
  Args a;
  a.filters = filters.get<std::size_t>();
  a.kernel_size = sizes("kernel_size", Json());
  a.conv.strides = sizes("strides", 1);
  a.conv.dilation_rate = sizes("dilation_rate", 1);
  a.conv.padding = config_value(config, "padding", "valid").get<std::string>();
  a.conv.data_format = data_format_from_json(config, class_name);
  a.conv.groups = config_value(config, "groups", 1).get<long>();
  a.options = kernel_options_from_json(config);
  return a;
}

Im2colSpec Conv::spec_for(const Shape& input_shape) const {
  return windows(input_shape, kernel_size_, strides_, dilation_rate_, padding_);
}

Shape Conv::compute_output_shape(const Shape& input_shape) const {
  return sample_shape(window_out_sizes(spec_for(input_shape), rank_), filters_, data_format_);
}

void Conv::build_weights(const Shape& input_shape, Generator& gen) {
  spec_ = spec_for(input_shape);
  Shape kernel(kernel_size_.begin(), kernel_size_.end());
  kernel.push_back(channels_of(input_shape, data_format_));
  kernel.push_back(filters_);
  add_weight("kernel", kernel, options_.kernel_initializer, gen, options_.kernel_regularizer,
             options_.kernel_constraint);
  if (options_.use_bias)
    add_weight("bias", {filters_}, options_.bias_initializer, gen, options_.bias_regularizer,
               options_.bias_constraint);
}

Variable Conv::call(const Variable& x, bool) {
  Variable in = to_channels_last(x, data_format_);  // (B, spatial..., C)
  const long batch = long(in.shape().front());
  // The bias is per filter, also for channels_first.
  const Variable bias = options_.use_bias ? weight("bias") : Variable();
  // relu commutes with the reshapes and transposes after it: the op applies it per sample.
  const bool relu = activation_.name == "relu";
  Variable y = convolution(as_rows_cols(in), weight("kernel"), options_.use_bias ? &bias : nullptr,
                           spec_, relu);  // (B, OH, OW, F)
  if (rank_ == 1) y = reshape(y, {batch, long(spec_.out_w), long(filters_)});
  y = from_channels_last(y, data_format_);
  return relu ? y : activation_.fn(y);
}

Json Conv::get_config() const {
  Json config = Layer::get_config();
  config["filters"] = filters_;
  config["kernel_size"] = kernel_size_;
  config["strides"] = strides_;
  config["padding"] = padding_;
  config["data_format"] = data_format_;
  config["dilation_rate"] = dilation_rate_;
  config["groups"] = 1;
  kernel_options_to_json(options_, config);
  return config;
}

}  // namespace tessera
