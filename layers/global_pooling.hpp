// GlobalPooling: what GlobalAveragePooling1D/2D and GlobalMaxPooling1D/2D share (Keras'
// GlobalPooling1D/2D bases): the mean or maximum over all steps (or rows and cols) per channel.
// Output (batch, channels), or with keepdims the spatial axes kept with size 1 (TF ≥ 2.6).
#pragma once

#include "core/pooling.hpp"
#include "layers/spatial_layer.hpp"

namespace tessera {

struct GlobalPoolingOptions {
  std::string data_format = "channels_last";
  bool keepdims = false;
  std::string name = "";
};

class GlobalPooling : public SpatialLayer {
 public:
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  GlobalPooling(std::string class_name, std::size_t rank, PoolMode mode,
                GlobalPoolingOptions options);

  // The subclass L(options) from a Keras config of `class_name`.
  template <class L>
  static LayerPtr make_from_config(const std::string& class_name, const Json& config) {
    return configured<L>(config, options_from_config(class_name, config));
  }

  Variable call(const Variable& x, bool training) override;

 private:
  static GlobalPoolingOptions options_from_config(const std::string& class_name,
                                                  const Json& config);

  PoolMode mode_;
  bool keepdims_;
};

}  // namespace tessera
