#include <algorithm>
#include <set>

#include <gtest/gtest.h>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>

#include "core/random.hpp"

using namespace tessera;

TEST(Random, SameSeedSameNumbers) {
  Generator a(7), b(7), c(8);
  const Tensor ta = a.normal({100}, 0, 1);
  EXPECT_EQ(ta, b.normal({100}, 0, 1));
  EXPECT_NE(ta, c.normal({100}, 0, 1));
  a.seed(7);
  EXPECT_EQ(a.normal({100}, 0, 1), ta);
}

TEST(Random, DistributionsHaveTheirMoments) {
  Generator gen(1);
  const Tensor u = gen.uniform({20000}, -2.0f, 4.0f);
  EXPECT_GE(xt::amin(u)(), -2.0f);
  EXPECT_LT(xt::amax(u)(), 4.0f);
  EXPECT_NEAR(xt::mean(u)(), 1.0f, 0.05f);
  const Tensor n = gen.normal({20000}, 3.0f, 2.0f);
  EXPECT_NEAR(xt::mean(n)(), 3.0f, 0.05f);
  EXPECT_NEAR(xt::stddev(n)(), 2.0f, 0.05f);
  const Tensor t = gen.truncated_normal({20000}, 0.0f, 0.5f);
  EXPECT_LE(xt::amax(xt::abs(t))(), 1.0f);
  // A normal truncated at ±2σ has standard deviation ≈ 0.8796σ.
  EXPECT_NEAR(xt::stddev(t)(), 0.8796f * 0.5f, 0.01f);
}

TEST(Random, PermutationIsAPermutation) {
  Generator gen(2);
  auto p = gen.permutation(1000);
  EXPECT_FALSE(std::is_sorted(p.begin(), p.end()));
  std::sort(p.begin(), p.end());
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i], i);
  EXPECT_TRUE(gen.permutation(0).empty());
}

TEST(Random, UniformIndexCoversTheRange) {
  Generator gen(3);
  std::set<std::size_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto v = gen.uniform_index(7);
    EXPECT_LT(v, 7u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7u);
}
