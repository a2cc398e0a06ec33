// ReLU, LeakyReLU, ELU, PReLU, Softmax, ThresholdedReLU: values against Keras' formulas written
// out here, gradients, configs and errors.
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "grad_test.hpp"
#include "layer_test.hpp"
#include "layers/elu.hpp"
#include "layers/leaky_re_lu.hpp"
#include "layers/p_re_lu.hpp"
#include "layers/re_lu.hpp"
#include "layers/softmax.hpp"
#include "layers/thresholded_re_lu.hpp"

using namespace tessera;
using namespace tessera::testing;

namespace {

// (2, 5) points at least 0.05 away from the kinks at 0, 0.2, 0.7 and 1.4.
const Tensor kX = {{-1.0f, 0.1f, 0.5f, 2.0f, -0.3f}, {0.9f, -2.5f, 1.1f, 0.35f, 3.0f}};

void expect_elementwise(Layer& layer, float (*reference)(float)) {
  build(layer, {5});
  const Tensor y = layer(Variable(kX)).value();
  for (std::size_t i = 0; i < kX.size(); ++i)
    EXPECT_NEAR(y.data()[i], reference(kX.data()[i]), 1e-6f) << "at x = " << kX.data()[i];
  EXPECT_GRADIENTS_OK(through_layer(layer, false), std::vector<Tensor>{kX});
  expect_config_round_trip(layer);
}

}  // namespace

TEST(ReLULayer, DefaultIsMaxZero) {
  ReLU relu;
  expect_elementwise(relu, [](float x) { return std::max(x, 0.0f); });
  EXPECT_TRUE(relu.get_config()["max_value"].is_null());
}

TEST(ReLULayer, CapSlopeAndThreshold) {
  // Keras: x ≥ max_value → max_value; threshold ≤ x < max_value → x; else slope·(x − threshold).
  ReLU relu({.max_value = 1.4f, .negative_slope = 0.2f, .threshold = 0.2f});
  expect_elementwise(relu, [](float x) {
    return x >= 1.4f ? 1.4f : x > 0.2f ? x : 0.2f * (x - 0.2f);
  });
  expect_layer_error([&] { ReLU({.max_value = -1.0f, .name = "r"}); }, {"ReLU 'r'", "max_value"});
  expect_layer_error([&] { ReLU({.negative_slope = -0.1f, .name = "r"}); }, {"ReLU 'r'", "negative_slope"});
  expect_layer_error([&] { ReLU({.threshold = -0.1f, .name = "r"}); }, {"ReLU 'r'", "threshold"});
}

TEST(ReLULayer, ReadsKerasConfig) {
  LayerPtr r = layer_from_config("ReLU", Json::parse(
      R"({"name": "re_lu_1", "trainable": true, "dtype": "float32", "max_value": 1.399999976158142,
          "negative_slope": 0.20000000298023224, "threshold": 0.20000000298023224})"));
  build(*r, {1});
  EXPECT_NEAR((*r)(Variable(full({1, 1}, -1.0f))).value()(0, 0), -0.24f, 1e-6f);
  EXPECT_NEAR((*r)(Variable(full({1, 1}, 5.0f))).value()(0, 0), 1.4f, 1e-6f);
}

TEST(LeakyReLULayer, KerasTwoDefaultAlpha) {
  LeakyReLU leaky;
  expect_elementwise(leaky, [](float x) { return x > 0 ? x : 0.3f * x; });
  LayerPtr k3 = layer_from_config("LeakyReLU", Json::parse(R"({"name": "l", "negative_slope": 0.5})"));
  EXPECT_FLOAT_EQ(k3->get_config()["alpha"].get<float>(), 0.5f);
}

TEST(ELULayer, Alpha) {
  ELU elu(0.7f);
  expect_elementwise(elu, [](float x) { return x > 0 ? x : 0.7f * std::expm1(x); });
}

TEST(ThresholdedReLULayer, Theta) {
  ThresholdedReLU t(0.7f, "t");
  expect_elementwise(t, [](float x) { return x > 0.7f ? x : 0.0f; });
  expect_layer_error([&] { ThresholdedReLU(-1.0f, "neg"); }, {"ThresholdedReLU 'neg'", "theta"});
}

TEST(SoftmaxLayer, AxisCountsTheBatch) {
  Softmax s(1, "s");
  build(s, {3, 2});
  Tensor x = {{{1.0f, 0.0f}, {2.0f, 0.0f}, {3.0f, 0.0f}}, {{-1.0f, 5.0f}, {0.5f, 4.0f}, {2.0f, 1.0f}}};
  const Tensor y = s(Variable(x)).value();
  // softmax([1, 2, 3]) by hand.
  EXPECT_NEAR(y(0, 0, 0), 0.09003057f, 1e-6f);
  EXPECT_NEAR(y(0, 1, 0), 0.24472847f, 1e-6f);
  EXPECT_NEAR(y(0, 2, 0), 0.66524096f, 1e-6f);
  EXPECT_NEAR(y(0, 1, 1), 1.0f / 3.0f, 1e-6f);
  EXPECT_GRADIENTS_OK(through_layer(s, false), std::vector<Tensor>{x});
  expect_config_round_trip(s);
  expect_layer_error([&] { Softmax(3, "s3").compute_output_shape({3, 2}); }, {"Softmax 's3'", "axis 3"});
  LayerPtr listed = layer_from_config("Softmax", Json::parse(R"({"name": "l", "axis": [-1]})"));
  EXPECT_EQ(listed->get_config()["axis"], -1);
  expect_layer_error([&] { layer_from_config("Softmax", Json::parse(R"({"name": "m", "axis": [1, 2]})")); }, {"Softmax 'm'", "one integer"});
}

TEST(PReLULayer, SharedAxesShapeTheSlope) {
  PReLU p({.alpha_initializer = constant_initializer(0.25f), .shared_axes = {1, 2}, .name = "p"});
  build(p, {3, 4, 2});
  ASSERT_EQ(p.weights().size(), 1u);
  EXPECT_EQ(p.weights()[0].name, "alpha");
  EXPECT_EQ(p.weights()[0].variable.shape(), (Shape{1, 1, 2}));
  p.weights()[0].variable.value() = Tensor{{{0.25f, -0.5f}}};
  Generator gen(3);
  Tensor x = gen.uniform({2, 3, 4, 2}, -2.0f, 2.0f);
  for (auto& v : x)
    if (std::fabs(v) < 0.05f) v = 0.1f;
  const Tensor y = p(Variable(x)).value();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float slope = i % 2 ? -0.5f : 0.25f;  // channel = last index
    EXPECT_FLOAT_EQ(y.data()[i], x.data()[i] > 0 ? x.data()[i] : slope * x.data()[i]);
  }
  EXPECT_GRADIENTS_OK(through_layer(p, false), input_and_weights(x, p, 1));
  expect_config_round_trip(p);
  EXPECT_EQ(p.get_config()["shared_axes"], Json::parse("[1, 2]"));
}

TEST(PReLULayer, UnsharedSlopeHasTheSampleShapeAndKerasConfig) {
  LayerPtr p = layer_from_config("PReLU", Json::parse(
      R"({"name": "p_re_lu", "trainable": true, "dtype": "float32",
          "alpha_initializer": {"class_name": "Zeros", "config": {}},
          "alpha_regularizer": {"class_name": "L2", "config": {"l2": 0.01}},
          "alpha_constraint": {"class_name": "NonNeg", "config": {}}, "shared_axes": null})"));
  build(*p, {4, 3});
  EXPECT_EQ(p->weights()[0].variable.shape(), (Shape{4, 3}));
  EXPECT_TRUE(p->weights()[0].regularizer);
  EXPECT_TRUE(p->weights()[0].constraint);
  // Slope 0 (zeros initializer): a plain relu.
  EXPECT_EQ((*p)(Variable(full({1, 4, 3}, -1.0f))).value(), zeros({1, 4, 3}));
  expect_config_round_trip(*p);
  PReLU bad({.shared_axes = {3}, .name = "bad"});
  expect_layer_error([&] { bad.compute_output_shape({4, 3}); }, {"PReLU 'bad'", "shared axis 3"});
  expect_layer_error([&] { PReLU({.shared_axes = {0}, .name = "zero"}); }, {"PReLU 'zero'", "1-based"});
}
