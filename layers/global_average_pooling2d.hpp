// GlobalAveragePooling2D: the mean over all rows and cols, per channel.
#pragma once

#include "layers/global_pooling.hpp"

namespace tessera {

class GlobalAveragePooling2D : public GlobalPooling {
 public:
  explicit GlobalAveragePooling2D(GlobalPoolingOptions options = {})
      : GlobalPooling("GlobalAveragePooling2D", 2, PoolMode::average, std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<GlobalAveragePooling2D>("GlobalAveragePooling2D", config);
  }
};

}  // namespace tessera
