// AveragePooling2D: the mean of each pool_size window of rows × cols, per channel.
#pragma once

#include "layers/pooling.hpp"

namespace tessera {

class AveragePooling2D : public Pooling {
 public:
  explicit AveragePooling2D(PoolingOptions options = {})
      : Pooling("AveragePooling2D", 2, PoolMode::average, std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<AveragePooling2D>("AveragePooling2D", 2, config);
  }
};

}  // namespace tessera
