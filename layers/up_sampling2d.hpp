// UpSampling2D: rows and cols repeated size times (nearest) or interpolated (bilinear).
#pragma once

#include "layers/up_sampling.hpp"

namespace tessera {

class UpSampling2D : public UpSampling {
 public:
  explicit UpSampling2D(UpSamplingOptions options = {})
      : UpSampling("UpSampling2D", 2, std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<UpSampling2D>("UpSampling2D", 2, config);
  }
};

}  // namespace tessera
