#include "layers/global_pooling.hpp"

#include <nlohmann/json.hpp>

#include "core/ops.hpp"
#include "layers/spatial_args.hpp"

namespace tessera {

GlobalPooling::GlobalPooling(std::string class_name, std::size_t rank, PoolMode mode,
                             GlobalPoolingOptions options)
    : SpatialLayer(std::move(class_name), rank, options.data_format, options.name),
      mode_(mode),
      keepdims_(options.keepdims) {}

GlobalPoolingOptions GlobalPooling::options_from_config(const std::string& class_name,
                                                        const Json& config) {
  GlobalPoolingOptions o;
  o.data_format = data_format_from_json(config, class_name);
  o.keepdims = config_value(config, "keepdims", false).get<bool>();
  o.name = config_value(config, "name", "").get<std::string>();
  return o;
}

Shape GlobalPooling::compute_output_shape(const Shape& input_shape) const {
  check_rank(input_shape);
  for (std::size_t n : spatial_sizes(input_shape, data_format_))
    if (n == 0) fail("cannot pool over an empty input " + shape_str(input_shape));
  const std::size_t channels = channels_of(input_shape, data_format_);
  if (!keepdims_) return {channels};
  return sample_shape(std::vector<std::size_t>(rank_, 1), channels, data_format_);
}

Variable GlobalPooling::call(const Variable& x, bool) {
  std::vector<long> out{long(x.shape().front())};
  for (std::size_t n : output_shape()) out.push_back(long(n));
  if (mode_ == PoolMode::average) {
    std::vector<int> axes;
    for (std::size_t a = 0; a < rank_; ++a)
      axes.push_back(int(a) + (data_format_ == "channels_first" ? 2 : 1));
    return reshape(mean(x, axes), out);
  }
  // The maximum is one pooling window as large as the input.
  Variable in = as_rows_cols(to_channels_last(x, data_format_));
  const Shape s = in.shape();
  Variable y = pool2d(in, make_im2col_spec(s[1], s[2], s[1], s[2], 1, 1, 1, 1, "valid"), mode_);
  return reshape(y, out);
}

Json GlobalPooling::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = data_format_;
  config["keepdims"] = keepdims_;
  return config;
}

}  // namespace tessera
