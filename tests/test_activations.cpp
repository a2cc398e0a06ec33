// Every Keras activation: values against Keras' definitions and finite-difference gradients.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <xtensor/xio.hpp>

#include "core/activations.hpp"
#include "core/ops.hpp"
#include "core/random.hpp"
#include "grad_test.hpp"

using namespace tessera;

namespace {

const Tensor kPoints = {-3.0f, -1.0f, -0.25f, 0.5f, 2.0f};

// Inputs for gradient checks, kept 0.1 away from every kink used below (0, ±2.5, 1, 6).
Tensor smooth_points(std::uint64_t seed) {
  Generator gen(seed);
  Tensor t = gen.uniform({3, 5}, -4.0f, 4.0f);
  for (auto& v : t)
    for (float kink : {0.0f, 1.0f, 2.5f, -2.5f, 6.0f, -0.5f})
      if (std::fabs(v - kink) < 0.1f) v = kink + 0.2f;
  return t;
}

void expect_values(const ActivationFn& f, float (*reference)(float)) {
  const Tensor y = f(Variable(kPoints)).value();
  for (std::size_t i = 0; i < kPoints.size(); ++i)
    EXPECT_NEAR(y(i), reference(kPoints(i)), 1e-6f * (1.0f + std::fabs(reference(kPoints(i)))))
        << "at x = " << kPoints(i);
}

}  // namespace

TEST(Activations, ValuesFollowKerasDefinitions) {
  expect_values(linear, [](float x) { return x; });
  expect_values([](const Variable& x) { return relu(x); }, [](float x) { return std::max(x, 0.0f); });
  expect_values(sigmoid, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
  expect_values(tessera::tanh, [](float x) { return std::tanh(x); });
  expect_values([](const Variable& x) { return elu(x); },
                [](float x) { return x > 0 ? x : std::expm1(x); });
  expect_values(selu, [](float x) {
    return 1.0507009873554805f * (x > 0 ? x : 1.6732632423543772f * std::expm1(x));
  });
  expect_values(softplus, [](float x) { return std::log1p(std::exp(x)); });
  expect_values(softsign, [](float x) { return x / (1.0f + std::fabs(x)); });
  expect_values(hard_sigmoid, [](float x) { return std::clamp(0.2f * x + 0.5f, 0.0f, 1.0f); });
  expect_values(swish, [](float x) { return x / (1.0f + std::exp(-x)); });
  expect_values(exponential, [](float x) { return std::exp(x); });
  expect_values([](const Variable& x) { return gelu(x); },
                [](float x) { return 0.5f * x * (1.0f + std::erf(x / std::sqrt(2.0f))); });
  expect_values([](const Variable& x) { return gelu(x, true); }, [](float x) {
    return 0.5f * x * (1.0f + std::tanh(0.7978845608f * (x + 0.044715f * x * x * x)));
  });
  expect_values(mish, [](float x) { return x * std::tanh(std::log1p(std::exp(x))); });
}

TEST(Activations, KerasGeneralRelu) {
  // keras.activations.relu(x, alpha=0.1, max_value=1.5, threshold=0.5)
  const Tensor y = relu(Variable(kPoints), 0.1f, 1.5f, 0.5f).value();
  EXPECT_TRUE(xt::allclose(y, Tensor{-0.35f, -0.15f, -0.075f, 0.0f, 1.5f})) << y;
  EXPECT_EQ(relu(Variable(kPoints), 0.0f, 6.0f).value()(4), 2.0f);
}

TEST(Activations, ReluPassesNanOnLikeTensorFlow) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (float alpha : {0.0f, 0.1f}) {
    Variable x(Tensor{nan, -2.0f, 0.0f, 3.0f}, true);
    Variable y = relu(x, alpha, 2.5f);
    EXPECT_TRUE(std::isnan(y.value()(0))) << alpha;
    EXPECT_EQ(y.value()(1), -2.0f * alpha);
    EXPECT_EQ(y.value()(2), 0.0f);
    EXPECT_EQ(y.value()(3), 2.5f);
    sum(y).backward();
    EXPECT_EQ(x.grad()(0), 0.0f);  // TensorFlow: dy · (x > 0)
  }
}

TEST(Activations, SoftmaxIsStableAndNormalised) {
  const Tensor y = softmax(Variable(Tensor{{1000.0f, 1001.0f, 1002.0f}, {-5.0f, 0.0f, 5.0f}})).value();
  EXPECT_TRUE(xt::allclose(xt::sum(y, {1}), Tensor{1.0f, 1.0f}));
  EXPECT_NEAR(y(0, 2), 0.66524094f, 1e-6f);
  const Tensor logp = log_softmax(Variable(Tensor{{1000.0f, 1001.0f, 1002.0f}})).value();
  EXPECT_NEAR(logp(0, 0), -2.40760596f, 1e-5f);
  // Over another axis.
  const Tensor col = softmax(Variable(Tensor{{0.0f, 1.0f}, {0.0f, 1.0f}}), 0).value();
  EXPECT_TRUE(xt::allclose(col, full({2, 2}, 0.5f)));
}

TEST(Activations, Gradients) {
  const std::vector<Tensor> x = {smooth_points(1)};
  for (const auto& name : activation_names()) {
    SCOPED_TRACE(name);
    EXPECT_GRADIENTS_OK([f = get_activation(name)](const auto& v) { return f(v[0]); }, x);
  }
  EXPECT_GRADIENTS_OK([](const auto& v) { return relu(v[0], 0.1f, 1.0f, -0.5f); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return elu(v[0], 0.5f); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return gelu(v[0], true); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return softmax(v[0], 0); }, x);
  EXPECT_GRADIENTS_OK([](const auto& v) { return log_softmax(v[0], 0); }, x);
}

TEST(Activations, LookupByKerasName) {
  EXPECT_EQ(get_activation("silu")(Variable(Tensor{1.0f})).value(),
            swish(Variable(Tensor{1.0f})).value());
  EXPECT_EQ(get_activation("")(Variable(Tensor{-1.0f})).value(), Tensor{-1.0f});
  try {
    get_activation("relu7");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'relu7'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("hard_sigmoid"), std::string::npos) << msg;
  }
}
