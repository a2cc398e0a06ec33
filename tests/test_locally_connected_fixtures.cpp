// LocallyConnected models in Keras' HDF5 layout (tests/data, copied from shared/fixtures):
// each is built in C++ from its model_config, loads its weights from model_weights by position,
// and reproduces the expected output y of its .io.h5 to 1e-4. Each model runs twice: as
// declared (its own implementation's layout) and as 'auto' with the kernel converted to the
// impl-1 layout. The real Keras files with LocallyConnected2D layers give the stored shapes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/ops.hpp"
#include "io/hdf5.hpp"
#include "layers/locally_connected_layer.hpp"
#include "layers/registry.hpp"
#include "keras_files.hpp"

using namespace tessera;

namespace {

using keras_files::kData;

Json layer_list(const H5File& file) {
  const Json config = Json::parse(file.read_string("/", "model_config"));
  const Json& inner = config.at("config");
  return inner.is_array() ? inner : inner.at("layers");  // Keras ≤ 2.1 stores a bare list
}

// Keras' Flatten, by hand (Flatten is not a tessera layer yet): channels_first moves the
// channels last first.
Variable flatten(const Variable& h, const Json& config) {
  Variable x = h;
  const std::size_t rank = h.shape().size();
  if (config.value("data_format", "channels_last") == "channels_first" && rank > 2) {
    std::vector<std::size_t> perm{0};
    for (std::size_t a = 2; a < rank; ++a) perm.push_back(a);
    perm.push_back(1);
    x = transpose(x, perm);
  }
  return reshape(x, {long(h.shape()[0]), -1});
}

// Runs the fixture's model on x. With `as_auto`, LocallyConnected layers use 'auto' and get
// their kernels converted from the file's layout to implementation 1's.
Tensor run_fixture(const std::string& name, bool as_auto) {
  const H5File model(kData + "/" + name + ".h5"), io(kData + "/" + name + ".io.h5");
  const Tensor x = io.read_tensor("x");
  Shape shape(x.shape().begin() + 1, x.shape().end());
  Variable h(x);
  Generator gen(0);
  for (const Json& entry : layer_list(model)) {
    const std::string cls = entry.at("class_name");
    Json config = entry.at("config");
    if (cls == "InputLayer") continue;
    if (cls == "Flatten") {
      h = flatten(h, config);
      const Shape flat = h.shape();
      shape = Shape(flat.begin() + 1, flat.end());
      continue;
    }
    const bool lc = cls.rfind("LocallyConnected", 0) == 0;
    const int declared = config.value("implementation", 1);
    if (lc && as_auto) config["implementation"] = "auto";
    LayerPtr layer = layer_from_config(cls, config);
    layer->build(shape, gen);
    const std::string group = "/model_weights/" + layer->name();
    const auto names = model.read_string_list(group, "weight_names");
    EXPECT_EQ(names.size(), layer->weights().size()) << layer->name();
    for (std::size_t i = 0; i < names.size() && i < layer->weights().size(); ++i) {
      Tensor value = model.read_tensor(group + "/" + names[i]);
      if (lc && as_auto && layer->weights()[i].name == "kernel")
        value = static_cast<LocallyConnected&>(*layer).engine()->convert_kernel(value, declared, 1);
      Tensor& stored = layer->weights()[i].variable.value();
      EXPECT_EQ(shape_of(value), shape_of(stored)) << names[i];
      stored = value;
    }
    h = (*layer)(h);
    shape = layer->output_shape();
  }
  return h.value();
}

class LocallyConnectedFixture : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(LocallyConnectedFixture, ReproducesExpectedOutput) {
  const Tensor expected = H5File(kData + "/" + GetParam() + ".io.h5").read_tensor("y");
  for (bool as_auto : {false, true}) {
    SCOPED_TRACE(as_auto ? "auto" : "declared implementation");
    const Tensor y = run_fixture(GetParam(), as_auto);
    ASSERT_EQ(shape_of(y), shape_of(expected));
    EXPECT_LE(xt::amax(xt::abs(y - expected))(), 1e-4f);
  }
}

INSTANTIATE_TEST_SUITE_P(LocallyConnected, LocallyConnectedFixture,
                         ::testing::Values("lc1d_seed_example", "lc2d_seed_example",
                                           "lc1d_impl2_same_cf", "lc2d_impl3_cl",
                                           "lc2d_impl2_cf_nobias", "lc2d_cf_impl1"));

TEST(LocallyConnectedRealKeras, LayersOfTfKerasModelsHaveTheStoredShapes) {
  // tf.keras 2.2.4 Functional models mixing data formats; the second LC layer's input shape is
  // what the layers between produce (see real-keras/README.md).
  struct Expect {
    std::string file, layer;
    Shape input;
  };
  for (const Expect& e : {Expect{"cnn2d_32", "locally_connected2d", {3, 10, 10}},
                          Expect{"cnn2d_32", "locally_connected2d_1", {9, 13, 8}},
                          Expect{"cnn2d_92", "locally_connected2d_8", {10, 10, 3}},
                          Expect{"cnn2d_92", "locally_connected2d_9", {13, 13, 4}}}) {
    SCOPED_TRACE(e.file + " " + e.layer);
    const H5File model(kData + "/real-keras/" + e.file + ".h5");
    const Json layers = layer_list(model);
    const auto entry = std::find_if(layers.begin(), layers.end(), [&](const Json& l) {
      return l.at("config").at("name") == e.layer;
    });
    ASSERT_NE(entry, layers.end());
    LayerPtr layer = layer_from_config(entry->at("class_name"), entry->at("config"));
    Generator gen(0);
    layer->build(e.input, gen);
    const std::string group = "/model_weights/" + e.layer;
    const auto names = model.read_string_list(group, "weight_names");
    ASSERT_EQ(names.size(), layer->weights().size());
    for (std::size_t i = 0; i < names.size(); ++i)
      EXPECT_EQ(model.dataset_shape(group + "/" + names[i]), layer->weights()[i].variable.shape())
          << names[i];
  }
}
