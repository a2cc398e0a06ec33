// The BLAS calls tessera makes, behind a header that does not include <cblas.h>: OpenBLAS'
// cblas.h and xtensor-blas declare the same functions differently, so they never meet in one
// translation unit. All matrices are row-major.
//
// One thread pool for the whole library: OpenMP's. OpenBLAS is set to one thread when the
// library loads, and sgemm shares a large product among the OpenMP threads itself; two pools
// on the same cores (OpenMP workers spinning while OpenBLAS' threads run, or the reverse) made
// small layers tens of times slower on this project's 2-core machine.
// core/threads.hpp spreads the pool over the CPUs when the first layer runs.
#pragma once

namespace tessera::blas {

// C = alpha · op(A) · op(B) + beta · C with op(A) of shape (m, k) and op(B) of shape (k, n).
// Inside a parallel region it runs on the calling thread alone.
void sgemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a,
           int lda, const float* b, int ldb, float beta, float* c, int ldc);

// The number of threads one sgemm call outside a parallel region uses.
int num_threads();

}  // namespace tessera::blas
