// Direct OpenBLAS calls; see blas.hpp for why they live alone in this file.
#include "core/blas.hpp"

#include <cblas.h>
#include <omp.h>

#include <algorithm>

namespace tessera::blas {

namespace {

// Set when the library loads, before any product runs.
const bool kOpenBlasSingleThreaded = [] {
  openblas_set_num_threads(1);
  return true;
}();

// Below this many FLOPs a product is not worth waking a second thread for.
constexpr double kParallelFlops = 4e6;

void sgemm_here(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans,
              transpose_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
              ldc);
}

}  // namespace

void sgemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a,
           int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  const int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  if (threads < 2 || 2.0 * m * n * k < kParallelFlops) {
    sgemm_here(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // Each thread computes a block of C's rows (or, for short wide products, of its columns,
  // in multiples of 16 so blocks stay vector-aligned).
  const bool by_rows = m >= 8 * threads || m >= n;
  const int extent = by_rows ? m : n, grain = by_rows ? 1 : 16;
  const int chunk = ((extent + threads - 1) / threads + grain - 1) / grain * grain;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int t = 0; t < threads; ++t) {
    const int first = t * chunk, count = std::min(extent, first + chunk) - first;
    if (count <= 0) continue;
    if (by_rows)
      sgemm_here(transpose_a, transpose_b, count, n, k, alpha,
                 a + std::size_t(first) * (transpose_a ? 1 : std::size_t(lda)), lda, b, ldb, beta,
                 c + std::size_t(first) * std::size_t(ldc), ldc);
    else
      sgemm_here(transpose_a, transpose_b, m, count, k, alpha, a, lda,
                 b + std::size_t(first) * (transpose_b ? std::size_t(ldb) : 1), ldb, beta,
                 c + first, ldc);
  }
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace tessera::blas
