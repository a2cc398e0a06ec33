// Conv2D: spatial convolution over (batch, rows, cols, channels), or (batch, channels, rows, cols)
// with channels_first; kernel (kernel_rows, kernel_cols, in_channels, filters).
#pragma once

#include "layers/conv.hpp"

namespace tessera {

class Conv2D : public Conv {
 public:
  Conv2D(std::size_t filters, std::vector<long> kernel_size, ConvOptions conv = {},
         KernelOptions options = {});
  static LayerPtr from_config(const Json& config);
};

}  // namespace tessera
