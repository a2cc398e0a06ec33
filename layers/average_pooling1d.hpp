// AveragePooling1D: the mean of each window of pool_size steps, per channel.
#pragma once

#include "layers/pooling.hpp"

namespace tessera {

class AveragePooling1D : public Pooling {
 public:
  explicit AveragePooling1D(PoolingOptions options = {})
      : Pooling("AveragePooling1D", 1, PoolMode::average, std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<AveragePooling1D>("AveragePooling1D", 1, config);
  }
};

}  // namespace tessera
