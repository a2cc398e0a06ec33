// small_gemm against a plain triple loop: every tile shape (row and column remainders), A read
// plainly and transposed from inside a larger matrix, C overwritten, accumulated and streamed
// (aligned or not), A's depth in runs, A's rows at offsets, memory fetched meanwhile; and the
// gradient buffers that survive zero_grad, and aligned scratch.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "core/gradient_buffer.hpp"
#include "core/random.hpp"
#include "core/small_gemm.hpp"

using namespace tessera;

namespace {

TEST(SmallGemm, MatchesTheDefinitionForEveryTileShape) {
  const std::size_t w = small_gemm_width();
  Generator gen(11);
  // Every size of a last tile, and of the two that share the last rows, up to AVX-512's tiles of
  // 28 rows of one vector (14 of two, 6 of four): 29 rows are one of 15 and one of 14, 57 of two
  // vectors 14 + 14 + 15 + 14.
  for (std::size_t m : {1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 14, 15, 27, 28, 29, 32, 57})
    for (std::size_t n : {w, 2 * w, 3 * w, 4 * w, 7 * w})
      for (std::size_t k : {1, 5, 27})
        for (bool transposed : {false, true})
          for (Write write : {Write::overwrite, Write::accumulate, Write::stream})
            // C's rows n + 5 apart (unaligned: streaming falls back to plain stores) or n + w.
            for (std::size_t ldc : {n + 5, n + w}) {
              // A is (m, k) inside a buffer with an extra 3 columns (or rows when transposed).
              const std::size_t a_row = transposed ? 1 : k + 3, a_col = transposed ? m + 3 : 1;
              const Tensor a =
                  gen.uniform({(transposed ? k : m) * (transposed ? m + 3 : k + 3)}, -1, 1);
              const Tensor b = gen.uniform({k * (n + 2)}, -1, 1);
              const Tensor c0 = gen.uniform({m * ldc}, -1, 1);
              Tensor c = c0;
              small_gemm(m, n, k, a.data(), a_row, a_col, b.data(), n + 2, c.data(), ldc, write);
              for (std::size_t i = 0; i < m; ++i)
                for (std::size_t j = 0; j < ldc; ++j) {
                  if (j >= n) {  // outside C: untouched
                    EXPECT_EQ(c(i * ldc + j), c0(i * ldc + j));
                    continue;
                  }
                  float expected = write == Write::accumulate ? c0(i * ldc + j) : 0.0f;
                  for (std::size_t d = 0; d < k; ++d)
                    expected += a(i * a_row + d * a_col) * b(d * (n + 2) + j);
                  ASSERT_NEAR(c(i * ldc + j), expected, 1e-4f)
                      << "m " << m << " n " << n << " k " << k << " transposed " << transposed
                      << " write " << int(write) << " ldc " << ldc << " at " << i << "," << j;
                }
            }
}

// A's depth in runs, as a patch of a channels_last input is (kh runs of kw·C, a row apart).
TEST(SmallGemm, ReadsADepthInRuns) {
  const std::size_t w = small_gemm_width();
  Generator gen(12);
  for (std::size_t m : {1, 7, 13})
    for (std::size_t n : {w, 3 * w})
      for (auto [runs, length, a_col] :
           {std::array<std::size_t, 3>{3, 3, 1}, {2, 4, 2}, {3, 9, 1}})
        for (Write write : {Write::overwrite, Write::accumulate}) {
          const std::size_t k = runs * length, stride = length * a_col + 5, a_row = 3 * stride;
          const Tensor a = gen.uniform({m * a_row}, -1, 1);
          const Tensor b = gen.uniform({k * n}, -1, 1), bias = gen.uniform({n}, -1, 1);
          const Tensor c0 = gen.uniform({m * n}, -1, 1);
          Tensor c = c0;
          small_gemm(m, n, k, a.data(), a_row, a_col, b.data(), n, c.data(), n, write,
                     bias.data(), DepthRuns{runs, stride});
          for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
              float expected = write == Write::accumulate ? c0(i * n + j) : bias(j);
              for (std::size_t d = 0; d < k; ++d)
                expected += a(i * a_row + (d % length) * a_col + (d / length) * stride) *
                            b(d * n + j);
              ASSERT_NEAR(c(i * n + j), expected, 1e-4f)
                  << "m " << m << " n " << n << " runs " << runs << " of " << length << " at "
                  << i << "," << j;
            }
        }
}

// A's rows at any offsets (a patch's taps read from the input as rows, samples n_in apart as the
// depth): every last tile's size, rows out of order, C written and added to, the depth plain
// or in runs (a convolution's output rows of windows), with and without fetching meanwhile
// (that form asks at one pace, every 2 steps).
TEST(SmallGemm, ReadsARowsAtOffsets) {
  const std::size_t w = small_gemm_width(), k = 18, a_col = 50, stride = 310;
  Generator gen(14);
  const Tensor a = gen.uniform({40 + 5 * a_col + 2 * stride}, -1, 1);
  std::vector<char> region(64 * 1000);
  for (std::size_t m : {1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 14, 27, 29})
    for (std::size_t n : {w, 2 * w, 4 * w, 7 * w})
      for (Write write : {Write::overwrite, Write::accumulate})
        for (std::size_t runs : {1, 3})
          for (bool fetching : {false, true}) {
            std::vector<std::size_t> rows(m);
            for (std::size_t i = 0; i < m; ++i) rows[i] = (i * 17 + 3) % 40;
            const Tensor b = gen.uniform({k * n}, -1, 1), c0 = gen.uniform({m * n}, -1, 1);
            Tensor c = c0;
            Ahead ahead = Ahead{region.data(), 1000}.paced(Ahead::Pace::every_2_steps);
            small_gemm(m, n, k, a.data(), rows.data(), a_col, b.data(), n, c.data(), n, write,
                       DepthRuns{runs, stride}, fetching ? &ahead : nullptr);
            if (fetching) EXPECT_LT(ahead.lines, 1000u);  // it asked for some on the way
            const std::size_t length = k / runs;
            for (std::size_t i = 0; i < m; ++i)
              for (std::size_t j = 0; j < n; ++j) {
                float expected = write == Write::accumulate ? c0(i * n + j) : 0.0f;
                for (std::size_t d = 0; d < k; ++d) {
                  const std::size_t at = rows[i] + (d % length) * a_col + (d / length) * stride;
                  expected += a(at) * b(d * n + j);
                }
                ASSERT_NEAR(c(i * n + j), expected, 1e-4f)
                    << "m " << m << " n " << n << " write " << int(write) << " runs " << runs
                    << " fetching " << fetching << " at " << i << "," << j;
              }
          }
}

// What a product is given to fetch meanwhile (the next position's kernel block, or rows of the
// output gradient) leaves its result as it was, and the product moves past the lines it asked
// for: all of a short region, part of one longer than the product (a line every 4 or every 2
// depth steps), rows a stride apart, one region and then another.
TEST(SmallGemm, FetchesAheadWithoutChangingTheProduct) {
  const std::size_t w = small_gemm_width(), m = 13, n = 2 * w, k = 27;
  Generator gen(13);
  const Tensor a = gen.uniform({m * k}, -1, 1), b = gen.uniform({k * n}, -1, 1);
  Tensor plain = zeros({m * n}), fetching = zeros({m * n});
  small_gemm(m, n, k, a.data(), k, 1, b.data(), n, plain.data(), n, Write::overwrite);
  std::vector<char> region(64 * 1000);
  for (std::size_t lines : {3, 1000}) {
    Ahead ahead{region.data(), lines};
    small_gemm(m, n, k, a.data(), k, 1, b.data(), n, fetching.data(), n, Write::overwrite,
               nullptr, {}, &ahead);
    for (std::size_t i = 0; i < m * n; ++i) ASSERT_EQ(fetching(i), plain(i)) << "at " << i;
    if (lines == 3) {  // all asked for, `next` left on the last line
      EXPECT_EQ(ahead.lines, 0u);
      EXPECT_EQ(ahead.next, region.data() + 64 * 2);
    } else {  // some asked for, not all: a line every 4 of each tile's 27 depth steps, 3 tiles
      EXPECT_EQ(lines - ahead.lines, 3u * 6u);
      EXPECT_EQ(ahead.next, region.data() + 64 * (lines - ahead.lines));
    }
  }
  {  // a line every 2 steps: 13 of each tile's 27
    Ahead brisk = Ahead{region.data(), 1000}.paced(Ahead::Pace::every_2_steps);
    small_gemm(m, n, k, a.data(), k, 1, b.data(), n, fetching.data(), n, Write::overwrite,
               nullptr, {}, &brisk);
    for (std::size_t i = 0; i < m * n; ++i) ASSERT_EQ(fetching(i), plain(i)) << "at " << i;
    EXPECT_EQ(1000u - brisk.lines, 3u * 13u);
  }
  // Rows: 4 of 100 bytes (2 lines each), 640 bytes apart, all asked for.
  Ahead rows = Ahead::rows(region.data(), 4, 100, 640);
  EXPECT_EQ(rows.lines, 8u);
  small_gemm(m, n, k, a.data(), k, 1, b.data(), n, fetching.data(), n, Write::overwrite, nullptr,
             {}, &rows);
  for (std::size_t i = 0; i < m * n; ++i) ASSERT_EQ(fetching(i), plain(i)) << "at " << i;
  EXPECT_EQ(rows.lines, 0u);
  EXPECT_EQ(rows.next, region.data() + 3 * 640 + 64);
  // A region of 3 lines followed by rows: the product goes on from the first into the second
  // (11 lines in all, for 81 depth steps), leaving the caller's rows as they were.
  const Ahead after = Ahead::rows(region.data() + 64 * 500, 4, 100, 640);
  Ahead both = Ahead{region.data(), 3}.followed_by(&after);
  small_gemm(m, n, k, a.data(), k, 1, b.data(), n, fetching.data(), n, Write::overwrite, nullptr,
             {}, &both);
  for (std::size_t i = 0; i < m * n; ++i) ASSERT_EQ(fetching(i), plain(i)) << "at " << i;
  EXPECT_EQ(both.lines, 0u);
  EXPECT_EQ(both.next, region.data() + 64 * 500 + 3 * 640 + 64);
  EXPECT_EQ(after.lines, 8u);
  // What is left, asked for at once: to the last line of the region that follows.
  Ahead rest = Ahead{region.data(), 3}.followed_by(&after);
  rest.ask_rest();
  EXPECT_EQ(rest.lines, 0u);
  EXPECT_EQ(rest.next, both.next);
  // Nothing to fetch first: the second region at once.
  EXPECT_EQ(Ahead{}.followed_by(&after).next, after.next);
}

TEST(GradientBuffer, ZeroGradKeepsStorageThatTheNextGradientOverwrites) {
  Variable w(zeros({4, 3}), true);
  Tensor* first = gradient_to_overwrite(*w.node());
  ASSERT_NE(first, nullptr);
  first->fill(2.0f);
  EXPECT_EQ(gradient_to_overwrite(*w.node()), nullptr);  // present: accumulate instead
  const float* storage = w.grad().data();
  w.zero_grad();
  EXPECT_FALSE(w.has_grad());
  Tensor* second = gradient_to_overwrite(*w.node());
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->data(), storage);
  EXPECT_EQ(shape_of(*second), (Shape{4, 3}));
  Variable frozen(zeros({2}), false);
  EXPECT_EQ(gradient_to_overwrite(*frozen.node()), nullptr);
}

TEST(GradientBuffer, ThreadScratchIsCacheLineAligned) {
  for (int slot = 0; slot < 6; ++slot)
    for (std::size_t size : {1, 27, 1000, 100000}) {
      const float* p = thread_scratch(slot, size);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u) << "slot " << slot << " size " << size;
    }
}

}  // namespace

// copy_streaming copies every value, to an aligned destination (streamed, then a plain tail) and
// to an unaligned one (plain stores), and nothing past n.
TEST(SmallGemm, CopyStreamingCopiesEveryValue) {
  const std::size_t w = small_gemm_width();
  for (std::size_t n : {std::size_t(1), w - 1, w, 3 * w + 5, std::size_t(1728)})
    for (std::size_t shift : {0, 1}) {
      std::vector<float> src(n);
      for (std::size_t i = 0; i < n; ++i) src[i] = float(i) + 0.5f;
      Tensor dst = Tensor::from_shape({n + 2 * w});  // 64-byte aligned storage
      for (std::size_t i = 0; i < dst.size(); ++i) dst(i) = -1.0f;
      copy_streaming(src.data(), n, dst.data() + shift);
      streaming_fence();
      for (std::size_t i = 0; i < dst.size(); ++i)
        ASSERT_EQ(dst(i), i >= shift && i < shift + n ? src[i - shift] : -1.0f)
            << "n " << n << " shift " << shift << " at " << i;
    }
}
