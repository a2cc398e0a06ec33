// MaxPooling2D: the maximum of each pool_size window of rows × cols, per channel.
#pragma once

#include "layers/pooling.hpp"

namespace tessera {

class MaxPooling2D : public Pooling {
 public:
  explicit MaxPooling2D(PoolingOptions options = {})
      : Pooling("MaxPooling2D", 2, PoolMode::max, std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<MaxPooling2D>("MaxPooling2D", 2, config);
  }
};

}  // namespace tessera
