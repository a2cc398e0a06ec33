// Every Keras file in tests/data through load_model (tests/keras_files.hpp finds them):
// - fixtures (copied from ../shared/fixtures): outputs within 1e-4 of the expected y; load →
//   save → load keeps weights and outputs exactly; for files Keras 2.15 wrote as a Sequential,
//   the file tessera writes has the same tree (groups, datasets, attribute names, string kinds,
//   dtypes, shapes);
// - files Keras itself wrote (tests/data/real-keras): the outputs Keras computed, to 1e-5, and
//   the same weights from the save_weights file when there is one.
// Keras files without reference outputs load, and reload identically after tessera saves them.
// A file using a layer the registry lacks must fail with "unsupported layer '<class>'".
#include <filesystem>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>

#include "io/hdf5.hpp"
#include "io/keras_model.hpp"
#include "keras_files.hpp"
#include "temp_dir.hpp"

using namespace tessera;
using keras_files::kData;

namespace {

// Every object of the file and every attribute, with how it is stored.
void walk(const H5File& f, const std::string& path, std::map<std::string, std::string>& out) {
  for (const auto& attribute : f.attribute_names(path))
    out[path + " @" + attribute] = f.describe(path, attribute);
  if (!f.is_group(path)) {
    out[path] = f.describe(path);
    return;
  }
  for (const auto& name : f.children(path)) walk(f, (path == "/" ? "" : path) + "/" + name, out);
}

std::map<std::string, std::string> layout(const std::string& file) {
  std::map<std::string, std::string> out;
  walk(H5File(file), "/", out);
  return out;
}

// True when the model uses layers the registry lacks, after checking that loading says so.
bool blocked(const std::string& path) {
  const auto missing = keras_files::missing_layers(path);
  if (missing.empty()) return false;
  try {
    load_model(path);
    ADD_FAILURE() << path << " loaded without " << missing[0];
  } catch (const KerasFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported layer '" + missing[0] + "'"), std::string::npos) << e.what();
  }
  return true;
}

// The one dataset in a group of <name>_inputs_and_outputs.h5.
Tensor only_dataset(const H5File& f, const std::string& group) {
  const auto names = f.children(group);
  EXPECT_EQ(names.size(), 1u) << group;
  return f.read_tensor(group + "/" + names.at(0));
}

class Fixture : public TempDirTest, public ::testing::WithParamInterface<std::string> {};
class RealKeras : public ::testing::TestWithParam<std::string> {};
class RealKerasWithoutOutputs : public TempDirTest, public ::testing::WithParamInterface<std::string> {};

}  // namespace

TEST_P(Fixture, PredictsAndRoundTrips) {
  const std::string path = kData + "/" + GetParam() + ".h5";
  if (blocked(path)) return;
  const H5File io(kData + "/" + GetParam() + ".io.h5");
  const Tensor x = io.read_tensor("x"), expected = io.read_tensor("y");
  const Sequential model = load_model(path);
  const Tensor y = model.predict(x);
  ASSERT_EQ(shape_of(y), shape_of(expected));
  EXPECT_LE(xt::amax(xt::abs(y - expected))(), 1e-4f);

  save_model(model, file("again.h5"));
  const Sequential again = load_model(file("again.h5"));
  EXPECT_EQ(again.get_weights(), model.get_weights());
  EXPECT_EQ(again.predict(x), y);
  EXPECT_EQ(again.summary(), model.summary());
  const bool keras215_sequential = keras_files::model_config(path)["class_name"] == "Sequential" &&
                                   H5File(path).read_string("/", "keras_version") == "2.15.0";
  if (keras215_sequential) EXPECT_EQ(layout(file("again.h5")), layout(path));
}

TEST_P(RealKeras, ReproducesTheOutputsKerasComputed) {
  const std::string stem = kData + "/real-keras/" + GetParam();
  if (blocked(stem + "_model.h5")) return;
  const Sequential model = load_model(stem + "_model.h5");
  const H5File io(stem + "_inputs_and_outputs.h5");
  const Tensor y = model.predict(only_dataset(io, "/inputs"));
  const Tensor expected = only_dataset(io, io.is_group("/outputs") ? "/outputs" : "/predictions");
  ASSERT_EQ(shape_of(y), shape_of(expected));
  EXPECT_LE(xt::amax(xt::abs(y - expected))(), 1e-5f);
  // The same weights written by save_weights (Keras 2.3.1: weights only, fixed-length strings).
  if (std::filesystem::exists(stem + "_weights.h5")) {
    Sequential fresh = model_from_config(keras_files::model_config(stem + "_model.h5"));
    load_weights(fresh, stem + "_weights.h5");
    EXPECT_EQ(fresh.get_weights(), model.get_weights());
  }
}

TEST_P(RealKerasWithoutOutputs, LoadsAndRoundTrips) {
  const std::string path = kData + "/real-keras/" + GetParam() + ".h5";
  if (blocked(path)) return;
  const Sequential model = load_model(path);
  Shape batch = model.input_shape();
  batch.insert(batch.begin(), 3);
  const Tensor x = Generator(4).uniform(batch, -1, 1);
  save_model(model, file("again.h5"));
  const Sequential again = load_model(file("again.h5"));
  EXPECT_EQ(again.get_weights(), model.get_weights());
  EXPECT_EQ(again.predict(x), model.predict(x));
}

INSTANTIATE_TEST_SUITE_P(Public, Fixture, ::testing::ValuesIn(keras_files::fixtures()),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Files, RealKeras, ::testing::ValuesIn(keras_files::real_keras()),
                         [](const auto& info) { return info.param; });
// Keras 2.1.3 (bare layer list; Dense, Reshape, BatchNormalization, Conv2D) and tf.keras 2.2.4
// Functional chains (LocallyConnected2D with dropout, padding, upsampling, cropping, pooling).
INSTANTIATE_TEST_SUITE_P(Files, RealKerasWithoutOutputs,
                         ::testing::Values("dense_tensorflow_2", "batch_to_conv2d_tensorflow_2", "cnn2d_32", "cnn2d_92"),
                         [](const auto& info) { return info.param; });
