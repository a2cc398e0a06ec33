// Pooling: what MaxPooling1D/2D and AveragePooling1D/2D share (Keras' Pooling1D/Pooling2D bases).
// Windows of pool_size every strides (default: pool_size) with TensorFlow's 'valid'/'same';
// the average over 'same' windows divides by the real (unpadded) inputs only, as TensorFlow.
// channels_first data is pooled in channels-last order and moved back.
#pragma once

#include "core/pooling.hpp"
#include "layers/spatial_layer.hpp"

namespace tessera {

struct PoolingOptions {
  std::vector<long> pool_size = {2};  // an int ({2}) or one per spatial axis ({2, 3})
  std::vector<long> strides = {};     // empty: pool_size (Keras' strides=None)
  std::string padding = "valid";
  std::string data_format = "channels_last";
  std::string name = "";
};

class Pooling : public SpatialLayer {
 public:
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  Pooling(std::string class_name, std::size_t rank, PoolMode mode, PoolingOptions options);

  // The subclass L(options) from a Keras config of `class_name`.
  template <class L>
  static LayerPtr make_from_config(const std::string& class_name, std::size_t rank,
                                   const Json& config) {
    return configured<L>(config, options_from_config(class_name, rank, config));
  }

  void build_weights(const Shape& input_shape, Generator& gen) override;  // fixes the windows
  Variable call(const Variable& x, bool training) override;

 private:
  static PoolingOptions options_from_config(const std::string& class_name, std::size_t rank,
                                            const Json& config);
  Im2colSpec spec_for(const Shape& input_shape) const;

  PoolMode mode_;
  std::vector<std::size_t> pool_size_, strides_;
  std::string padding_;
  Im2colSpec spec_;
};

}  // namespace tessera
