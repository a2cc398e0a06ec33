#include "core/row_sums.hpp"

#include <xsimd/xsimd.hpp>

namespace tessera {

namespace {

// The SIMD names are the functions' own: the sanitizer build compiles the library in unity
// batches, where a file-level Vec or W would meet small_gemm.cpp's.

// Columns [0, V·W) of the rows: partial sums of rows i, i + 1, i + 2 and i + 3 apart, so that
// the additions of consecutive rows do not wait for each other.
template <std::size_t V>
void sum_vectors(const float* src, std::size_t rows, std::size_t ld, float* out, bool accumulate) {
  using Vec = xsimd::batch<float>;
  constexpr std::size_t W = Vec::size;
  Vec part[4][V];
  for (auto& p : part)
    for (auto& v : p) v = Vec(0.0f);
  std::size_t i = 0;
  for (; i + 4 <= rows; i += 4)
    for (std::size_t r = 0; r < 4; ++r)
      for (std::size_t v = 0; v < V; ++v)
        part[r][v] += Vec::load_unaligned(src + (i + r) * ld + v * W);
  for (; i < rows; ++i)
    for (std::size_t v = 0; v < V; ++v) part[0][v] += Vec::load_unaligned(src + i * ld + v * W);
  for (std::size_t v = 0; v < V; ++v) {
    Vec sum = (part[0][v] + part[1][v]) + (part[2][v] + part[3][v]);
    if (accumulate) sum += Vec::load_unaligned(out + v * W);
    sum.store_unaligned(out + v * W);
  }
}

}  // namespace

void sum_rows(const float* src, std::size_t rows, std::size_t cols, std::size_t ld, float* out,
              bool accumulate) {
  constexpr std::size_t W = xsimd::batch<float>::size;
  std::size_t j = 0;
  for (; j + 2 * W <= cols; j += 2 * W) sum_vectors<2>(src + j, rows, ld, out + j, accumulate);
  if (j + W <= cols) {
    sum_vectors<1>(src + j, rows, ld, out + j, accumulate);
    j += W;
  }
  for (; j < cols; ++j) {  // fewer columns than a vector holds
    float sum = 0.0f;
    for (std::size_t i = 0; i < rows; ++i) sum += src[i * ld + j];
    out[j] = accumulate ? out[j] + sum : sum;
  }
}

}  // namespace tessera
