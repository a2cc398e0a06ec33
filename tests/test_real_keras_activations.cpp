// Keras' own numbers: models written by Keras 2.3.1 (Dense → ELU / LeakyReLU / ReLU / Softmax /
// ThresholdedReLU) rebuilt from their model_config through the layer registry, loaded with their
// weights, and compared with the outputs Keras computed (tests/data/real-keras, from
// KonduitAI/dl4j-test-resources).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>

#include "io/hdf5.hpp"
#include "layers/registry.hpp"
#include "layers/sequential.hpp"

using namespace tessera;

namespace {

const std::string kDir = std::string(TESSERA_TEST_DATA) + "/real-keras/";

// A Sequential model from a Keras 2.3 file: layers from model_config, weights by position in
// each layer group's weight_names (as Keras loads them).
Sequential load_sequential(const std::string& path) {
  H5File file(path);
  const Json config = Json::parse(file.read_string("/", "model_config"));
  EXPECT_EQ(config["class_name"], "Sequential");
  Sequential model(config["config"]["name"].get<std::string>());
  for (const auto& layer : config["config"]["layers"])
    model.add(layer_from_config(layer["class_name"].get<std::string>(), layer["config"]));
  model.build();
  for (const auto& layer : model.layers()) {
    const std::string group = "/model_weights/" + layer->name();
    const auto names = file.read_string_list(group, "weight_names");
    EXPECT_EQ(names.size(), layer->weights().size()) << layer->name();
    for (std::size_t i = 0; i < names.size() && i < layer->weights().size(); ++i)
      layer->weights()[i].variable.value() = file.read_tensor(group + "/" + names[i]);
  }
  return model;
}

class RealKerasActivation : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(RealKerasActivation, ReproducesKerasOutputs) {
  Sequential model = load_sequential(kDir + GetParam() + "_model.h5");
  const std::string out_name = model.layers().back()->name();
  H5File io(kDir + GetParam() + "_inputs_and_outputs.h5");
  const Tensor x = io.read_tensor("/inputs/dense_input");
  const Tensor expected = io.read_tensor("/outputs/" + out_name);
  const Tensor y = model.predict(x);
  ASSERT_EQ(shape_of(y), shape_of(expected));
  EXPECT_LE(double(xt::amax(xt::abs(y - expected))()), 1e-5);
  // The Dense layer's own output too (Keras stored every layer's activations).
  const Tensor dense = io.read_tensor("/activations/dense");
  const Tensor dense_out = (*model.layers().front())(Variable(x)).value();
  EXPECT_LE(double(xt::amax(xt::abs(dense_out - dense))()), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Keras231, RealKerasActivation,
                         ::testing::Values("ELU_0", "LeakyReLU_0", "ReLU_0", "ReLU_2", "Softmax_0",
                                           "ThresholdReLU_0"));
