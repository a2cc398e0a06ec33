// MaxPooling1D: the maximum of each window of pool_size steps, per channel.
#pragma once

#include "layers/pooling.hpp"

namespace tessera {

class MaxPooling1D : public Pooling {
 public:
  explicit MaxPooling1D(PoolingOptions options = {})
      : Pooling("MaxPooling1D", 1, PoolMode::max, std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<MaxPooling1D>("MaxPooling1D", 1, config);
  }
};

}  // namespace tessera
