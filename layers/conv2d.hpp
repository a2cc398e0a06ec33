// Conv2D: spatial convolution over (batch, rows, cols, channels), or (batch, channels, rows, cols)
// with channels_first; kernel (kernel_rows, kernel_cols, in_channels, filters).
#pragma once

#include "layers/conv.hpp"

namespace tessera {

class Conv2D : public Conv {
 public:
  Conv2D(std::size_t filters, std::vector<long> kernel_size, ConvOptions conv = {},
         KernelOptions options = {})
      : Conv("Conv2D", 2, filters, kernel_size, std::move(conv), std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<Conv2D>("Conv2D", 2, config);
  }
};

}  // namespace tessera
