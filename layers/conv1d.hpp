// Conv1D: temporal convolution over (batch, steps, channels), or (batch, channels, steps) with
// channels_first; kernel (k, in_channels, filters). Padding 'valid', 'same' or 'causal'.
#pragma once

#include "layers/conv.hpp"

namespace tessera {

class Conv1D : public Conv {
 public:
  Conv1D(std::size_t filters, std::vector<long> kernel_size, ConvOptions conv = {},
         KernelOptions options = {});
  static LayerPtr from_config(const Json& config);
};

}  // namespace tessera
