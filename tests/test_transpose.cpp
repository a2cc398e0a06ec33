// transpose against its definition: every remainder of the 8x8 blocks in both directions, read
// from and written into larger matrices (leading dimensions wider than the block); and
// transpose_zero_padded, whose rows are zero past the source's rows.
#include <gtest/gtest.h>

#include <vector>

#include "core/transpose.hpp"

using namespace tessera;

TEST(Transpose, MatchesTheDefinitionForEveryBlockRemainder) {
  for (std::size_t rows = 1; rows <= 19; ++rows)
    for (std::size_t cols = 1; cols <= 19; ++cols) {
      const std::size_t ld_src = cols + 3, ld_dst = rows + 5;
      std::vector<float> src(rows * ld_src), dst(cols * ld_dst, -1.0f);
      for (std::size_t i = 0; i < src.size(); ++i) src[i] = float(i);
      transpose(src.data(), rows, cols, ld_src, dst.data(), ld_dst);
      for (std::size_t j = 0; j < cols; ++j)
        for (std::size_t i = 0; i < ld_dst; ++i)
          ASSERT_EQ(dst[j * ld_dst + i], i < rows ? src[i * ld_src + j] : -1.0f)
              << rows << "x" << cols << " at " << j << "," << i;
    }
}

TEST(Transpose, ZeroPaddedRowsAreZeroPastTheSource) {
  for (std::size_t rows : {1, 5, 8, 13})
    for (std::size_t cols : {1, 8, 11}) {
      const std::size_t ld_src = cols + 2, ld_dst = (rows + 15) / 16 * 16;
      std::vector<float> src(rows * ld_src), dst(cols * ld_dst, -1.0f);
      for (std::size_t i = 0; i < src.size(); ++i) src[i] = float(i + 1);
      transpose_zero_padded(src.data(), rows, cols, ld_src, dst.data(), ld_dst);
      for (std::size_t j = 0; j < cols; ++j)
        for (std::size_t i = 0; i < ld_dst; ++i)
          ASSERT_EQ(dst[j * ld_dst + i], i < rows ? src[i * ld_src + j] : 0.0f)
              << rows << "x" << cols << " at " << j << "," << i;
    }
}
