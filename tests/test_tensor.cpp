#include <gtest/gtest.h>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xio.hpp>

#include "core/random.hpp"
#include "core/tensor.hpp"

using namespace tessera;

TEST(Tensor, ShapeStringsLookLikePython) {
  EXPECT_EQ(shape_str(Shape{2, 3}), "(2, 3)");
  EXPECT_EQ(shape_str(Shape{5}), "(5,)");
  EXPECT_EQ(shape_str(Shape{}), "()");
}

TEST(Tensor, BroadcastShapesFollowNumpy) {
  EXPECT_EQ(broadcast_shapes({4, 1, 3}, {5, 1}), (Shape{4, 5, 3}));
  EXPECT_EQ(broadcast_shapes({}, {2, 2}), (Shape{2, 2}));
  try {
    broadcast_shapes({2, 3}, {4});
    FAIL() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("(2, 3)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(4,)"), std::string::npos) << e.what();
  }
}

TEST(Tensor, ReduceToShapeSumsBroadcastAxes) {
  Tensor g = xt::ones<float>({2, 3, 4});
  EXPECT_EQ(reduce_to_shape(g, {4}), full({4}, 6.0f));
  EXPECT_EQ(reduce_to_shape(g, {3, 1}), full({3, 1}, 8.0f));
  EXPECT_EQ(reduce_to_shape(g, {2, 1, 4}), full({2, 1, 4}, 3.0f));
  EXPECT_THROW(reduce_to_shape(g, {5}), ShapeError);
}

TEST(Tensor, MatmulMatchesXtensorBlas) {
  Generator gen(5);
  const Tensor a = gen.uniform({7, 5}, -1, 1), b = gen.uniform({5, 3}, -1, 1);
  const Tensor expected = xt::linalg::dot(a, b);
  EXPECT_TRUE(xt::allclose(matmul(a, b), expected, 1e-5, 1e-6));
  const Tensor at = xt::transpose(a), bt = xt::transpose(b);
  EXPECT_TRUE(xt::allclose(matmul(at, b, true, false), expected, 1e-5, 1e-6));
  EXPECT_TRUE(xt::allclose(matmul(a, bt, false, true), expected, 1e-5, 1e-6));
  EXPECT_TRUE(xt::allclose(matmul(at, bt, true, true), expected, 1e-5, 1e-6));
}

TEST(Tensor, MatmulErrorNamesBothShapes) {
  try {
    matmul(zeros({2, 3}), zeros({4, 5}));
    FAIL() << "no error";
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(4, 5)"), std::string::npos) << msg;
  }
  EXPECT_THROW(matmul(zeros({2, 3, 1}), zeros({3, 1})), ShapeError);
}

TEST(Tensor, MatmulWithEmptyInnerSizeIsZero) {
  EXPECT_EQ(matmul(zeros({2, 0}), zeros({0, 3})), zeros({2, 3}));
}

TEST(Tensor, PermuteAxesReordersAxes) {
  Tensor t = xt::arange<float>(24);
  t.reshape({2, 3, 4});
  const Tensor p = permute_axes(t, {2, 0, 1});
  EXPECT_EQ(shape_of(p), (Shape{4, 2, 3}));
  EXPECT_EQ(p(3, 1, 2), t(1, 2, 3));
  EXPECT_THROW(permute_axes(t, {0, 0, 1}), ShapeError);
  EXPECT_THROW(permute_axes(t, {0, 1}), ShapeError);
}

TEST(Tensor, ViewsAndSlicesShareXtensorSemantics) {
  Tensor t = xt::arange<float>(12);
  t.reshape({3, 4});
  auto column = xt::view(t, xt::all(), 1);
  column = xt::zeros<float>({3});  // a view writes through
  EXPECT_EQ(t(2, 1), 0.0f);
  EXPECT_EQ(t(2, 2), 10.0f);
}

TEST(Tensor, ExpectShapeNamesWhatAndBothShapes) {
  try {
    expect_shape(zeros({2, 2}), {3}, "dense kernel");
    FAIL() << "no error";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "dense kernel: expected shape (3,), got (2, 2)");
  }
}

TEST(Tensor, NormalizeAxis) {
  EXPECT_EQ(normalize_axis(-1, 3), 2u);
  EXPECT_EQ(normalize_axis(0, 3), 0u);
  EXPECT_THROW(normalize_axis(3, 3), ShapeError);
  EXPECT_THROW(normalize_axis(-4, 3), ShapeError);
}
