// GlobalAveragePooling1D: the mean over all steps, per channel.
#pragma once

#include "layers/global_pooling.hpp"

namespace tessera {

class GlobalAveragePooling1D : public GlobalPooling {
 public:
  explicit GlobalAveragePooling1D(GlobalPoolingOptions options = {})
      : GlobalPooling("GlobalAveragePooling1D", 1, PoolMode::average, std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<GlobalAveragePooling1D>("GlobalAveragePooling1D", config);
  }
};

}  // namespace tessera
