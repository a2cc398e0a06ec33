// Convolution as one differentiable op on channels-last data: per sample, the patches (im2col)
// times the kernel (core/small_gemm or BLAS), a few output rows at a time so that the patches
// stay in L2, plus the bias, with OpenMP over samples. The backward recomputes the patches
// instead of keeping them (they are K times the input), sums the weight and bias gradients per
// thread and scatters the input gradient per sample.
#pragma once

#include "core/im2col.hpp"

namespace tessera {

// x (B, H, W, C), kernel (KH, KW, C, F) (any shape of KH·KW·C·F values with F last), bias
// (F,) or null → (B, OH, OW, F); then Keras' plain relu when `relu`, applied to each sample's
// output while it is in cache rather than in a pass of its own over the whole batch.
Variable convolution(const Variable& x, const Variable& kernel, const Variable* bias,
                     const Im2colSpec& spec, bool relu = false);

}  // namespace tessera
