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

TEST(Random, ReseedDropsTheSpareNormal) {
  // An odd number of normal draws leaves a Box–Muller spare; seed() must forget it.
  Generator a(3);
  const float first = a.normal();
  a.seed(3);
  EXPECT_EQ(a.normal(), first);
  Generator b(3);
  b.normal();
  b.normal();
  b.normal();
  b.seed(3);
  EXPECT_EQ(b.normal(), first);
}

TEST(Random, OwnedGeneratorSeedsFromItsSeedOrTheModel) {
  Generator model(11);
  OwnedGenerator own(5), free;
  own.seed_from(model);
  free.seed_from(model);
  const Tensor a = own.gen().uniform({4}, 0, 1);
  EXPECT_EQ(a, Generator(5).uniform({4}, 0, 1));
  Generator model_again(11);
  Generator expected(model_again.next_u64());
  EXPECT_EQ(free.gen().uniform({4}, 0, 1), expected.uniform({4}, 0, 1));
  own.reseed(5);
  EXPECT_EQ(own.gen().uniform({4}, 0, 1), a);
  EXPECT_EQ(own.seed(), std::optional<std::uint64_t>(5));
}
