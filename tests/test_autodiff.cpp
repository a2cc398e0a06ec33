#include <gtest/gtest.h>
#include <xtensor/xio.hpp>

#include "core/activations.hpp"
#include "core/ops.hpp"

using namespace tessera;

TEST(Autodiff, ChainRuleThroughSharedSubexpressions) {
  // f = (x·y + x)² at x = 3, y = 2: df/dx = 2(xy + x)(y + 1) = 54, df/dy = 2(xy + x)x = 54.
  Variable x(full({}, 3.0f), true), y(full({}, 2.0f), true);
  Variable s = add(mul(x, y), x);
  Variable f = mul(s, s);
  f.backward();
  EXPECT_FLOAT_EQ(f.value()(), 81.0f);
  EXPECT_FLOAT_EQ(x.grad()(), 54.0f);
  EXPECT_FLOAT_EQ(y.grad()(), 54.0f);
}

TEST(Autodiff, GradientsAccumulateUntilZeroed) {
  Variable w(full({2}, 1.0f), true);
  for (int i = 0; i < 2; ++i) sum(scale(w, 3.0f)).backward();
  EXPECT_EQ(w.grad(), full({2}, 6.0f));
  w.zero_grad();
  EXPECT_FALSE(w.has_grad());
  sum(w).backward();
  EXPECT_EQ(w.grad(), full({2}, 1.0f));
}

TEST(Autodiff, NoGradModeRecordsNothing) {
  Variable w(full({2, 2}, 1.0f), true);
  Variable y;
  {
    NoGradGuard guard;
    EXPECT_FALSE(grad_enabled());
    y = sigmoid(matmul(w, w));
  }
  EXPECT_TRUE(grad_enabled());
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(y.node()->inputs.empty());
  EXPECT_FALSE(static_cast<bool>(y.node()->backward));
  EXPECT_EQ(w.node().use_count(), 1) << "the result must hold no reference to its input";
}

TEST(Autodiff, ConstantsRecordNothing) {
  Variable a(full({2}, 1.0f)), b(full({2}, 2.0f));
  Variable c = mul(a, b);
  EXPECT_FALSE(c.requires_grad());
  EXPECT_TRUE(c.node()->inputs.empty());
}

TEST(Autodiff, OnlyTheInputsThatAskGetGradients) {
  Variable a(full({2}, 1.0f), true), b(full({2}, 2.0f));
  sum(mul(a, b)).backward();
  EXPECT_EQ(a.grad(), full({2}, 2.0f));
  EXPECT_FALSE(b.has_grad());
  EXPECT_THROW(b.grad(), std::logic_error);
}

TEST(Autodiff, BackwardNeedsAScalarOrASeed) {
  Variable a(full({3}, 1.0f), true);
  Variable y = scale(a, 2.0f);
  EXPECT_THROW(y.backward(), ShapeError);
  y.backward(Tensor{1.0f, 2.0f, 3.0f});
  EXPECT_EQ(a.grad(), (Tensor{2.0f, 4.0f, 6.0f}));
  EXPECT_THROW(Variable(full({}, 1.0f)).backward(), std::logic_error);
}

TEST(Autodiff, IntermediateGradientsAreReleased) {
  Variable a(full({3}, 1.0f), true);
  Variable h = exp(a);
  Variable loss = sum(h);
  loss.backward();
  EXPECT_FALSE(h.has_grad());
  EXPECT_TRUE(a.has_grad());
}

TEST(Autodiff, TheGraphFreesItselfWhenTheLastHandleGoes) {
  std::weak_ptr<Node> middle;
  Variable w(full({4}, 0.5f), true);
  {
    Variable h = tanh(w);
    middle = h.node();
    Variable loss = sum(square(h));
    loss.backward();
  }
  EXPECT_TRUE(middle.expired());
  EXPECT_EQ(w.node().use_count(), 1);
}

TEST(Autodiff, DeepChainsNeedNoDeepRecursionInBackward) {
  Variable w(full({}, 1.0f), true);
  Variable y = w;
  for (int i = 0; i < 20000; ++i) y = shift(y, 0.0f);
  y.backward();
  EXPECT_FLOAT_EQ(w.grad()(), 1.0f);
}

TEST(Autodiff, DetachCutsHistory) {
  Variable w(full({2}, 2.0f), true);
  Variable d = mul(w.detach(), w);  // d/dw (c·w) with c = w held constant
  sum(d).backward();
  EXPECT_EQ(w.grad(), full({2}, 2.0f));
  EXPECT_FALSE(w.detach().requires_grad());
}

TEST(Autodiff, AnRvalueSeedBecomesTheGradientWithoutACopy) {
  Variable x(Tensor{{1.0f, 2.0f}, {3.0f, 4.0f}}, true);
  Tensor seed = {{0.5f, -1.0f}, {2.0f, 3.0f}};
  const Tensor expected = seed;
  const float* storage = seed.data();
  x.backward(std::move(seed));
  EXPECT_EQ(x.grad(), expected);
  EXPECT_EQ(x.grad().data(), storage);
  // A seed passed as an lvalue is copied and stays the caller's.
  Variable y(Tensor{{1.0f, 2.0f}, {3.0f, 4.0f}}, true);
  const Tensor kept = expected;
  y.backward(kept);
  EXPECT_EQ(y.grad(), expected);
  EXPECT_NE(y.grad().data(), kept.data());
}
