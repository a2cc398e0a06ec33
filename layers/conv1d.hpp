// Conv1D: temporal convolution over (batch, steps, channels), or (batch, channels, steps) with
// channels_first; kernel (k, in_channels, filters). Padding 'valid', 'same' or 'causal'.
#pragma once

#include "layers/conv.hpp"

namespace tessera {

class Conv1D : public Conv {
 public:
  Conv1D(std::size_t filters, std::vector<long> kernel_size, ConvOptions conv = {},
         KernelOptions options = {})
      : Conv("Conv1D", 1, filters, kernel_size, std::move(conv), std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<Conv1D>("Conv1D", 1, config);
  }
};

}  // namespace tessera
