// Column sums of a strided matrix: the bias gradients, Σ over samples (or positions) of the
// output gradient's rows.
#pragma once

#include <cstddef>

namespace tessera {

// out[j] = Σ_{i < rows} src[i·ld + j] for j < cols, added to out instead when `accumulate`.
// Summed in registers over four interleaved partial sums: a loop of out[j] += … whose out may
// alias src reloads and stores out for every row, and each row then waits for the last one's
// store (Zen 5, fwd+bwd p10, libraries alternated: LocallyConnected2D 28x28x1 → 32 −11%,
// LC1D 100x32 −3.5%, Conv2D 28x28x1 −5%, 32x32x3 cases −1 to −3%).
void sum_rows(const float* src, std::size_t rows, std::size_t cols, std::size_t ld, float* out,
              bool accumulate = false);

}  // namespace tessera
