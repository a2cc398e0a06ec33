#include <gtest/gtest.h>

#include <vector>

#include "core/row_sums.hpp"

namespace {

// Every split of the columns (two vectors, one, the scalar tail) and of the rows (groups of
// four, the rest), written or added, with a row stride wider than the rows: exact sums (small
// integers, so the order of the additions cannot matter), nothing written past the columns.
TEST(RowSums, SumsEveryColumnOverTheRows) {
  for (std::size_t rows : {0, 1, 3, 4, 5, 9, 64})
    for (std::size_t cols : {1, 7, 15, 16, 17, 31, 32, 33, 48, 64, 70})
      for (bool accumulate : {false, true}) {
        SCOPED_TRACE(::testing::Message() << rows << " rows, " << cols << " cols, accumulate "
                                          << accumulate);
        const std::size_t ld = cols + 5;
        std::vector<float> src(rows * ld + 1);
        for (std::size_t i = 0; i < src.size(); ++i) src[i] = float(int(i * 7 % 11) - 5);
        std::vector<float> out(cols + 1, 3.0f);
        tessera::sum_rows(src.data(), rows, cols, ld, out.data(), accumulate);
        for (std::size_t j = 0; j < cols; ++j) {
          float expected = accumulate ? 3.0f : 0.0f;
          for (std::size_t i = 0; i < rows; ++i) expected += src[i * ld + j];
          EXPECT_EQ(out[j], expected) << "column " << j;
        }
        EXPECT_EQ(out[cols], 3.0f) << "past the last column";
      }
}

}  // namespace
