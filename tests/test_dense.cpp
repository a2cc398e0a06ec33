// Dense: shapes, values against a loop written here, rank-3 inputs, gradients for input, kernel
// and bias, weights' regularizers and constraints, Keras configs and errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "grad_test.hpp"
#include "layer_test.hpp"
#include "layers/dense.hpp"

using namespace tessera;
using namespace tessera::testing;

TEST(Dense, WeightsAndShapes) {
  Dense d(3);
  build(d, {4});
  ASSERT_EQ(d.weights().size(), 2u);
  EXPECT_EQ(d.weights()[0].name, "kernel");
  EXPECT_EQ(d.weights()[0].variable.shape(), (Shape{4, 3}));
  EXPECT_EQ(d.weights()[1].name, "bias");
  EXPECT_EQ(d.weights()[1].variable.value(), zeros({3}));
  EXPECT_EQ(d.output_shape(), (Shape{3}));
  EXPECT_EQ(d.count_params(), 15u);
  // Glorot uniform: |w| ≤ sqrt(6 / (4 + 3)).
  EXPECT_LE(double(xt::amax(xt::abs(d.weights()[0].variable.value()))()), std::sqrt(6.0 / 7));
  Dense no_bias(5, {.use_bias = false});
  build(no_bias, {2, 7});
  EXPECT_EQ(no_bias.weights().size(), 1u);
  EXPECT_EQ(no_bias.output_shape(), (Shape{2, 5}));
}

TEST(Dense, ValuesOnRankThreeInput) {
  Dense d(3, {.activation = "relu"});
  build(d, {2, 4});
  Generator gen(7);
  const Tensor k = gen.normal({4, 3}, 0.0f, 1.0f), b = gen.normal({3}, 0.0f, 1.0f);
  d.weights()[0].variable.value() = k;
  d.weights()[1].variable.value() = b;
  const Tensor x = gen.normal({5, 2, 4}, 0.0f, 1.0f);
  const Tensor y = d(Variable(x)).value();
  ASSERT_EQ(shape_of(y), (Shape{5, 2, 3}));
  for (std::size_t n = 0; n < 5; ++n)
    for (std::size_t t = 0; t < 2; ++t)
      for (std::size_t u = 0; u < 3; ++u) {
        double s = b(u);
        for (std::size_t i = 0; i < 4; ++i) s += double(x(n, t, i)) * k(i, u);
        EXPECT_NEAR(y(n, t, u), std::max(s, 0.0), 1e-5);
      }
}

TEST(Dense, Gradients) {
  Dense flat(3, {.activation = "tanh"});
  build(flat, {4});
  Generator gen(8);
  EXPECT_GRADIENTS_OK(through_layer(flat, true),
                      input_and_weights(gen.normal({2, 4}, 0.0f, 1.0f), flat, 2));
  Dense seq(2);
  build(seq, {3, 5});
  seq.weights()[1].variable.value() = Tensor{0.5f, -0.25f};
  EXPECT_GRADIENTS_OK(through_layer(seq, false),
                      input_and_weights(gen.normal({2, 3, 5}, 0.0f, 1.0f), seq, 2));
}

TEST(Dense, KerasConfig) {
  const Json keras = Json::parse(R"({"name": "dense", "trainable": true, "batch_input_shape": [null, 16],
      "dtype": "float32", "units": 32, "activation": "linear", "use_bias": true,
      "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
      "bias_initializer": {"class_name": "Zeros", "config": {}},
      "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}},
      "bias_regularizer": null, "activity_regularizer": {"class_name": "L1", "config": {"l1": 0.5}},
      "kernel_constraint": {"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}},
      "bias_constraint": null})");
  LayerPtr d = layer_from_config("Dense", keras);
  EXPECT_EQ(d->name(), "dense");
  EXPECT_EQ(d->declared_input_shape, (Shape{16}));
  build(*d, {16});
  EXPECT_EQ(d->count_params(), 16u * 32 + 32);
  EXPECT_TRUE(d->weights()[0].regularizer);
  EXPECT_TRUE(d->weights()[0].constraint);
  EXPECT_FALSE(d->weights()[1].regularizer);
  EXPECT_TRUE(d->activity_regularizer);
  const Json config = expect_config_round_trip(*d)->get_config();
  EXPECT_EQ(config["units"], 32);
  EXPECT_EQ(config["kernel_constraint"]["class_name"], "MaxNorm");
  Dense plain(4, {.activation = "softmax", .use_bias = false, .name = "out"});
  expect_config_round_trip(plain);
}

TEST(Dense, Errors) {
  expect_layer_error([&] { Dense(0, {.name = "zero"}); }, {"Dense 'zero'", "units"});
  expect_layer_error([&] { Dense(2, {.activation = "relu6x", .name = "a"}); }, {"Dense 'a'", "relu6x"});
  expect_layer_error([&] { layer_from_config("Dense", Json::parse(R"({"name": "neg", "units": -2})")); }, {"Dense 'neg'", "-2"});
  expect_layer_error([&] { layer_from_config("Dense", Json::parse(R"({"name": "nounits"})")); }, {"Dense 'nounits'", "units"});
  expect_layer_error([&] { layer_from_config("Dense", Json::parse(R"({"name": "act", "units": 2, "activation": "nope"})")); }, {"Dense 'act'", "nope"});
  Dense d(3, {.name = "d"});
  expect_layer_error([&] { d.compute_output_shape({}); }, {"Dense 'd'", "rank"});
  build(d, {4});
  expect_layer_error([&] { d(Variable(zeros({2, 5}))); }, {"Dense 'd'", "(None, 4)", "(2, 5)"});
  expect_layer_error([&] { layer_from_config("Conv7D", Json::object()); }, {"Conv7D", "Dense"});
}
