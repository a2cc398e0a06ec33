// Forward values and finite-difference gradients of every op in core/ops.hpp.
#include <gtest/gtest.h>
#include <xtensor/xio.hpp>

#include "core/ops.hpp"
#include "core/random.hpp"
#include "grad_test.hpp"

using namespace tessera;

namespace {

Tensor random(const Shape& shape, std::uint64_t seed, float low = -1.0f, float high = 1.0f) {
  Generator gen(seed);
  return gen.uniform(shape, low, high);
}

// Values in ±[low, high]: away from zero, for ops with a kink or a pole there.
Tensor away_from_zero(const Shape& shape, std::uint64_t seed, float low = 0.3f, float high = 1.5f) {
  Generator gen(seed);
  Tensor t = gen.uniform(shape, low, high);
  for (auto& v : t)
    if (gen.uniform() < 0.5f) v = -v;
  return t;
}

}  // namespace

TEST(Ops, ArithmeticBroadcastsLikeNumpy) {
  Variable a(Tensor{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  Variable b(Tensor{10.0f, 20.0f, 30.0f});
  EXPECT_EQ((a + b).value(), (Tensor{{11, 22, 33}, {14, 25, 36}}));
  EXPECT_EQ((a - b).value(), (Tensor{{-9, -18, -27}, {-6, -15, -24}}));
  EXPECT_EQ((a * b).value(), (Tensor{{10, 40, 90}, {40, 100, 180}}));
  EXPECT_EQ((b / a).value()(1, 2), 5.0f);
  EXPECT_EQ((a * 2.0f + 1.0f).value(), (Tensor{{3, 5, 7}, {9, 11, 13}}));
}

TEST(Ops, ArithmeticShapeErrorsNameTheOpAndBothShapes) {
  try {
    add(Variable(zeros({2, 3})), Variable(zeros({2})));
    FAIL() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "add: shapes (2, 3) and (2,) do not broadcast");
  }
}

TEST(Ops, BinaryGradients) {
  const std::vector<Tensor> same = {random({2, 3}, 1), away_from_zero({2, 3}, 2)};
  const std::vector<Tensor> bcast = {random({4, 1, 3}, 3), away_from_zero({2, 1}, 4)};
  for (const auto& inputs : {same, bcast}) {
    EXPECT_GRADIENTS_OK([](const auto& v) { return add(v[0], v[1]); }, inputs);
    EXPECT_GRADIENTS_OK([](const auto& v) { return sub(v[0], v[1]); }, inputs);
    EXPECT_GRADIENTS_OK([](const auto& v) { return mul(v[0], v[1]); }, inputs);
    EXPECT_GRADIENTS_OK([](const auto& v) { return div(v[0], v[1]); }, inputs);
  }
}

TEST(Ops, ScalarAndSignGradients) {
  const std::vector<Tensor> x = {random({3, 2}, 5)};
  EXPECT_GRADIENTS_OK([](const auto& v) { return neg(v[0]); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return scale(v[0], -2.5f); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return shift(v[0], 0.7f); }, x);
}

TEST(Ops, MatmulValueAndGradient) {
  Variable a(Tensor{{1, 2}, {3, 4}}), b(Tensor{{5, 6}, {7, 8}});
  EXPECT_EQ(matmul(a, b).value(), (Tensor{{19, 22}, {43, 50}}));
  EXPECT_GRADIENTS_OK([](const auto& v) { return matmul(v[0], v[1]); },
                      std::vector<Tensor>{random({3, 4}, 6), random({4, 5}, 7)});
}

TEST(Ops, Reductions) {
  Variable x(Tensor{{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(sum(x).value()(), 21.0f);
  EXPECT_EQ(shape_of(sum(x).value()), Shape{});
  EXPECT_EQ(sum(x, {0}).value(), (Tensor{5, 7, 9}));
  const Tensor kept = sum(x, {-1}, true).value();
  EXPECT_EQ(shape_of(kept), (Shape{2, 1}));
  EXPECT_EQ(kept(1, 0), 15.0f);
  EXPECT_EQ(mean(x).value()(), 3.5f);
  EXPECT_EQ(mean(x, {1}).value(), (Tensor{2, 5}));
  EXPECT_THROW(sum(x, {2}), ShapeError);
  EXPECT_THROW(sum(x, {1, -1}), ShapeError);
}

TEST(Ops, ReductionGradients) {
  const std::vector<Tensor> x = {random({2, 3, 4}, 8)};
  EXPECT_GRADIENTS_OK([](const auto& v) { return sum(v[0]); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return mean(v[0]); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return sum(v[0], {1}); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return sum(v[0], {0, 2}, true); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return mean(v[0], {-1}); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return mean(v[0], {0, 1}, true); }, x);
}

TEST(Ops, ReshapeInfersOneSize) {
  Variable x(zeros({2, 3, 4}));
  EXPECT_EQ(reshape(x, {6, -1}).shape(), (Shape{6, 4}));
  try {
    reshape(x, {5, -1});
    FAIL() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "cannot reshape (2, 3, 4) to (5, -1)");
  }
  EXPECT_THROW(reshape(x, {-1, -1}), ShapeError);
  EXPECT_THROW(reshape(x, {25}), ShapeError);
}

TEST(Ops, ShapeOpGradients) {
  const std::vector<Tensor> x = {random({2, 3, 4}, 9)};
  EXPECT_GRADIENTS_OK([](const auto& v) { return reshape(v[0], {4, 6}); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return transpose(v[0], {2, 0, 1}); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return slice(v[0], 1, 1, 3); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return slice(v[0], -1, 0, 2); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return concat({v[0], v[1], v[0]}, 1); },
                      std::vector<Tensor>{random({2, 3, 4}, 10), random({2, 1, 4}, 11)});
}

TEST(Ops, SliceAndConcatValues) {
  Variable x(Tensor{{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(slice(x, 1, 1, 3).value(), (Tensor{{2, 3}, {5, 6}}));
  EXPECT_EQ(concat({x, x}, 0).shape(), (Shape{4, 3}));
  EXPECT_EQ(concat({x, slice(x, 1, 0, 1)}, 1).value(), (Tensor{{1, 2, 3, 1}, {4, 5, 6, 4}}));
  EXPECT_THROW(slice(x, 1, 2, 4), ShapeError);
  EXPECT_THROW(concat({x, Variable(zeros({3, 3}))}, 1), ShapeError);
}

TEST(Ops, ElementwiseMathValues) {
  Variable x(Tensor{1.0f, 4.0f});
  EXPECT_TRUE(xt::allclose(exp(x).value(), Tensor{2.7182817f, 54.59815f}));
  EXPECT_TRUE(xt::allclose(log(x).value(), Tensor{0.0f, 1.3862944f}));
  EXPECT_EQ(sqrt(x).value(), (Tensor{1.0f, 2.0f}));
  EXPECT_EQ(pow(x, 1.5f).value(), (Tensor{1.0f, 8.0f}));
  EXPECT_EQ(clip(Variable(Tensor{-2.0f, 0.5f, 3.0f}), -1.0f, 1.0f).value(),
            (Tensor{-1.0f, 0.5f, 1.0f}));
  EXPECT_THROW(clip(x, 1.0f, 0.0f), std::invalid_argument);
}

TEST(Ops, ElementwiseMathGradients) {
  const std::vector<Tensor> any = {random({3, 4}, 12)};
  const std::vector<Tensor> positive = {random({3, 4}, 13, 0.5f, 2.0f)};
  const std::vector<Tensor> nonzero = {away_from_zero({3, 4}, 14)};
  EXPECT_GRADIENTS_OK([](const auto& v) { return exp(v[0]); }, any);
  EXPECT_GRADIENTS_OK([](const auto& v) { return square(v[0]); }, any);
  EXPECT_GRADIENTS_OK([](const auto& v) { return log(v[0]); }, positive);
  EXPECT_GRADIENTS_OK([](const auto& v) { return sqrt(v[0]); }, positive);
  EXPECT_GRADIENTS_OK([](const auto& v) { return pow(v[0], 2.5f); }, positive);
  EXPECT_GRADIENTS_OK([](const auto& v) { return pow(v[0], -1.0f); }, positive);
  EXPECT_GRADIENTS_OK([](const auto& v) { return abs(v[0]); }, nonzero);
  // Clip bounds at ±0.9: inputs within 0.3..1.5 of zero, so some are clipped, none sit on a bound.
  EXPECT_GRADIENTS_OK([](const auto& v) { return clip(v[0], -0.9f, 0.9f); },
                      std::vector<Tensor>{Tensor{{-1.4f, -0.5f, 0.2f}, {0.6f, 1.2f, -0.1f}}});
}
