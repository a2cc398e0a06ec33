// Cropping1D: steps removed from the start and end of (batch, steps, features).
#pragma once

#include "layers/spatial_margins.hpp"

namespace tessera {

class Cropping1D : public SpatialMargins {
 public:
  explicit Cropping1D(AxisPads cropping = {{1, 1}}, MarginOptions options = {})
      : SpatialMargins("Cropping1D", 1, Kind::cropping, std::move(cropping), std::move(options)) {}
  static LayerPtr from_config(const Json& config) {
    return make_from_config<Cropping1D>("Cropping1D", 1, Kind::cropping, config);
  }
};

}  // namespace tessera
