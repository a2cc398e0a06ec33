// The spatial layers against files Keras wrote (tests/data/real-keras).
// Conv1D: every conv1d case (Keras 2.3.1: both data formats, valid/same/causal, strides 1-3,
// dilation 1-2, sigmoid/tanh) is built from its model file's config, loaded with its weights and
// run on Keras' input. cnn2d_32.h5 (tf.keras 2.2.4): its padding, upsampling, cropping and pooling
// layers, channels_last between channels_first LocallyConnected2D layers, build from its config.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>

#include "core/random.hpp"
#include "io/hdf5.hpp"
#include "layers/registry.hpp"

using namespace tessera;

namespace {

const std::string kRealKeras = std::string(TESSERA_TEST_DATA) + "/real-keras";

// The config of the first layer of `class_name` in a Sequential or Functional model_config.
Json find_layer_config(const Json& model_config, const std::string& class_name) {
  const Json& config = model_config.at("config");
  const Json& layers = config.is_array() ? config : config.at("layers");  // Keras ≤ 2.1: a list
  for (const Json& layer : layers)
    if (layer.at("class_name") == class_name) return layer.at("config");
  throw std::runtime_error("no " + class_name + " layer in the model config");
}

std::vector<std::string> conv1d_cases() {
  std::vector<std::string> cases;
  for (const auto& entry : std::filesystem::directory_iterator(kRealKeras)) {
    const std::string file = entry.path().filename().string();
    const std::string suffix = "_model.h5";
    if (file.find("conv1d_") != std::string::npos && file.size() > suffix.size() &&
        file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0)
      cases.push_back(file.substr(0, file.size() - suffix.size()));
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace

TEST(RealKeras, Conv1DReproducesKerasOutputs) {
  const auto cases = conv1d_cases();
  ASSERT_EQ(cases.size(), 18u);  // 16 conv1d_* and 2 causal_conv1d_* cases
  Generator gen(1);
  for (const std::string& name : cases) {
    SCOPED_TRACE(name);
    const H5File model(kRealKeras + "/" + name + "_model.h5");
    const Json config =
        find_layer_config(Json::parse(model.read_string("/", "model_config")), "Conv1D");
    LayerPtr layer = layer_from_config("Conv1D", config);

    const H5File io(kRealKeras + "/" + name + "_inputs_and_outputs.h5");
    const Tensor x = io.read_tensor("/inputs/" + io.children("/inputs").front());
    const Tensor expected = io.read_tensor("/outputs/" + io.children("/outputs").front());
    const Shape sample(x.shape().begin() + 1, x.shape().end());
    layer->build(sample, gen);

    // Keras loads weights by position in weight_names.
    const std::string group = "/model_weights/" + layer->name();
    const auto weight_names = model.read_string_list(group, "weight_names");
    ASSERT_EQ(weight_names.size(), layer->weights().size());
    for (std::size_t i = 0; i < weight_names.size(); ++i) {
      Tensor value = model.read_tensor(group + "/" + weight_names[i]);
      ASSERT_EQ(shape_of(value), layer->weights()[i].variable.shape()) << weight_names[i];
      layer->weights()[i].variable.value() = std::move(value);
    }

    const Tensor y = (*layer)(Variable(x)).value();
    ASSERT_EQ(shape_of(y), shape_of(expected));
    EXPECT_TRUE(xt::allclose(y, expected, 0.0, 1e-5)) << y << "\nKeras:\n" << expected;
  }
}

TEST(RealKeras, Cnn2d32SpatialLayersBuildFromTheirConfigs) {
  const H5File model(kRealKeras + "/cnn2d_32.h5");
  const Json config = Json::parse(model.read_string("/", "model_config"));
  // Per-sample input shapes of each layer; the LocallyConnected2D (channels_first, 4 filters,
  // 3×3 valid) outputs (4, 8, 8) and later (4, 11, 6), read by these channels_last layers as
  // rows, cols, channels.
  const std::vector<std::pair<std::string, Shape>> expected = {
      {"ZeroPadding2D", {4, 8, 8}},       {"UpSampling2D", {10, 14, 8}},
      {"Cropping2D", {20, 28, 8}},        {"MaxPooling2D", {18, 26, 8}},
      {"ZeroPadding2D", {4, 11, 6}},      {"UpSampling2D", {10, 17, 6}},
      {"Cropping2D", {20, 34, 6}},        {"MaxPooling2D", {18, 32, 6}},
      {"GlobalMaxPooling2D", {9, 16, 6}},
  };
  const std::vector<Shape> outputs = {{10, 14, 8}, {20, 28, 8}, {18, 26, 8},
                                      {9, 13, 8},  {10, 17, 6}, {20, 34, 6},
                                      {18, 32, 6}, {9, 16, 6},  {6}};
  std::size_t i = 0;
  Generator gen(2);
  for (const Json& entry : config.at("config").at("layers")) {
    const std::string cls = entry.at("class_name");
    if (cls == "InputLayer" || cls == "LocallyConnected2D" || cls == "SpatialDropout2D") continue;
    ASSERT_LT(i, expected.size());
    SCOPED_TRACE(cls);
    EXPECT_EQ(cls, expected[i].first);
    LayerPtr layer = layer_from_config(cls, entry.at("config"));
    layer->build(expected[i].second, gen);
    EXPECT_EQ(layer->output_shape(), outputs[i]);
    for (const auto& [key, value] : entry.at("config").items())
      if (key != "trainable" && key != "dtype")
        EXPECT_EQ(layer->get_config().at(key), value) << key;
    ++i;
  }
  EXPECT_EQ(i, expected.size());
}
