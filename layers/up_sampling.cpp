#include "layers/up_sampling.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/resize.hpp"
#include "layers/spatial_args.hpp"

namespace tessera {

UpSampling::UpSampling(std::string class_name, std::size_t rank, UpSamplingOptions options)
    : SpatialLayer(std::move(class_name), rank, options.data_format, options.name) {
  size_ = positive_tuple(options.size, rank_, what("size"));
  interpolation_ = options.interpolation;
  std::transform(interpolation_.begin(), interpolation_.end(), interpolation_.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (rank_ == 1 && data_format_ != "channels_last")
    fail("data_format must be 'channels_last' (UpSampling1D repeats the steps axis), got '" +
         data_format_ + "'");
  const bool bilinear_ok = rank_ == 2 && interpolation_ == "bilinear";
  if (interpolation_ != "nearest" && !bilinear_ok)
    fail(std::string("interpolation must be 'nearest'") + (rank_ == 2 ? " or 'bilinear'" : "") +
         ", got '" + options.interpolation + "'");
}

UpSamplingOptions UpSampling::options_from_config(const std::string& class_name, std::size_t rank,
                                                  const Json& config) {
  UpSamplingOptions o;
  const auto size = positive_tuple(config_value(config, "size", 2), rank,
                                   config_what(class_name, config, "size"));
  o.size.assign(size.begin(), size.end());
  if (rank == 2) {
    o.data_format = data_format_from_json(config, class_name);
    o.interpolation = config_value(config, "interpolation", "nearest").get<std::string>();
  }
  o.name = config_value(config, "name", "").get<std::string>();
  return o;
}

Shape UpSampling::compute_output_shape(const Shape& input_shape) const {
  check_rank(input_shape);
  auto sizes = spatial_sizes(input_shape, data_format_);
  for (std::size_t i = 0; i < rank_; ++i) sizes[i] *= size_[i];
  const std::size_t channels = channels_of(input_shape, data_format_);
  return sample_shape(sizes, channels, data_format_);
}

Variable UpSampling::call(const Variable& x, bool) {
  if (interpolation_ == "bilinear") {
    // tf.keras 2.x: UpSampling2D → backend.resize_images → tf.image.resize(method=BILINEAR)
    // (keras/backend.py), which is resize_images_v2 → gen_image_ops.resize_bilinear(...,
    // half_pixel_centers=True) (tensorflow/python/ops/image_ops_impl.py).
    Variable y = resize_bilinear(to_channels_last(x, data_format_), size_[0], size_[1]);
    return from_channels_last(y, data_format_);
  }
  // Nearest with whole factors repeats each entry (TensorFlow's half-pixel nearest does the same).
  const std::size_t first = data_format_ == "channels_first" ? 2 : 1;
  Variable y = x;
  for (std::size_t i = 0; i < rank_; ++i) y = repeat_elements(y, first + i, size_[i]);
  return y;
}

Json UpSampling::get_config() const {
  Json config = Layer::get_config();
  if (rank_ == 1) {
    config["size"] = size_[0];
    return config;
  }
  config["size"] = size_;
  config["data_format"] = data_format_;
  config["interpolation"] = interpolation_;
  return config;
}

}  // namespace tessera
