// Patch extraction for convolution on channels-last input, and its adjoint.
//
// im2col turns x (B, H, W, C) into columns (B·OH·OW, KH·KW·C): row (b, oh, ow) holds the
// receptive field of that output, ordered (kernel row, kernel col, channel) — the order of a
// Keras Conv2D kernel (KH, KW, C, F) reshaped to (KH·KW·C, F). Taps outside the input are 0.
// A 1-D convolution is the same with H = KH = 1.
#pragma once

#include <string>

#include "core/autodiff.hpp"

namespace tessera {

// Output size and left padding of one spatial axis, by TensorFlow's rules for Conv.
struct ConvAxis {
  std::size_t out = 0;
  std::size_t pad_before = 0;
};
// padding is "valid" or "same" (any case); throws naming the padding or the sizes when the
// kernel (with dilation) does not fit.
ConvAxis conv_axis(std::size_t in, std::size_t kernel, std::size_t stride, std::size_t dilation,
                   const std::string& padding);

struct Im2colSpec {
  std::size_t kernel_h = 1, kernel_w = 1;
  std::size_t stride_h = 1, stride_w = 1;
  std::size_t dilation_h = 1, dilation_w = 1;
  std::size_t pad_top = 0, pad_left = 0;
  std::size_t out_h = 0, out_w = 0;
};

// Builds a spec for input (H, W) with TensorFlow's valid/same padding.
Im2colSpec make_im2col_spec(std::size_t in_h, std::size_t in_w, std::size_t kernel_h,
                            std::size_t kernel_w, std::size_t stride_h, std::size_t stride_w,
                            std::size_t dilation_h, std::size_t dilation_w,
                            const std::string& padding);

Tensor im2col(const Tensor& x, const Im2colSpec& spec);
// The adjoint of im2col: scatters (adds) columns back into an input of shape `input_shape`.
Tensor col2im(const Tensor& cols, const Shape& input_shape, const Im2colSpec& spec);

// Output rows first … first + count − 1 of a sample's windows (count clipped to the rows
// there are; by default all of them).
struct OutputRows {
  std::size_t first = 0, count = std::size_t(-1);
};

// One sample: x (H, W, C) → cols (OH·OW, KH·KW·C), and the adjoint adding cols into dx; for
// `rows`, cols holds only those rows' windows (their OW·count rows of cols).
void im2col_sample(const float* x, std::size_t H, std::size_t W, std::size_t C,
                   const Im2colSpec& spec, float* cols, OutputRows rows = {});
void col2im_sample_add(const float* cols, std::size_t H, std::size_t W, std::size_t C,
                       const Im2colSpec& spec, float* dx, OutputRows rows = {});

// Differentiable im2col (its backward is col2im).
Variable im2col(const Variable& x, const Im2colSpec& spec);

}  // namespace tessera
