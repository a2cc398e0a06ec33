// What the spatial layers (convolution, pooling, padding, cropping, upsampling) share: moving
// channels_first data to channels-last and back, and Keras' forms of padding/cropping amounts.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/im2col.hpp"
#include "core/padding.hpp"

namespace tessera {

using Json = nlohmann::json;

// "<Class> '<name>': <key>", the start of an error about a config key.
std::string config_what(const std::string& class_name, const Json& config, const std::string& key);

// data_format from a config: absent or null → "channels_last"; otherwise checked and lower-cased.
std::string data_format_from_json(const Json& config, const std::string& class_name);

// (batch, C, spatial...) ↔ (batch, spatial..., C) for channels_first; a no-op for channels_last.
Variable to_channels_last(const Variable& x, const std::string& data_format);
Variable from_channels_last(const Variable& x, const std::string& data_format);

// The channels of a per-sample shape.
std::size_t channels_of(const Shape& sample, const std::string& data_format);

// The spatial sizes of a per-sample shape (no batch axis) in axis order.
std::vector<std::size_t> spatial_sizes(const Shape& sample, const std::string& data_format);
// A per-sample shape from spatial sizes and channels, laid out for data_format.
Shape sample_shape(const std::vector<std::size_t>& spatial, std::size_t channels,
                   const std::string& data_format);

// The windows of a convolution or pooling over 1 or 2 spatial axes (1-D data is a single row):
// TensorFlow's 'valid'/'same', or Keras' 'causal' (left pad (k − 1)·dilation, then 'valid').
// Throws ShapeError naming the sizes when a window does not fit.
Im2colSpec window_spec(const std::vector<std::size_t>& sizes,
                       const std::vector<std::size_t>& kernel,
                       const std::vector<std::size_t>& strides,
                       const std::vector<std::size_t>& dilation, const std::string& padding);

// The output sizes of those windows: (out_w) for 1 axis, (out_h, out_w) for 2.
std::vector<std::size_t> window_out_sizes(const Im2colSpec& spec, std::size_t rank);
// Channels-last (B, steps, C) → (B, 1, steps, C); (B, rows, cols, C) is returned as it is.
Variable as_rows_cols(const Variable& x);

// Per-axis (before, after) amounts of ZeroPadding/Cropping for `n` spatial axes, from an int
// (all sides), n ints (both sides of each axis; for n = 1 a pair is (before, after)) or n pairs.
// Negative amounts are refused; `what` names the layer and key in the error.
AxisPads spatial_pairs_from_json(const Json& value, std::size_t n, const std::string& what);
Json spatial_pairs_to_json(const AxisPads& pairs);
// The same pairs for the whole batched tensor: zeros on the batch and channel axes.
AxisPads batched_pairs(const AxisPads& spatial, const std::string& data_format);

}  // namespace tessera
