// The core ops behind the spatial layers: zero_pad/crop, pool2d, repeat_elements, resize_bilinear.
#include <gtest/gtest.h>

#include <xtensor/xio.hpp>
#include <xtensor/xview.hpp>

#include "core/padding.hpp"
#include "core/pooling.hpp"
#include "core/random.hpp"
#include "core/resize.hpp"
#include "grad_test.hpp"
#include "layer_test.hpp"

using namespace tessera;

TEST(SpatialOps, PadAndCropAreInverse) {
  Generator gen(41);
  const Tensor x = gen.uniform({2, 3, 4}, -1, 1);
  const AxisPads pads{{0, 1}, {2, 0}, {1, 3}};
  const Variable padded = zero_pad(Variable(x), pads);
  EXPECT_EQ(padded.shape(), (Shape{3, 5, 8}));
  EXPECT_FLOAT_EQ(padded.value()(1, 2, 1), x(1, 0, 0));
  EXPECT_FLOAT_EQ(padded.value()(2, 4, 7), 0.0f);
  EXPECT_FLOAT_EQ(xt::sum(padded.value())(), xt::sum(x)());
  EXPECT_TRUE(xt::allclose(crop(padded, pads).value(), x));
  EXPECT_THROW(crop(Variable(x), {{1, 1}, {0, 0}, {0, 0}}), ShapeError);
  EXPECT_THROW(zero_pad(Variable(x), {{0, 0}}), ShapeError);
}

TEST(SpatialOps, Gradients) {
  Generator gen(42);
  const std::vector<Tensor> x{gen.uniform({2, 5, 4, 3}, -1, 1)};
  EXPECT_GRADIENTS_OK(
      [](const auto& v) {
        return zero_pad(v[0], {{0, 0}, {1, 2}, {0, 1}, {0, 0}});
      },
      x);
  EXPECT_GRADIENTS_OK(
      [](const auto& v) {
        return crop(v[0], {{0, 1}, {1, 2}, {0, 1}, {1, 0}});
      },
      x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return repeat_elements(v[0], 2, 3); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return resize_bilinear(v[0], 3, 2); }, x);
  for (PoolMode mode : {PoolMode::max, PoolMode::average}) {
    const Im2colSpec s = make_im2col_spec(5, 4, 3, 2, 2, 1, 1, 1, "same");
    EXPECT_GRADIENTS_OK([&](const auto& v) { return pool2d(v[0], s, mode); },
                        std::vector<Tensor>{tessera::testing::distinct_values({2, 5, 4, 3}, gen)});
  }
}

TEST(SpatialOps, RepeatElementsIsNumpyRepeat) {
  const Tensor x = {{1.0f, 2.0f}, {3.0f, 4.0f}};
  const Tensor y = repeat_elements(Variable(x), 1, 2).value();
  const Tensor expected = {{1.0f, 1.0f, 2.0f, 2.0f}, {3.0f, 3.0f, 4.0f, 4.0f}};
  EXPECT_EQ(y, expected);
}

// A batch large enough to share among threads pools each sample as a batch of one does.
TEST(SpatialOps, ThreadedMaxPoolMatchesEachSampleAlone) {
  Generator gen(43);
  const Tensor x = tessera::testing::distinct_values({6, 24, 24, 16}, gen);
  const Im2colSpec s = make_im2col_spec(24, 24, 2, 2, 2, 2, 1, 1, "valid");
  Variable xv(x, true);
  Variable y = pool2d(xv, s, PoolMode::max);
  const Tensor seed = gen.uniform(y.shape(), -1, 1);
  y.backward(seed);
  for (std::size_t b = 0; b < 6; ++b) {
    Variable one(xt::eval(xt::view(x, xt::range(b, b + 1))), true);
    Variable y1 = pool2d(one, s, PoolMode::max);
    y1.backward(xt::eval(xt::view(seed, xt::range(b, b + 1))));
    EXPECT_EQ(y1.value(), xt::eval(xt::view(y.value(), xt::range(b, b + 1))));
    EXPECT_EQ(one.grad(), xt::eval(xt::view(xv.grad(), xt::range(b, b + 1))));
  }
}
