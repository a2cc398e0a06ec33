// UpSampling1D: every step of (batch, steps, features) repeated `size` times.
#pragma once

#include "layers/up_sampling.hpp"

namespace tessera {

class UpSampling1D : public UpSampling {
 public:
  explicit UpSampling1D(UpSamplingOptions options = {})
      : UpSampling("UpSampling1D", 1, std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<UpSampling1D>("UpSampling1D", 1, config);
  }
};

}  // namespace tessera
