// Max and average pooling over the rows and cols of channels-last input (B, H, W, C), with
// TensorFlow's windows (an Im2colSpec with dilation 1: make_im2col_spec gives 'valid'/'same').
// Taps in the padding never count: max ignores them, average divides by the number of real
// inputs in the window (as TensorFlow's avg_pool does with 'same').
#pragma once

#include "core/im2col.hpp"

namespace tessera {

enum class PoolMode { max, average };

// (B, H, W, C) → (B, out_h, out_w, C). The max's gradient goes to the first largest input of each
// window (row-major order).
Variable pool2d(const Variable& x, const Im2colSpec& spec, PoolMode mode);

}  // namespace tessera
