// GlobalMaxPooling2D: the maximum over all rows and cols, per channel.
#pragma once

#include "layers/global_pooling.hpp"

namespace tessera {

class GlobalMaxPooling2D : public GlobalPooling {
 public:
  explicit GlobalMaxPooling2D(GlobalPoolingOptions options = {})
      : GlobalPooling("GlobalMaxPooling2D", 2, PoolMode::max, std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<GlobalMaxPooling2D>("GlobalMaxPooling2D", config);
  }
};

}  // namespace tessera
