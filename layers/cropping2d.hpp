// Cropping2D: rows and cols removed from the top, bottom, left and right.
#pragma once

#include "layers/spatial_margins.hpp"

namespace tessera {

class Cropping2D : public SpatialMargins {
 public:
  explicit Cropping2D(AxisPads cropping = {{0, 0}, {0, 0}}, MarginOptions options = {})
      : SpatialMargins("Cropping2D", 2, Kind::cropping, std::move(cropping), std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<Cropping2D>("Cropping2D", 2, Kind::cropping, config);
  }
};

}  // namespace tessera
