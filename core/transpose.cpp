#include "core/transpose.hpp"

#include <algorithm>

#ifdef __AVX__
#include <immintrin.h>
#endif

namespace tessera {

namespace {

void transpose_scalar(const float* src, std::size_t rows, std::size_t cols, std::size_t ld_src,
                      float* dst, std::size_t ld_dst) {
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) dst[j * ld_dst + i] = src[i * ld_src + j];
}

#ifdef __AVX__
// One 8x8 block: pairs of rows interleaved, then pairs of pairs, then the 128-bit halves
// swapped (three shuffle stages instead of 64 scalar moves, which cost 2-3 cycles each).
void transpose_8x8(const float* src, std::size_t ld_src, float* dst, std::size_t ld_dst) {
  __m256 r[8], t[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * ld_src);
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    r[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; ++i) {
    _mm256_storeu_ps(dst + i * ld_dst, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
    _mm256_storeu_ps(dst + (i + 4) * ld_dst, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
  }
}
#endif

}  // namespace

void transpose(const float* src, std::size_t rows, std::size_t cols, std::size_t ld_src,
               float* dst, std::size_t ld_dst) {
  std::size_t i = 0;
#ifdef __AVX__
  for (; i + 8 <= rows; i += 8) {
    std::size_t j = 0;
    for (; j + 8 <= cols; j += 8)
      transpose_8x8(src + i * ld_src + j, ld_src, dst + j * ld_dst + i, ld_dst);
    transpose_scalar(src + i * ld_src + j, 8, cols - j, ld_src, dst + j * ld_dst + i, ld_dst);
  }
#endif
  transpose_scalar(src + i * ld_src, rows - i, cols, ld_src, dst + i, ld_dst);
}

void transpose_zero_padded(const float* src, std::size_t rows, std::size_t cols,
                           std::size_t ld_src, float* dst, std::size_t ld_dst) {
  if (ld_dst > rows)
    for (std::size_t j = 0; j < cols; ++j)
      std::fill(dst + j * ld_dst + rows, dst + (j + 1) * ld_dst, 0.0f);
  transpose(src, rows, cols, ld_src, dst, ld_dst);
}

}  // namespace tessera
