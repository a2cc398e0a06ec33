// UpSampling: what UpSampling1D and UpSampling2D share — each step (or row and col) repeated
// `size` times; UpSampling2D can interpolate bilinearly instead. UpSampling1D has no data_format
// (as in Keras: it repeats axis 1 of (batch, steps, features)).
#pragma once

#include "layers/spatial_layer.hpp"

namespace tessera {

struct UpSamplingOptions {
  std::vector<long> size = {2};               // an int ({2}) or one per spatial axis ({2, 3})
  std::string data_format = "channels_last";  // UpSampling2D only
  std::string interpolation = "nearest";      // UpSampling2D only: 'nearest' or 'bilinear'
  std::string name = "";
};

class UpSampling : public SpatialLayer {
 public:
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  UpSampling(std::string class_name, std::size_t rank, UpSamplingOptions options);

  // The subclass L(options) from a Keras config of `class_name`.
  template <class L>
  static LayerPtr make_from_config(const std::string& class_name, std::size_t rank,
                                   const Json& config) {
    return configured<L>(config, options_from_config(class_name, rank, config));
  }

  Variable call(const Variable& x, bool training) override;

 private:
  static UpSamplingOptions options_from_config(const std::string& class_name, std::size_t rank,
                                               const Json& config);

  std::vector<std::size_t> size_;
  std::string interpolation_;
};

}  // namespace tessera
