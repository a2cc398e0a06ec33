#include <gtest/gtest.h>

#include <array>
#include <numeric>

#include "core/fixed_length.hpp"

using namespace tessera;

namespace {

// Every length with_fixed_length hands over, as a constant and at run time: exactly n floats
// copied or added, the ones after them untouched (a mask one lane too wide would write one).
TEST(FixedLength, MovesExactlyTheRunsFloats) {
  for (std::size_t n = 1; n <= kMaxFixedLength; ++n) {
    SCOPED_TRACE(n);
    std::array<float, kMaxFixedLength + 1> src{}, copied{}, added{}, at_run_time{};
    std::iota(src.begin(), src.end(), 1.0f);
    added.fill(10.0f), at_run_time.fill(-1.0f), copied.fill(-1.0f);
    ASSERT_TRUE(with_fixed_length(n, [&](auto length) {
      static_assert(!std::is_same_v<decltype(length), std::size_t>);
      move_floats(src.data(), copied.data(), length);
      move_floats<true>(src.data(), added.data(), length);
    }));
    move_floats(src.data(), at_run_time.data(), n);
    for (std::size_t i = 0; i <= kMaxFixedLength; ++i) {
      EXPECT_EQ(copied[i], i < n ? src[i] : -1.0f) << i;
      EXPECT_EQ(at_run_time[i], i < n ? src[i] : -1.0f) << i;
      EXPECT_EQ(added[i], i < n ? src[i] + 10.0f : 10.0f) << i;
    }
  }
}

}  // namespace
