// Keras HDF5 models and weights: round trips, the layout Keras' loader expects, every
// model_config style, chunked lists, and one-line errors that leave nothing half-done.
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/hdf5.hpp"
#include "io/hdf5_writer.hpp"
#include "io/keras_model.hpp"
#include "keras_files.hpp"
#include "layers/dense.hpp"
#include "temp_dir.hpp"

using namespace tessera;

namespace {

using keras_files::kData;

using KerasModel = TempDirTest;

Sequential mlp(std::uint64_t seed = 1, const std::string& first = "", const std::string& second = "") {
  Sequential model("mlp", seed);
  model.add(std::make_shared<Dense>(5, KernelOptions{.activation = "relu", .name = first}));
  model.add(std::make_shared<Dense>(3, KernelOptions{.activation = "softmax", .name = second}));
  model.build({4});
  return model;
}

Tensor inputs(std::size_t n, std::size_t features) { return Generator(9).uniform({n, features}, -1, 1); }

// Runs `f`, expecting a KerasFormatError whose one-line message contains every part.
template <class F>
void expect_error(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const KerasFormatError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const auto& part : parts) EXPECT_NE(msg.find(part), std::string::npos) << "'" << part << "' not in: " << msg;
  }
}

std::vector<std::string> layer_names(const Sequential& model) {
  std::vector<std::string> names;
  for (const auto& l : model.layers()) names.push_back(l->name());
  return names;
}

using keras_files::write_config_only;
using keras_files::write_layer_groups;

Json dense_entry(const std::string& name, int units, const Json& extra = Json::object()) {
  Json config = {{"name", name}, {"units", units}, {"activation", "tanh"}};
  config.update(extra);
  return {{"class_name", "Dense"}, {"config", config}};
}

// Keras 2 functional entry: inbound_nodes [[[from, 0, 0, {}], ...]].
Json functional_entry(Json entry, const std::vector<std::string>& from) {
  Json node = Json::array();
  for (const auto& f : from) node.push_back({f, 0, 0, Json::object()});
  entry["name"] = entry["config"]["name"];
  entry["inbound_nodes"] = from.empty() ? Json::array() : Json::array({node});
  return entry;
}

const Json kInput = {{"class_name", "InputLayer"},
                     {"config", {{"batch_input_shape", {nullptr, 4}}, {"name", "input_1"}}}};

}  // namespace

TEST_F(KerasModel, SaveThenLoadGivesTheSameModel) {
  const Sequential model = mlp();
  save_model(model, file("m.h5"));
  const Sequential loaded = load_model(file("m.h5"));
  EXPECT_EQ(loaded.name(), "mlp");
  EXPECT_EQ(layer_names(loaded), (std::vector<std::string>{"dense", "dense_1"}));
  EXPECT_EQ(loaded.input_shape(), (Shape{4}));
  EXPECT_EQ(loaded.get_weights(), model.get_weights());
  const Tensor x = inputs(7, 4);
  EXPECT_EQ(loaded.predict(x), model.predict(x));
  EXPECT_EQ(loaded.summary(), model.summary());
  EXPECT_EQ(model_config(loaded), model_config(model));
  EXPECT_EQ(entries(), 1u);  // no temporary file left
}

TEST_F(KerasModel, SaveWeightsThenLoadWeightsByOrderAndByName) {
  const Sequential model = mlp(1);
  save_weights(model, file("w.h5"));
  Sequential other = mlp(2);
  ASSERT_NE(other.get_weights(), model.get_weights());
  load_weights(other, file("w.h5"));
  EXPECT_EQ(other.get_weights(), model.get_weights());
  // A whole-model file's weights load the same way.
  save_model(model, file("m.h5"));
  Sequential third = mlp(3);
  load_weights(third, file("m.h5"));
  EXPECT_EQ(third.get_weights(), model.get_weights());
  // By name: only "dense" is in the file; "head" keeps its weights.
  Sequential renamed = mlp(4, "dense", "head");
  const Tensor head_kernel = renamed.layer("head").weights()[0].variable.value();
  load_weights(renamed, file("w.h5"), true);
  EXPECT_EQ(renamed.layer("dense").weights()[0].variable.value(), model.layers()[0]->weights()[0].variable.value());
  EXPECT_EQ(renamed.layer("head").weights()[0].variable.value(), head_kernel);
}

TEST_F(KerasModel, WritesTheLayoutKerasLoads) {
  const Json training = {{"loss", "mse"}, {"optimizer_config", {{"class_name", "Adam"}}}};
  save_model(mlp(), file("m.h5"), &training);
  save_weights(mlp(), file("w.h5"));
  H5File ours(file("m.h5")), weights(file("w.h5"));
  H5File keras(kData + "/lc2d_impl3_cl.h5");  // written by Keras 2.15 with h5py 3
  for (const char* attribute : {"backend", "keras_version", "model_config"})
    EXPECT_EQ(ours.describe("/", attribute), keras.describe("/", attribute)) << attribute;
  EXPECT_EQ(ours.describe("/", "training_config"), "string(variable, ascii) scalar");
  EXPECT_EQ(Json::parse(ours.read_string("/", "training_config")), training);
  EXPECT_EQ(ours.attribute_names("/model_weights"), keras.attribute_names("/model_weights"));
  for (const char* attribute : {"backend", "keras_version"}) {
    EXPECT_EQ(ours.describe("/model_weights", attribute), keras.describe("/model_weights", attribute));
    EXPECT_EQ(weights.describe("/", attribute), keras.describe("/model_weights", attribute));
  }
  EXPECT_EQ(ours.read_string("/model_weights", "keras_version"), "2.15.0");
  EXPECT_EQ(ours.describe("/model_weights", "layer_names"), "string(variable, ascii) (2,)");
  EXPECT_EQ(ours.read_string_list("/model_weights", "layer_names"), (std::vector<std::string>{"dense", "dense_1"}));
  EXPECT_EQ(ours.describe("/model_weights/dense", "weight_names"),
            keras.describe("/model_weights/dense", "weight_names"));
  EXPECT_EQ(ours.read_string_list("/model_weights/dense_1", "weight_names"),
            (std::vector<std::string>{"dense_1/kernel:0", "dense_1/bias:0"}));
  EXPECT_EQ(ours.describe("/model_weights/dense/dense/kernel:0"), "float32 (4, 5)");
  EXPECT_EQ(weights.describe("/dense_1/dense_1/bias:0"), "float32 (3,)");
  EXPECT_EQ(weights.read_string_list("/", "layer_names"), (std::vector<std::string>{"dense", "dense_1"}));
  // Keras 2.15's Sequential config: an InputLayer entry, then each layer's get_config.
  const Json config = Json::parse(ours.read_string("/", "model_config"));
  EXPECT_EQ(config["class_name"], "Sequential");
  EXPECT_EQ(config["config"]["name"], "mlp");
  const Json& input = config["config"]["layers"][0];
  EXPECT_EQ(input["class_name"], "InputLayer");
  EXPECT_EQ(input["config"]["batch_input_shape"], Json::parse("[null, 4]"));
  EXPECT_EQ(config["config"]["layers"][2]["config"]["activation"], "softmax");
}

TEST_F(KerasModel, BuildsEveryConfigStyle) {
  const Json layers = {dense_entry("d1", 3), dense_entry("d2", 2)};
  Json with_shape = layers;
  with_shape[0]["config"]["batch_input_shape"] = {nullptr, 4};
  // Keras 3: module/registered_name, batch_shape, inbound nodes as keras tensors.
  auto keras3_tensor = [](const std::string& from) {
    return Json{{"class_name", "__keras_tensor__"},
                {"config", {{"shape", {nullptr, 4}}, {"keras_history", {from, 0, 0}}}}};
  };
  Json keras3_layers = Json::array(
      {{{"module", "keras.layers"}, {"class_name", "InputLayer"}, {"registered_name", nullptr},
        {"name", "in"}, {"config", {{"batch_shape", {nullptr, 4}}, {"name", "in"}}}, {"inbound_nodes", Json::array()}}});
  for (const auto& [name, from] : std::vector<std::pair<std::string, std::string>>{{"d1", "in"}, {"d2", "d1"}}) {
    Json entry = dense_entry(name, name == "d1" ? 3 : 2);
    entry["module"] = "keras.layers";
    entry["name"] = name;
    entry["inbound_nodes"] = {{{"args", {keras3_tensor(from)}}, {"kwargs", Json::object()}}};
    keras3_layers.push_back(entry);
  }
  const std::map<std::string, Json> styles = {
      {"<=2.1 bare list", {{"class_name", "Sequential"}, {"config", with_shape}}},
      {"2.2 batch_input_shape", {{"class_name", "Sequential"}, {"config", {{"name", "s"}, {"layers", with_shape}}}}},
      {"2.3+ InputLayer",
       {{"class_name", "Sequential"},
        {"config", {{"name", "s"}, {"layers", {kInput, layers[0], layers[1]}}}}}},
      // Listed out of order on purpose: the chain is found through inbound_nodes.
      {"Functional chain",
       {{"class_name", "Functional"},
        {"config",
         {{"name", "f"},
          {"layers", {functional_entry(layers[1], {"d1"}), functional_entry(kInput, {}),
                      functional_entry(layers[0], {"input_1"})}},
          {"input_layers", {{"input_1", 0, 0}}},
          {"output_layers", {{"d2", 0, 0}}}}}}},
      {"Keras 3 Functional",
       {{"class_name", "Functional"},
        {"config",
         {{"name", "f"}, {"layers", keras3_layers}, {"input_layers", {"in", 0, 0}},
          {"output_layers", {"d2", 0, 0}}}}}},
  };
  for (const auto& [style, config] : styles) {
    SCOPED_TRACE(style);
    const Sequential model = model_from_config(config);
    EXPECT_EQ(layer_names(model), (std::vector<std::string>{"d1", "d2"}));
    EXPECT_EQ(model.input_shape(), (Shape{4}));
    EXPECT_EQ(model.output_shape(), (Shape{2}));
    EXPECT_EQ(model.count_params(), 4u * 3 + 3 + 3 * 2 + 2);
  }
}

TEST_F(KerasModel, RejectsFunctionalGraphsThatAreNotAChain) {
  auto functional = [](const Json& layers, const std::string& output) {
    return Json{{"class_name", "Model"},
                {"config", {{"name", "g"}, {"layers", layers}, {"input_layers", {{"input_1", 0, 0}}},
                            {"output_layers", {{output, 0, 0}}}}}};
  };
  const Json in = functional_entry(kInput, {});
  // input_1 → a, input_1 → b; the output is b, so a is a branch off the path.
  expect_error([&] { model_from_config(functional({in, functional_entry(dense_entry("a", 3), {"input_1"}),
                                                   functional_entry(dense_entry("b", 2), {"input_1"})}, "b")); },
               {"model 'g' is not a single chain", "layers a are not on the path from 'input_1' to 'b'"});
  expect_error([&] { model_from_config(functional({in, functional_entry(dense_entry("a", 4), {"input_1"}),
                                                   functional_entry(dense_entry("b", 2), {"input_1", "a"})}, "b")); },
               {"layer 'b' takes 2 inputs (input_1, a)"});
  Json shared = functional_entry(dense_entry("a", 4), {"input_1"});
  shared["inbound_nodes"].push_back(shared["inbound_nodes"][0]);
  expect_error([&] { model_from_config(functional({in, shared}, "a")); }, {"layer 'a' is called 2 times"});
}

TEST_F(KerasModel, LoadsARealKeras21File) {
  // Multi-backend Keras 2.1.3: the bare layer-list config, fixed-length strings.
  const std::string path = kData + "/real-keras/dense_tensorflow_2.h5";
  const Sequential model = load_model(path);
  EXPECT_EQ(layer_names(model), (std::vector<std::string>{"dense_1"}));
  EXPECT_EQ(model.input_shape(), (Shape{4}));
  H5File f(path);
  EXPECT_EQ(model.get_weights()[0], f.read_tensor("/model_weights/dense_1/dense_1/kernel:0"));
  EXPECT_EQ(model.get_weights()[1], f.read_tensor("/model_weights/dense_1/dense_1/bias:0"));
  EXPECT_NE(model.summary().find("dense_1 (Dense)              (None, 6)                 30"), std::string::npos)
      << model.summary();
  // Saved by tessera and loaded back: identical.
  save_model(model, file("again.h5"));
  EXPECT_EQ(load_model(file("again.h5")).get_weights(), model.get_weights());
}

TEST_F(KerasModel, ChunkedLayerAndWeightNamesRoundTrip) {
  // Names this long push layer_names and weight_names over 64,512 bytes: Keras splits them.
  const std::string a(40000, 'a'), b(40000, 'b');
  const Sequential model = mlp(1, a, b);
  save_model(model, file("m.h5"));
  save_weights(model, file("w.h5"));
  H5File f(file("m.h5"));
  EXPECT_TRUE(f.has_attribute("/model_weights", "layer_names0"));
  EXPECT_TRUE(f.has_attribute("/model_weights", "layer_names1"));
  EXPECT_FALSE(f.has_attribute("/model_weights", "layer_names"));
  EXPECT_TRUE(f.has_attribute("/model_weights/" + a, "weight_names1"));
  EXPECT_EQ(load_model(file("m.h5")).get_weights(), model.get_weights());
  Sequential other = mlp(2, a, b);
  load_weights(other, file("w.h5"));
  EXPECT_EQ(other.get_weights(), model.get_weights());
}

TEST_F(KerasModel, AcceptsWeightNamesWithoutTheTensorSuffixAndSkipsOtherGroups) {
  // Keras 3's legacy .h5 writes "dense/kernel" where TensorFlow wrote "dense/kernel:0".
  const Sequential model = mlp();
  {
    H5Writer w(file("w.h5"));
    w.write_string_list("/", "layer_names", {"dense", "dense_1"});
    // Not layers: Keras lists neither in layer_names, and neither may be taken for one.
    w.write_tensor("/optimizer_weights/Adam/iter:0", Tensor::from_shape({}));
    w.create_group("/top_level_model_weights");
    w.write_string_list("/top_level_model_weights", "weight_names", {"scale:0"});
    w.write_tensor("/top_level_model_weights/scale:0", Tensor::from_shape({1}));
    write_layer_groups(w, "", model, "");
    w.commit();
  }
  Sequential other = mlp(2);
  load_weights(other, file("w.h5"));
  EXPECT_EQ(other.get_weights(), model.get_weights());
}

TEST_F(KerasModel, LoadsAFunctionalFileWhoseLayerNamesListTheInputLayer) {
  // As Keras writes a Functional model: layer_names lists input_1 with an empty weight_names.
  const Sequential reference = mlp(1, "d1", "d2");
  const Json relu = {{"activation", "relu"}}, softmax = {{"activation", "softmax"}};
  const Json config = {
      {"class_name", "Functional"},
      {"config",
       {{"name", "model"},
        {"layers", {functional_entry(kInput, {}), functional_entry(dense_entry("d1", 5, relu), {"input_1"}),
                    functional_entry(dense_entry("d2", 3, softmax), {"d1"})}},
        {"input_layers", {{"input_1", 0, 0}}},
        {"output_layers", {{"d2", 0, 0}}}}}};
  {
    H5Writer w(file("f.h5"));
    w.write_string("/", "model_config", config.dump(), Charset::ascii);
    w.create_group("/model_weights");
    w.write_string_list("/model_weights", "layer_names", {"input_1", "d1", "d2"});
    w.create_group("/model_weights/input_1");
    w.write_string_list("/model_weights/input_1", "weight_names", {});
    write_layer_groups(w, "/model_weights", reference, ":0");
    w.commit();
  }
  const Sequential model = load_model(file("f.h5"));
  EXPECT_EQ(model.name(), "model");
  EXPECT_EQ(layer_names(model), (std::vector<std::string>{"d1", "d2"}));
  const Tensor x = inputs(6, 4);
  EXPECT_EQ(model.predict(x), reference.predict(x));
}

TEST_F(KerasModel, ErrorsForFilesThatAreNotKerasModels) {
  expect_error([&] { load_model(file("none.h5")); }, {"none.h5", "no such file"});
  std::ofstream(file("text.h5")) << "not HDF5";
  expect_error([&] { load_model(file("text.h5")); }, {"text.h5", "not an HDF5 file"});
  const std::string data = kData + "/lc2d_impl3_cl.io.h5";  // HDF5, but arrays only
  expect_error([&] { load_model(data); }, {"lc2d_impl3_cl.io.h5", "not a Keras model file (no model_config"});
  Sequential model = mlp();
  expect_error([&] { load_weights(model, data); }, {"lc2d_impl3_cl.io.h5", "not a Keras weights file"});
  save_weights(model, file("w.h5"));
  expect_error([&] { load_model(file("w.h5")); }, {"w.h5", "holds weights only, see load_weights"});
}

TEST_F(KerasModel, ErrorsForConfigsThatCannotBeBuilt) {
  expect_error([&] { load_model(kData + "/real-keras/keras-attention.h5"); },
               {"keras-attention.h5", "unsupported layer 'Attention'", "tessera supports", "Dense"});
  write_config_only(file("json.h5"), "{\"class_name\": \"Sequential\", ");
  expect_error([&] { load_model(file("json.h5")); }, {"json.h5", "model_config is not valid JSON"});
  write_config_only(file("units.h5"), Json{{"class_name", "Sequential"}, {"config", {kInput, dense_entry("d", 0)}}}.dump());
  expect_error([&] { load_model(file("units.h5")); }, {"units.h5", "cannot build model 'sequential'", "Dense 'd'", "units must be positive"});
  Json unknown_size = kInput;
  unknown_size["config"]["batch_input_shape"] = {nullptr, nullptr, 3};
  write_config_only(file("none.h5"), Json{{"class_name", "Sequential"}, {"config", {unknown_size, dense_entry("d", 2)}}}.dump());
  expect_error([&] { load_model(file("none.h5")); }, {"none.h5", "InputLayer 'input_1'", "[null,null,3]", "fixed sample shapes"});
  write_config_only(file("noshape.h5"), Json{{"class_name", "Sequential"}, {"config", {dense_entry("d", 2)}}}.dump());
  expect_error([&] { load_model(file("noshape.h5")); }, {"noshape.h5", "declares no input shape"});
  write_config_only(file("class.h5"), Json{{"class_name", "Subclassed"}, {"config", Json::object()}}.dump());
  expect_error([&] { load_model(file("class.h5")); }, {"class.h5", "unsupported model class 'Subclassed'"});
}

TEST_F(KerasModel, ErrorsForWeightsThatDoNotFitAndNothingChanges) {
  save_model(mlp(), file("m.h5"));
  Sequential wider("wider");
  wider.add(std::make_shared<Dense>(6));
  wider.add(std::make_shared<Dense>(3));
  wider.build({4});
  const auto before = wider.get_weights();
  expect_error([&] { load_weights(wider, file("m.h5")); },
               {"m.h5", "layer 'dense' (Dense) weight 'kernel' has shape (4, 6) but the file's 'dense/kernel:0' has shape (4, 5)"});
  EXPECT_EQ(wider.get_weights(), before);

  Sequential three("three");
  for (int units : {5, 3, 2}) three.add(std::make_shared<Dense>(units));
  three.build({4});
  expect_error([&] { load_weights(three, file("m.h5")); },
               {"m.h5", "the file has weights for 2 layers (dense, dense_1) but model 'three' has 3 layers with weights (dense, dense_1, dense_2)"});

  Sequential no_bias("no_bias");
  no_bias.add(std::make_shared<Dense>(5, KernelOptions{.use_bias = false}));
  no_bias.add(std::make_shared<Dense>(3));
  no_bias.build({4});
  expect_error([&] { load_weights(no_bias, file("m.h5")); },
               {"m.h5", "layer 'dense' (Dense) has 1 weights (kernel) but the file's layer 'dense' has 2 (dense/kernel:0, dense/bias:0)"});

  Sequential unbuilt;
  unbuilt.add(std::make_shared<Dense>(5));
  expect_error([&] { load_weights(unbuilt, file("m.h5")); }, {"before it is built"});
}

TEST_F(KerasModel, AFailedSaveLeavesTheOldFile) {
  std::ofstream(file("w.h5")) << "the old file";
  Sequential unbuilt("unbuilt");
  unbuilt.add(std::make_shared<Dense>(5));
  expect_error([&] { save_weights(unbuilt, file("w.h5")); }, {"w.h5", "cannot save model 'unbuilt' before it is built"});
  expect_error([&] { save_model(unbuilt, file("w.h5")); }, {"unbuilt"});
  std::string old;
  std::getline(std::ifstream(file("w.h5")), old);
  EXPECT_EQ(old, "the old file");
  EXPECT_EQ(entries(), 1u);
  expect_error([&] { save_model(mlp(), file("missing/dir/m.h5")); }, {"missing/dir/m.h5"});
  EXPECT_EQ(entries(), 1u);
}
