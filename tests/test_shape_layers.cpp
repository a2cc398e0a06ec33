// InputLayer, Flatten, Reshape, Permute and Activation: shapes, values, gradients, configs, errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "grad_test.hpp"
#include "layer_test.hpp"
#include "layers/activation.hpp"
#include "layers/flatten.hpp"
#include "layers/input_layer.hpp"
#include "layers/permute.hpp"
#include "layers/reshape.hpp"

using namespace tessera;
using namespace tessera::testing;

namespace {

// 0, 1, 2, ... in the given shape.
Tensor iota(const Shape& shape) {
  Tensor t = Tensor::from_shape(shape);
  for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = float(i);
  return t;
}

}  // namespace

TEST(InputLayer, IdentityWithDeclaredShape) {
  InputLayer input({std::nullopt, 3, 4}, "in");
  build(input, {3, 4});
  EXPECT_EQ(input.sample_shape(), (Shape{3, 4}));
  EXPECT_EQ(input.declared_input_shape, (Shape{3, 4}));
  EXPECT_TRUE(input.weights().empty());
  const Tensor x = iota({2, 3, 4});
  EXPECT_EQ(input(Variable(x)).value(), x);
  expect_layer_error([&] { input.compute_output_shape({3, 5}); }, {"InputLayer 'in'", "(None, 3, 4)", "(None, 3, 5)"});
}

TEST(InputLayer, ReadsEveryShapeKey) {
  const Json keras2 = Json::parse(
      R"({"batch_input_shape": [null, 3, 10, 10], "dtype": "float32", "sparse": false,
          "ragged": false, "name": "input_33"})");
  LayerPtr a = layer_from_config("InputLayer", keras2);
  EXPECT_EQ(a->name(), "input_33");
  EXPECT_EQ(a->compute_output_shape({3, 10, 10}), (Shape{3, 10, 10}));
  LayerPtr b = layer_from_config("InputLayer", Json::parse(R"({"input_shape": [5], "name": "i"})"));
  EXPECT_EQ(std::dynamic_pointer_cast<InputLayer>(b)->batch_input_shape(),
            (InputLayer::Dims{std::nullopt, 5}));
  LayerPtr c = layer_from_config("InputLayer", Json::parse(R"({"batch_shape": [4, null]})"));
  EXPECT_EQ(std::dynamic_pointer_cast<InputLayer>(c)->batch_input_shape(),
            (InputLayer::Dims{4, std::nullopt}));
  expect_layer_error([&] { std::dynamic_pointer_cast<InputLayer>(c)->sample_shape(); }, {"unknown size"});
  EXPECT_FALSE(c->declared_input_shape);
  LayerPtr free_size = layer_from_config(
      "InputLayer", Json::parse(R"({"batch_input_shape": [null, null, 3], "name": "f"})"));
  EXPECT_EQ(free_size->compute_output_shape({7, 3}), (Shape{7, 3}));
  expect_config_round_trip(*a);
  expect_layer_error([&] { layer_from_config("InputLayer", Json::parse(R"({"name": "x"})")); }, {"InputLayer 'x'", "batch_input_shape"});
  expect_layer_error([&] { layer_from_config("InputLayer", Json::parse(R"({"name": "s", "batch_input_shape": [null, 2], "sparse": true})")); }, {"InputLayer 's'", "sparse"});
}

TEST(Flatten, ChannelsLastKeepsMemoryOrder) {
  Flatten flat;
  build(flat, {2, 3, 4});
  EXPECT_EQ(flat.output_shape(), (Shape{24}));
  const Tensor x = iota({2, 2, 3, 4});
  const Tensor y = flat(Variable(x)).value();
  EXPECT_EQ(y.shape(0), 2u);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y.data()[i], x.data()[i]);
}

TEST(Flatten, ChannelsFirstMovesChannelsLast) {
  Flatten flat("channels_first");
  build(flat, {2, 3, 4});  // (C, H, W)
  const Tensor x = iota({2, 2, 3, 4});
  const Tensor y = flat(Variable(x)).value();
  // Output index (h·W + w)·C + c holds x[b, c, h, w].
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t c = 0; c < 2; ++c)
      for (std::size_t h = 0; h < 3; ++h)
        for (std::size_t w = 0; w < 4; ++w) EXPECT_EQ(y(b, (h * 4 + w) * 2 + c), x(b, c, h, w));
  EXPECT_GRADIENTS_OK(through_layer(flat, false), std::vector<Tensor>{iota({2, 2, 3, 4}) * 0.1f});
  expect_config_round_trip(flat);
  expect_layer_error([&] { Flatten("channels_middle", "f"); }, {"Flatten 'f'", "channels_middle"});
}

TEST(Flatten, RankOneAndScalarSamples) {
  Flatten flat("channels_first");
  build(flat, {5});
  const Tensor x = iota({3, 5});
  EXPECT_EQ(flat(Variable(x)).value(), x);  // nothing to move for one axis
  Flatten scalar;
  build(scalar, {});
  EXPECT_EQ(scalar.output_shape(), (Shape{1}));
}

TEST(Reshape, InfersOneSize) {
  Reshape r({-1, 2}, "r");
  build(r, {3, 4});
  EXPECT_EQ(r.output_shape(), (Shape{6, 2}));
  const Tensor x = iota({2, 3, 4});
  const Tensor y = r(Variable(x)).value();
  EXPECT_EQ(shape_of(y), (Shape{2, 6, 2}));
  EXPECT_EQ(y(1, 5, 1), x(1, 2, 3));
  EXPECT_GRADIENTS_OK(through_layer(r, false), std::vector<Tensor>{x * 0.1f});
  expect_config_round_trip(r);
  expect_layer_error([&] { Reshape({5, 3}, "r2").compute_output_shape({3, 4}); }, {"Reshape 'r2'", "(3, 4)", "(5, 3)"});
  expect_layer_error([&] { Reshape({-1, -1}, "r3"); }, {"Reshape 'r3'", "at most one -1"});
  expect_layer_error([&] { Reshape({0, 4}, "r4"); }, {"Reshape 'r4'", "(0, 4)"});
}

TEST(Reshape, KerasConfig) {
  LayerPtr r = layer_from_config(
      "Reshape", Json::parse(R"({"name": "reshape_1", "trainable": true, "target_shape": [7, 7, 10]})"));
  EXPECT_EQ(r->compute_output_shape({490}), (Shape{7, 7, 10}));
}

TEST(Permute, OneBasedDims) {
  Permute p({3, 1, 2}, "p");
  build(p, {2, 3, 4});
  EXPECT_EQ(p.output_shape(), (Shape{4, 2, 3}));
  const Tensor x = iota({2, 2, 3, 4});
  const Tensor y = p(Variable(x)).value();
  EXPECT_EQ(y(1, 3, 0, 2), x(1, 0, 2, 3));
  EXPECT_GRADIENTS_OK(through_layer(p, false), std::vector<Tensor>{x * 0.1f});
  expect_config_round_trip(p);
  expect_layer_error([&] { Permute({0, 1}, "q"); }, {"Permute 'q'", "permutation of 1..2"});
  expect_layer_error([&] { Permute({1, 1}, "q"); }, {"Permute 'q'", "(1, 1)"});
  expect_layer_error([&] { p.compute_output_shape({2, 3}); }, {"Permute 'p'", "rank 4", "(None, 2, 3)"});
}

TEST(ActivationLayer, AppliesNamedActivation) {
  Activation act("tanh", "act");
  build(act, {2, 3});
  const Tensor x = {{{-1.0f, 0.5f, 2.0f}, {0.0f, -0.25f, 3.0f}}};
  const Tensor y = act(Variable(x)).value();
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_FLOAT_EQ(y.data()[i], std::tanh(x.data()[i]));
  EXPECT_GRADIENTS_OK(through_layer(act, false), std::vector<Tensor>{x});
  expect_config_round_trip(act);
  EXPECT_EQ(act.get_config()["activation"], "tanh");
  LayerPtr soft = layer_from_config("Activation", Json::parse(R"({"name": "s", "activation": "softmax"})"));
  build(*soft, {3});
  EXPECT_NEAR(xt::sum((*soft)(Variable(Tensor{{1.0f, 2.0f, 3.0f}})).value())(), 1.0f, 1e-6f);
  expect_layer_error([&] { Activation("frobnicate", "bad"); }, {"Activation 'bad'", "frobnicate"});
}
