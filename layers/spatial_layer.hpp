// SpatialLayer: the base of the layers over steps (1-D) or rows and cols (2-D) — convolution,
// pooling, padding, cropping, upsampling. It holds the Keras class name, the number of spatial
// axes and the data_format, checks input ranks, and fixes the windows of a convolution or pooling.
#pragma once

#include "core/im2col.hpp"
#include "layers/keras_config.hpp"

namespace tessera {

class SpatialLayer : public Layer {
 public:
  std::string class_name() const override { return class_name_; }

 protected:
  // Checks data_format (1-D layers without one in Keras pass "channels_last").
  SpatialLayer(std::string class_name, std::size_t rank, const std::string& data_format,
               std::string name);

  // L(args...) named and flagged as in a Keras config.
  template <class L, class... Args>
  static LayerPtr configured(const Json& config, Args&&... args) {
    auto layer = std::make_shared<L>(std::forward<Args>(args)...);
    apply_base_config(*layer, config);
    return layer;
  }

  // "<Class> '<name>': <key>", the start of an error about an argument.
  std::string what(const std::string& key) const;
  // Fails unless the per-sample shape has rank_ spatial axes and a channel axis.
  void check_rank(const Shape& input_shape) const;
  // The windows of a convolution or pooling over input_shape (window_spec in spatial_args.hpp);
  // fails naming the input shape when they do not fit.
  Im2colSpec windows(const Shape& input_shape, const std::vector<std::size_t>& kernel,
                     const std::vector<std::size_t>& strides,
                     const std::vector<std::size_t>& dilation, const std::string& padding) const;

  const std::size_t rank_;
  const std::string data_format_;

 private:
  std::string class_name_;
};

}  // namespace tessera
