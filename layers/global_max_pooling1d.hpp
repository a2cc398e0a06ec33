// GlobalMaxPooling1D: the maximum over all steps, per channel.
#pragma once

#include "layers/global_pooling.hpp"

namespace tessera {

class GlobalMaxPooling1D : public GlobalPooling {
 public:
  explicit GlobalMaxPooling1D(GlobalPoolingOptions options = {})
      : GlobalPooling("GlobalMaxPooling1D", 1, PoolMode::max, std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<GlobalMaxPooling1D>("GlobalMaxPooling1D", config);
  }
};

}  // namespace tessera
