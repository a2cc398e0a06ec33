// SpatialDropout1D: Dropout of whole channels of (batch, steps, channels): one keep/drop draw
// per (sample, channel), shared by every step.
#pragma once

#include "layers/dropout.hpp"

namespace tessera {

class SpatialDropout1D : public Dropout {
 public:
  explicit SpatialDropout1D(float rate, std::optional<std::uint64_t> seed = std::nullopt,
                            std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "SpatialDropout1D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;

 protected:
  Shape mask_shape(const Shape& input_shape) const override;
};

}  // namespace tessera
