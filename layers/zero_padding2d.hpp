// ZeroPadding2D: zeros added above, below, left and right of the rows and cols.
#pragma once

#include "layers/spatial_margins.hpp"

namespace tessera {

class ZeroPadding2D : public SpatialMargins {
 public:
  explicit ZeroPadding2D(AxisPads padding = {{1, 1}, {1, 1}}, MarginOptions options = {})
      : SpatialMargins("ZeroPadding2D", 2, Kind::zero_padding, std::move(padding),
                       std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<ZeroPadding2D>("ZeroPadding2D", 2, Kind::zero_padding, config);
  }
};

}  // namespace tessera
