// The public fixtures (tests/data, copied from ../shared/fixtures) through load_model: outputs
// within 1e-4 of the expected y; load → save → load keeps the weights and outputs exactly; and
// for files Keras 2.15 wrote as a Sequential, the file tessera writes has the same tree: the
// same groups, datasets, attribute names, string kinds, dtypes and shapes.
#include <map>

#include <gtest/gtest.h>
#include <xtensor/xio.hpp>

#include "io/hdf5.hpp"
#include "io/keras_model.hpp"
#include "keras_files.hpp"
#include "temp_dir.hpp"

using namespace tessera;

namespace {

const std::string kData = TESSERA_TEST_DATA;

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

class KerasFixtures : public TempDirTest, public ::testing::WithParamInterface<KerasFixture> {};

}  // namespace

TEST_P(KerasFixtures, PredictAndRoundTrip) {
  const std::string path = kData + "/" + GetParam().name + ".h5";
  const H5File io(kData + "/" + GetParam().name + ".io.h5");
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
  if (GetParam().keras215_sequential) EXPECT_EQ(layout(file("again.h5")), layout(path));
}

INSTANTIATE_TEST_SUITE_P(Public, KerasFixtures, ::testing::ValuesIn(kLoadableFixtures),
                         [](const auto& info) { return info.param.name; });
