#include "core/small_gemm.hpp"

#include <cstdint>
#if defined(__SSE__)
#include <immintrin.h>
#endif

#include <xsimd/xsimd.hpp>

namespace tessera {

namespace {

using Vec = xsimd::batch<float>;
constexpr std::size_t W = Vec::size;

// A store of v to aligned p that bypasses the caches where the instruction set has one.
template <class V>
void store_streaming(float* p, const V& v) {
#if defined(__AVX512F__)
  if constexpr (sizeof(V) == 64) return _mm512_stream_ps(p, v);
#endif
#if defined(__AVX__)
  if constexpr (sizeof(V) == 32) return _mm256_stream_ps(p, v);
#endif
#if defined(__SSE__)
  if constexpr (sizeof(V) == 16) return _mm_stream_ps(p, v);
#endif
  v.store_aligned(p);
}

// One tile of ROWS rows and COLS·W columns, kept in registers over the whole depth.
template <std::size_t ROWS, std::size_t COLS>
void tile(std::size_t k, const float* a, std::size_t a_row, std::size_t a_col, const float* b,
          std::size_t ldb, float* c, std::size_t ldc, Write write, const float* row_bias) {
  Vec acc[ROWS][COLS];
  for (std::size_t i = 0; i < ROWS; ++i)
    for (std::size_t j = 0; j < COLS; ++j)
      acc[i][j] = write == Write::accumulate ? Vec::load_unaligned(c + i * ldc + j * W)
                  : row_bias                 ? Vec::load_unaligned(row_bias + j * W)
                                             : Vec(0.0f);
  for (std::size_t d = 0; d < k; ++d, a += a_col, b += ldb) {
    Vec bv[COLS];
    for (std::size_t j = 0; j < COLS; ++j) bv[j] = Vec::load_unaligned(b + j * W);
    for (std::size_t i = 0; i < ROWS; ++i) {
      const Vec s(a[i * a_row]);
      for (std::size_t j = 0; j < COLS; ++j) acc[i][j] = xsimd::fma(s, bv[j], acc[i][j]);
    }
  }
  for (std::size_t i = 0; i < ROWS; ++i)
    for (std::size_t j = 0; j < COLS; ++j) {
      if (write == Write::stream)
        store_streaming(c + i * ldc + j * W, acc[i][j]);
      else
        acc[i][j].store_unaligned(c + i * ldc + j * W);
    }
}

// All rows for COLS·W columns: tiles of 6 rows (8 for one vector's width), then one tile of
// the rows left.
// 6 × 2 accumulators, 2 loads and a broadcast fit AVX2's 16 registers without spilling.
template <std::size_t COLS>
void column_block(std::size_t m, std::size_t k, const float* a, std::size_t a_row,
                  std::size_t a_col, const float* b, std::size_t ldb, float* c, std::size_t ldc,
                  Write write, const float* row_bias) {
  constexpr std::size_t ROWS = COLS == 2 ? 6 : 8;
  std::size_t i = 0;
  for (; i + ROWS <= m; i += ROWS)
    tile<ROWS, COLS>(k, a + i * a_row, a_row, a_col, b, ldb, c + i * ldc, ldc, write,
                     row_bias);
  const float* a_rest = a + i * a_row;
  float* c_rest = c + i * ldc;
  switch (m - i) {  // the remaining rows as one tile
    case 7: tile<7, COLS>(k, a_rest, a_row, a_col, b, ldb, c_rest, ldc, write, row_bias); break;
    case 6: tile<6, COLS>(k, a_rest, a_row, a_col, b, ldb, c_rest, ldc, write, row_bias); break;
    case 5: tile<5, COLS>(k, a_rest, a_row, a_col, b, ldb, c_rest, ldc, write, row_bias); break;
    case 4: tile<4, COLS>(k, a_rest, a_row, a_col, b, ldb, c_rest, ldc, write, row_bias); break;
    case 3: tile<3, COLS>(k, a_rest, a_row, a_col, b, ldb, c_rest, ldc, write, row_bias); break;
    case 2: tile<2, COLS>(k, a_rest, a_row, a_col, b, ldb, c_rest, ldc, write, row_bias); break;
    case 1: tile<1, COLS>(k, a_rest, a_row, a_col, b, ldb, c_rest, ldc, write, row_bias); break;
    default: break;
  }
}

}  // namespace

std::size_t small_gemm_width() { return W; }

void small_gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t a_row,
                std::size_t a_col, const float* b, std::size_t ldb, float* c, std::size_t ldc,
                Write write, const float* row_bias) {
  const bool aligned = reinterpret_cast<std::uintptr_t>(c) % sizeof(Vec) == 0 && ldc % W == 0;
  if (write == Write::stream && !aligned) write = Write::overwrite;
  std::size_t j = 0;
  auto bias = [&](std::size_t col) { return row_bias ? row_bias + col : nullptr; };
  for (; j + 2 * W <= n; j += 2 * W)
    column_block<2>(m, k, a, a_row, a_col, b + j, ldb, c + j, ldc, write, bias(j));
  if (j + W <= n)
    column_block<1>(m, k, a, a_row, a_col, b + j, ldb, c + j, ldc, write, bias(j));
#if defined(__SSE__)
  // Streaming stores are weakly ordered: make them visible before whatever comes next (another
  // thread reads C after the parallel loop's barrier).
  if (write == Write::stream) _mm_sfence();
#endif
}

}  // namespace tessera
