// ZeroPadding1D: zeros added before and after the steps of (batch, steps, features).
#pragma once

#include "layers/spatial_margins.hpp"

namespace tessera {

class ZeroPadding1D : public SpatialMargins {
 public:
  explicit ZeroPadding1D(AxisPads padding = {{1, 1}}, MarginOptions options = {})
      : SpatialMargins("ZeroPadding1D", 1, Kind::zero_padding, std::move(padding),
                       std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<ZeroPadding1D>("ZeroPadding1D", 1, Kind::zero_padding, config);
  }
};

}  // namespace tessera
