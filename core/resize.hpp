// Upsampling by whole factors: nearest (each entry repeated) on any axis, and bilinear on the rows
// and cols of channels-last images as TensorFlow 2's resize_bilinear with half_pixel_centers=True.
#pragma once

#include "core/autodiff.hpp"

namespace tessera {

// Repeats every entry of `axis` `factor` times in a row (numpy's repeat, Keras' repeat_elements).
Variable repeat_elements(const Variable& x, std::size_t axis, std::size_t factor);

// (B, H, W, C) → (B, H·fh, W·fw, C). Output (i, j) samples the input at
// ((i + ½)/fh − ½, (j + ½)/fw − ½), clamped to the image, interpolating linearly between the
// two neighbours on each axis.
Variable resize_bilinear(const Variable& x, std::size_t factor_h, std::size_t factor_w);

}  // namespace tessera
