// The BLAS calls tessera makes, behind a header that does not include <cblas.h>: OpenBLAS'
// cblas.h and xtensor-blas declare the same functions differently, so they never meet in one
// translation unit. All matrices are row-major.
#pragma once

namespace tessera::blas {

// C = alpha · op(A) · op(B) + beta · C with op(A) of shape (m, k) and op(B) of shape (k, n).
void sgemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a,
           int lda, const float* b, int ldb, float beta, float* c, int ldc);

// The number of threads OpenBLAS uses for one call.
int num_threads();
void set_num_threads(int n);

}  // namespace tessera::blas
