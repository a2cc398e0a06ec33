// BatchNormalization: inference with the moving statistics, training with the batch's, the moving
// updates, frozen layers, several axes, gradients in both modes, weights, configs and errors.
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "grad_test.hpp"
#include "layer_test.hpp"
#include "layers/batch_normalization.hpp"

using namespace tessera;
using namespace tessera::testing;

namespace {

// Sets gamma, beta, moving_mean, moving_variance (a layer with scale and center).
void set_weights(Layer& bn, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                 const Tensor& var) {
  bn.weights()[0].variable.value() = gamma;
  bn.weights()[1].variable.value() = beta;
  bn.weights()[2].variable.value() = mean;
  bn.weights()[3].variable.value() = var;
}

const Tensor kGamma = {1.5f, -0.5f, 2.0f};
const Tensor kBeta = {0.1f, 0.2f, -0.3f};

}  // namespace

TEST(BatchNormalization, WeightsInKerasOrder) {
  BatchNormalization bn;
  build(bn, {4, 3});
  ASSERT_EQ(bn.weights().size(), 4u);
  const char* names[] = {"gamma", "beta", "moving_mean", "moving_variance"};
  const bool trainable[] = {true, true, false, false};
  const Tensor initial[] = {full({3}, 1), zeros({3}), zeros({3}), full({3}, 1)};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(bn.weights()[i].name, names[i]);
    EXPECT_EQ(bn.weights()[i].trainable, trainable[i]);
    EXPECT_EQ(bn.weights()[i].variable.value(), initial[i]);
  }
  EXPECT_EQ(bn.count_params(), 12u);
  EXPECT_EQ(bn.count_trainable_params(), 6u);
  BatchNormalization bare({.center = false, .scale = false});
  build(bare, {4, 3});
  ASSERT_EQ(bare.weights().size(), 2u);
  EXPECT_EQ(bare.weights()[0].name, "moving_mean");
  BatchNormalization no_beta({.center = false});
  build(no_beta, {3});
  EXPECT_EQ(no_beta.weights()[0].name, "gamma");
  EXPECT_EQ(no_beta.weights()[1].name, "moving_mean");
}

TEST(BatchNormalization, InferenceUsesMovingStatistics) {
  BatchNormalization bn;
  build(bn, {2, 3});
  const Tensor mm = {0.5f, -1.0f, 2.0f}, mv = {4.0f, 0.25f, 1.0f};
  set_weights(bn, kGamma, kBeta, mm, mv);
  const Tensor x = Generator(1).normal({2, 2, 3}, 0.0f, 2.0f);
  const Tensor y = bn(Variable(x)).value();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::size_t c = i % 3;
    const double expected =
        kGamma(c) * (x.data()[i] - mm(c)) / std::sqrt(double(mv(c)) + 1e-3) + kBeta(c);
    EXPECT_NEAR(y.data()[i], expected, 1e-5);
  }
  EXPECT_EQ(bn.weights()[2].variable.value(), mm);  // inference updates nothing
  EXPECT_GRADIENTS_OK(through_layer(bn, false), input_and_weights(x, bn, 2));
}

TEST(BatchNormalization, TrainingUsesBatchStatisticsAndUpdatesMovingOnes) {
  BatchNormalization bn({.momentum = 0.9f});
  build(bn, {2, 3});
  set_weights(bn, kGamma, kBeta, Tensor{0.5f, -1.0f, 2.0f}, Tensor{4.0f, 0.25f, 1.0f});
  const Tensor x = Generator(2).normal({4, 2, 3}, 1.0f, 3.0f);
  const Tensor y = bn(Variable(x), true).value();
  for (std::size_t c = 0; c < 3; ++c) {
    double s = 0, ss = 0;
    for (std::size_t i = c; i < x.size(); i += 3) s += x.data()[i];
    const double mean = s / 8;
    for (std::size_t i = c; i < x.size(); i += 3) ss += (x.data()[i] - mean) * (x.data()[i] - mean);
    const double var = ss / 8;  // biased
    for (std::size_t i = c; i < x.size(); i += 3)
      EXPECT_NEAR(y.data()[i], kGamma(c) * (x.data()[i] - mean) / std::sqrt(var + 1e-3) + kBeta(c), 1e-4);
    const double old_mean[] = {0.5, -1.0, 2.0}, old_var[] = {4.0, 0.25, 1.0};
    EXPECT_NEAR(bn.weights()[2].variable.value()(c), 0.9 * old_mean[c] + 0.1 * mean, 1e-5);
    EXPECT_NEAR(bn.weights()[3].variable.value()(c), 0.9 * old_var[c] + 0.1 * var, 1e-4);
  }
}

TEST(BatchNormalization, FrozenLayerUsesMovingStatisticsInTraining) {
  BatchNormalization bn;
  build(bn, {3});
  bn.trainable = false;
  const Tensor x = Generator(3).normal({5, 3}, 2.0f, 1.0f);
  const Tensor expected = bn(Variable(x), false).value();
  EXPECT_EQ(bn(Variable(x), true).value(), expected);
  EXPECT_EQ(bn.weights()[2].variable.value(), zeros({3}));
}

TEST(BatchNormalization, GradientsInTraining) {
  // Channels last (axis -1) on a non-square sample, and channels first (axis 1) on 2-D maps.
  BatchNormalization last;
  build(last, {2, 4, 3});
  set_weights(last, kGamma, kBeta, zeros({3}), full({3}, 1));
  EXPECT_GRADIENTS_OK(through_layer(last, true),
                      input_and_weights(Generator(4).normal({2, 2, 4, 3}, 0.5f, 1.5f), last, 2));
  BatchNormalization first({.axis = {1}});
  build(first, {3, 2, 3});
  set_weights(first, kGamma, kBeta, zeros({3}), full({3}, 1));
  EXPECT_GRADIENTS_OK(through_layer(first, true),
                      input_and_weights(Generator(5).normal({2, 3, 2, 3}, -0.5f, 2.0f), first, 2));
  BatchNormalization bare({.center = false, .scale = false});
  build(bare, {4});
  EXPECT_GRADIENTS_OK(through_layer(bare, true),
                      std::vector<Tensor>{Generator(6).normal({5, 4}, 0.0f, 1.0f)});
}

TEST(BatchNormalization, SeveralAxes) {
  // axis [1, 2] on (batch, 2, 3, 4): per-(row, col) statistics over batch and the last axis.
  BatchNormalization bn({.axis = {1, -2}});
  build(bn, {2, 3, 4});
  EXPECT_EQ(bn.weights()[0].variable.shape(), (Shape{1, 2, 3, 1}));
  const Tensor x = Generator(7).normal({3, 2, 3, 4}, 1.0f, 2.0f);
  const Tensor y = bn(Variable(x), true).value();
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t c = 0; c < 3; ++c) {
      double s = 0, ss = 0;
      for (std::size_t b = 0; b < 3; ++b)
        for (std::size_t k = 0; k < 4; ++k) s += y(b, r, c, k), ss += y(b, r, c, k) * y(b, r, c, k);
      EXPECT_NEAR(s / 12, 0.0, 1e-5);
      EXPECT_NEAR(ss / 12, 1.0, 2e-3);  // var/(var + epsilon)
    }
  expect_config_round_trip(bn);
  BatchNormalization small({.axis = {1, -2}});
  build(small, {2, 3, 2});
  small.weights()[0].variable.value() = Generator(9).normal({1, 2, 3, 1}, 1.0f, 0.5f);
  EXPECT_GRADIENTS_OK(through_layer(small, true),
                      input_and_weights(Generator(8).normal({2, 2, 3, 2}, 0.0f, 1.0f), small, 2));
}

TEST(BatchNormalization, KerasConfig) {
  LayerPtr bn = layer_from_config("BatchNormalization", Json::parse(
      R"({"name": "batch_normalization_1", "trainable": true, "axis": [3], "momentum": 0.9,
          "epsilon": 0.01, "center": false, "scale": true,
          "beta_initializer": {"class_name": "Zeros", "config": {}},
          "gamma_initializer": {"module": "keras.initializers", "class_name": "Constant",
                                "config": {"value": 2.0}, "registered_name": null},
          "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
          "moving_variance_initializer": {"class_name": "Ones", "config": {}},
          "beta_regularizer": null, "gamma_regularizer": {"class_name": "L2", "config": {"l2": 0.1}},
          "beta_constraint": null, "gamma_constraint": {"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 0}}})"));
  build(*bn, {2, 2, 5});
  ASSERT_EQ(bn->weights().size(), 3u);
  EXPECT_EQ(bn->weights()[0].variable.value(), full({5}, 2.0f));
  EXPECT_TRUE(bn->weights()[0].regularizer && bn->weights()[0].constraint);
  const Json config = bn->get_config();
  EXPECT_EQ(config["axis"], 3);
  EXPECT_FLOAT_EQ(config["epsilon"].get<float>(), 0.01f);
  EXPECT_EQ(config["center"], false);
  expect_config_round_trip(*bn);
}

TEST(BatchNormalization, Errors) {
  BatchNormalization batch_axis({.axis = {0}, .name = "bn0"});
  expect_layer_error([&] { build(batch_axis, {3}); }, {"BatchNormalization 'bn0'", "axis 0", "(None, 3)"});
  BatchNormalization far({.axis = {3}, .name = "bn3"});
  expect_layer_error([&] { build(far, {3}); }, {"BatchNormalization 'bn3'", "axis 3"});
  BatchNormalization twice({.axis = {1, -1}, .name = "bn2"});
  expect_layer_error([&] { build(twice, {3}); }, {"BatchNormalization 'bn2'", "twice"});
  expect_layer_error([&] { layer_from_config("BatchNormalization", Json::parse(R"({"name": "r", "renorm": true})")); }, {"BatchNormalization 'r'", "renorm"});
  expect_layer_error([&] { layer_from_config("BatchNormalization", Json::parse(R"({"name": "i", "beta_initializer": "nope"})")); }, {"BatchNormalization 'i'", "nope"});
}
