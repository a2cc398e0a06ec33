// SpatialDropout2D: Dropout of whole feature maps: one keep/drop draw per (sample, channel),
// shared by every row and column; the channel axis follows data_format. Keras 2 does not write
// data_format into the config (a loaded layer is channels_last unless the config says otherwise);
// tessera writes it.
#pragma once

#include "layers/dropout.hpp"

namespace tessera {

class SpatialDropout2D : public Dropout {
 public:
  explicit SpatialDropout2D(float rate, const std::string& data_format = "channels_last",
                            std::optional<std::uint64_t> seed = std::nullopt, std::string name = "");
  static LayerPtr from_config(const Json& config);

  std::string class_name() const override { return "SpatialDropout2D"; }
  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  Shape mask_shape(const Shape& input_shape) const override;

 private:
  std::string data_format_;
};

}  // namespace tessera
