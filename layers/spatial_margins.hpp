// SpatialMargins: what ZeroPadding1D/2D and Cropping1D/2D share — zeros added to, or entries
// removed from, the two ends of each spatial axis. The 1-D layers work on (batch, steps,
// features) and have no data_format (as in Keras); the 2-D ones honour their data_format.
#pragma once

#include "core/padding.hpp"
#include "layers/keras_config.hpp"

namespace tessera {

struct MarginOptions {
  std::string data_format = "channels_last";  // 2-D layers only
  std::string name = "";
};

class SpatialMargins : public Layer {
 public:
  enum class Kind { zero_padding, cropping };

  std::string class_name() const override { return class_name_; }
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
    auto layer = std::make_shared<L>(margins_from_config(class_name, rank, kind, config),
                                     options_from_config(class_name, rank, config));
    apply_base_config(*layer, config);
    return layer;
  }

  Variable call(const Variable& x, bool training) override;

 private:
  static AxisPads margins_from_config(const std::string& class_name, std::size_t rank, Kind kind,
                                      const Json& config);
  static MarginOptions options_from_config(const std::string& class_name, std::size_t rank,
                                           const Json& config);
  std::string key() const { return kind_ == Kind::cropping ? "cropping" : "padding"; }

  std::string class_name_;
  std::size_t rank_;
  Kind kind_;
  AxisPads margins_;
  std::string data_format_;
};

}  // namespace tessera
