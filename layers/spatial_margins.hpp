// SpatialMargins: what ZeroPadding1D/2D and Cropping1D/2D share — zeros added to, or entries
// removed from, the two ends of each spatial axis. The 1-D layers work on (batch, steps,
// features) and have no data_format (as in Keras); the 2-D ones honour their data_format.
#pragma once

#include "core/padding.hpp"
#include "layers/spatial_layer.hpp"

namespace tessera {

struct MarginOptions {
  std::string data_format = "channels_last";  // 2-D layers only
  std::string name = "";
};

class SpatialMargins : public SpatialLayer {
 public:
  enum class Kind { zero_padding, cropping };

  Shape compute_output_shape(const Shape& input_shape) const override;
  Json get_config() const override;

 protected:
  // `margins` holds (before, after) for each of the `rank` spatial axes.
  SpatialMargins(std::string class_name, std::size_t rank, Kind kind, AxisPads margins,
                 MarginOptions options);

  // The subclass L(margins, options) from a Keras config ("padding" or "cropping" key).
  template <class L>
  static LayerPtr make_from_config(const std::string& class_name, std::size_t rank, Kind kind,
                                   const Json& config) {
    return configured<L>(config, margins_from_config(class_name, rank, kind, config),
                         options_from_config(class_name, rank, config));
  }

  Variable call(const Variable& x, bool training) override;

 private:
  static AxisPads margins_from_config(const std::string& class_name, std::size_t rank, Kind kind,
                                      const Json& config);
  static MarginOptions options_from_config(const std::string& class_name, std::size_t rank,
                                           const Json& config);
  std::string key() const { return kind_ == Kind::cropping ? "cropping" : "padding"; }

  Kind kind_;
  AxisPads margins_;
};

}  // namespace tessera
