// Matrix transpose for the layers' per-position products (a kernel block into the layout the
// input-gradient product reads, a sample's (positions, filters) rows into channels_first
// order): 8x8 register blocks with AVX, the rest element by element.
#pragma once

#include <cstddef>

namespace tessera {

// dst[j·ld_dst + i] = src[i·ld_src + j] for i < rows, j < cols.
void transpose(const float* src, std::size_t rows, std::size_t cols, std::size_t ld_src,
               float* dst, std::size_t ld_dst);

// The same, with each of dst's rows zero from `rows` up to ld_dst: a product's operand padded to
// its SIMD width (the transposed output gradients of LocallyConnected and Conv).
void transpose_zero_padded(const float* src, std::size_t rows, std::size_t cols,
                           std::size_t ld_src, float* dst, std::size_t ld_dst);

}  // namespace tessera
