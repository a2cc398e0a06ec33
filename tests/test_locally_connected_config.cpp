// LocallyConnected1D/2D: Keras configs in and out, and the errors of bad arguments and inputs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "layers/locally_connected1d.hpp"
#include "layers/locally_connected2d.hpp"
#include "layers/registry.hpp"

using namespace tessera;

namespace {

// The LayerError message of `make`, or "" when it does not throw.
template <class Make>
std::string error_of(Make make) {
  try {
    make();
  } catch (const LayerError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(LocallyConnectedConfig, WritesEveryKerasKey) {
  LocallyConnected2D lc(
      4, {3, 2},
      {.strides = {2, 1}, .padding = "Same", .data_format = "channels_first", .implementation = 3},
      {.activation = "tanh",
       .use_bias = false,
       .kernel_regularizer = l2_regularizer(0.5f),
       .name = "lc_b"});
  const Json config = lc.get_config();
  for (const char* key :
       {"name", "trainable", "dtype", "filters", "kernel_size", "strides", "padding", "data_format",
        "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
        "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
        "implementation"})
    EXPECT_TRUE(config.contains(key)) << key;
  EXPECT_EQ(config["name"], "lc_b");
  EXPECT_EQ(config["filters"], 4);
  EXPECT_EQ(config["kernel_size"], Json::parse("[3, 2]"));
  EXPECT_EQ(config["strides"], Json::parse("[2, 1]"));
  EXPECT_EQ(config["padding"], "same");
  EXPECT_EQ(config["data_format"], "channels_first");
  EXPECT_EQ(config["activation"], "tanh");
  EXPECT_EQ(config["use_bias"], false);
  EXPECT_EQ(config["implementation"], 3);
  EXPECT_EQ(config["kernel_regularizer"]["class_name"], "L2");
  // And reads back to the same layer.
  EXPECT_EQ(layer_from_config("LocallyConnected2D", config)->get_config(), config);
}

TEST(LocallyConnectedConfig, ReadsKerasConfigs) {
  // As Keras 2.15 writes it (fixture lc1d_impl2_same_cf).
  const Json config = Json::parse(R"({"name": "lc_a", "trainable": true, "dtype": "float32",
      "filters": 4, "kernel_size": [3], "strides": [2], "padding": "same",
      "data_format": "channels_first", "activation": "relu", "use_bias": true,
      "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
      "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
      "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
      "bias_constraint": null, "implementation": 2})");
  LayerPtr layer = layer_from_config("LocallyConnected1D", config);
  Generator gen(1);
  layer->build({3, 9}, gen);
  EXPECT_EQ(layer->name(), "lc_a");
  EXPECT_EQ(layer->output_shape(), (Shape{4, 5}));
  EXPECT_EQ(layer->weights()[0].variable.shape(), (Shape{3, 9, 4, 5}));
  EXPECT_EQ(layer->weights()[1].variable.shape(), (Shape{5, 4}));
  EXPECT_EQ(layer->get_config(), config);
}

TEST(LocallyConnectedConfig, OldConfigsWithoutImplementationMeanOne) {
  const Json config = Json::parse(
      R"({"name": "old", "filters": 2, "kernel_size": 3, "strides": 1, "padding": "VALID"})");
  auto layer =
      std::dynamic_pointer_cast<LocallyConnected>(layer_from_config("LocallyConnected2D", config));
  ASSERT_TRUE(layer);
  EXPECT_EQ(layer->implementation().number(), 1);
  EXPECT_EQ(layer->kernel_size(), (std::vector<std::size_t>{3, 3}));
  EXPECT_EQ(layer->padding(), "valid");
  EXPECT_EQ(layer->data_format(), "channels_last");
}

TEST(LocallyConnectedConfig, AutoIsWrittenAsImplementationOne) {
  LocallyConnected1D lc(2, 3, {.implementation = "auto"});
  EXPECT_TRUE(lc.implementation().is_auto());
  EXPECT_EQ(lc.get_config()["implementation"], 1);
  const Json config = Json::parse(R"({"name": "a", "filters": 2, "kernel_size": [3],
                                      "implementation": "auto"})");
  auto read =
      std::dynamic_pointer_cast<LocallyConnected>(layer_from_config("LocallyConnected1D", config));
  EXPECT_TRUE(read->implementation().is_auto());
}

TEST(LocallyConnectedConfig, BadArgumentsNameTheLayerAndTheValue) {
  const KernelOptions named{.name = "lc"};
  auto expect_error = [](const std::string& message, std::initializer_list<const char*> parts) {
    EXPECT_FALSE(message.empty());
    for (const char* part : parts) EXPECT_NE(message.find(part), std::string::npos) << message;
  };
  expect_error(error_of([&] {
                 LocallyConnected2D(0, {3, 3}, {}, named);
               }),
               {"LocallyConnected2D 'lc'", "filters", "got 0"});
  expect_error(error_of([&] { LocallyConnected1D(-2, 3, {}, named); }),
               {"LocallyConnected1D 'lc'", "filters", "got -2"});
  expect_error(error_of([&] {
                 LocallyConnected2D(2, {3, 0}, {}, named);
               }),
               {"LocallyConnected2D 'lc'", "kernel_size", "(3, 0)"});
  expect_error(error_of([&] {
                 LocallyConnected2D(2, {3, 3, 3}, {}, named);
               }),
               {"LocallyConnected2D 'lc'", "kernel_size", "(3, 3, 3)"});
  expect_error(error_of([&] { LocallyConnected1D(2, 3, {.strides = 0}, named); }),
               {"LocallyConnected1D 'lc'", "strides", "(0)"});
  expect_error(error_of([&] { LocallyConnected2D(2, 3, {.padding = "full"}, named); }),
               {"LocallyConnected2D 'lc'", "padding", "'full'"});
  expect_error(
      error_of([&] { LocallyConnected2D(2, 3, {.data_format = "channels_middle"}, named); }),
      {"LocallyConnected2D 'lc'", "data_format", "'channels_middle'"});
  expect_error(error_of([&] { LocallyConnected2D(2, 3, {.implementation = 4}, named); }),
               {"LocallyConnected2D 'lc'", "implementation", "got 4"});
  expect_error(error_of([&] { LocallyConnected1D(2, 3, {.implementation = "fast"}, named); }),
               {"LocallyConnected1D 'lc'", "implementation", "got 'fast'"});
  expect_error(error_of([] {
                 layer_from_config("LocallyConnected1D", Json::parse(R"({"name": "x",
                     "filters": 2, "kernel_size": 3, "implementation": 0.5})"));
               }),
               {"LocallyConnected1D 'x'", "implementation", "0.5"});
}

TEST(LocallyConnectedConfig, BadInputsAtBuildNameTheLayerAndTheShape) {
  Generator gen(1);
  LocallyConnected2D lc2(2, {3, 3}, {}, {.name = "lc"});
  const std::string rank = error_of([&] { lc2.build({5, 5}, gen); });
  EXPECT_NE(rank.find("LocallyConnected2D 'lc'"), std::string::npos) << rank;
  EXPECT_NE(rank.find("(None, 5, 5)"), std::string::npos) << rank;
  const std::string large = error_of([&] { lc2.build({2, 5, 1}, gen); });
  EXPECT_NE(large.find("kernel_size (3, 3)"), std::string::npos) << large;
  EXPECT_NE(large.find("(2, 5)"), std::string::npos) << large;
  // channels_first reads the spatial axes after the channels.
  LocallyConnected1D lc1(2, 4, {.padding = "same", .data_format = "channels_first"}, {.name = "l"});
  const std::string steps = error_of([&] { lc1.build({8, 3}, gen); });
  EXPECT_NE(steps.find("LocallyConnected1D 'l'"), std::string::npos) << steps;
  EXPECT_NE(steps.find("(4,)"), std::string::npos) << steps;
  EXPECT_NE(steps.find("(3,)"), std::string::npos) << steps;
  EXPECT_FALSE(lc1.built());
}
