// Conv: what Conv1D and Conv2D share (Keras' base class Conv). y = activation(conv(x, kernel) +
// bias), computed by core/convolution (per sample, patches and one BLAS product) on
// channels-last data; channels_first input is moved to channels-last and back. A 1-D convolution is the 2-D one with a single row.
// Weights: kernel (k..., in_channels, filters), bias (filters,) — Keras' layouts.
// Padding: 'valid', 'same' (TensorFlow's split, the odd pad on the right) and, for Conv1D only,
// 'causal' (left pad (k − 1)·dilation, then 'valid'). groups must be 1.
#pragma once

#include "layers/spatial_layer.hpp"

namespace tessera {

// Keras' convolution arguments; sizes are an int ({3}) or one per spatial axis ({3, 2}).
struct ConvOptions {
  std::vector<long> strides = {1};
  std::string padding = "valid";
  std::string data_format = "channels_last";
  std::vector<long> dilation_rate = {1};
  long groups = 1;
};

class Conv : public SpatialLayer {
 public:
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  Conv(std::string class_name, std::size_t rank, std::size_t filters,
       const std::vector<long>& kernel_size, ConvOptions conv, KernelOptions options);

  // The subclass L(filters, kernel_size, conv, options) from a Keras config of `class_name`.
  template <class L>
  static LayerPtr make_from_config(const std::string& class_name, std::size_t rank,
                                   const Json& config) {
    Args a = args_from_config(class_name, rank, config);
    return configured<L>(config, a.filters, a.kernel_size, a.conv, a.options);
  }

  void build_weights(const Shape& input_shape, Generator& gen) override;
  Variable call(const Variable& x, bool training) override;

 private:
  struct Args {
    std::size_t filters = 0;
    std::vector<long> kernel_size;
    ConvOptions conv;
    KernelOptions options;
  };
  static Args args_from_config(const std::string& class_name, std::size_t rank, const Json& config);

  Im2colSpec spec_for(const Shape& input_shape) const;

  std::size_t filters_;
  std::vector<std::size_t> kernel_size_, strides_, dilation_rate_;
  std::string padding_;
  KernelOptions options_;
  NamedActivation activation_;
  Im2colSpec spec_;  // fixed by build
};

}  // namespace tessera
