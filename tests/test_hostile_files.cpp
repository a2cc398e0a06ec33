// Files tessera did not write (tests/data/bad, made by tools/make_hostile_corpus.py and listed
// with the error each must give in MANIFEST.tsv): `tessera summary` and `predict` refuse every
// one with exit 1, one stderr line "tessera: error: <what is wrong>", and no file written.
// scripts/test runs this suite under ASan + UBSan too, so "no crash" includes no memory error.
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>

#include "cli_test.hpp"
#include "io/hdf5.hpp"
#include "io/keras_model.hpp"

using namespace tessera;

namespace {

const std::string kBad = std::string(TESSERA_TEST_DATA) + "/bad";

struct HostileFile {
  std::string file, expected;
};

// GoogleTest prints parameters; without this it dumps the strings' bytes (uninitialised
// buffer space included, which valgrind's memcheck test reports).
void PrintTo(const HostileFile& f, std::ostream* os) { *os << f.file; }

std::vector<HostileFile> manifest() {
  std::vector<HostileFile> cases;
  std::ifstream in(kBad + "/MANIFEST.tsv");
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.find('\t');
    if (line.empty() || line[0] == '#' || tab == std::string::npos) continue;
    cases.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return cases;
}

class HostileFiles : public CliTest, public ::testing::WithParamInterface<HostileFile> {};

}  // namespace

TEST_P(HostileFiles, AreRefusedWithOneClearLineAndNoOutput) {
  const auto& [name, expected] = GetParam();
  const std::string path = kBad + "/" + name, output = " --output " + file("y.h5");
  if (name.rfind("input_", 0) == 0) {
    expect_failure("predict --model " + kBad + "/good_model.h5 --input " + path + output, expected);
  } else {
    expect_failure("summary --model " + path, expected);
    expect_failure("predict --model " + path + " --input " + kBad + "/good_input.h5" + output, expected);
  }
  EXPECT_EQ(entries(), 0u) << "a file was left behind";
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileFiles, ::testing::ValuesIn(manifest()),
                         [](const auto& info) { return info.param.file.substr(0, info.param.file.find('.')); });

TEST(HostileCorpus, ListsEveryFileAndHasAtLeastThirty) {
  std::set<std::string> listed;
  for (const auto& c : manifest()) listed.insert(c.file);
  EXPECT_GE(listed.size(), 30u);
  for (const auto& entry : std::filesystem::directory_iterator(kBad)) {
    const std::string name = entry.path().filename().string();
    if (name != "MANIFEST.tsv" && name.rfind("good_", 0) != 0) EXPECT_TRUE(listed.count(name)) << name;
  }
}

// Keras casts stored weights of any numeric dtype to the variable's dtype (float32); tessera
// reads them through HDF5's conversion the same way. float64 values beyond float32's range
// become inf and are refused (weight_float64_overflow.h5).
TEST(HostileCorpus, WeightsOfAnyNumericTypeAreReadAsFloat32) {
  const auto reference = load_model(kBad + "/good_model.h5").get_weights();
  const auto wide = load_model(kBad + "/good_float64_weights.h5").get_weights();
  const auto ints = load_model(kBad + "/good_int_weights.h5").get_weights();
  ASSERT_EQ(wide.size(), reference.size());
  ASSERT_EQ(ints.size(), reference.size());
  for (std::size_t i = 0; i < reference.size(); ++i) {
    EXPECT_EQ(wide[i], reference[i]);  // float32 → float64 → float32 is exact
    EXPECT_EQ(ints[i], Tensor(xt::round(reference[i] * 4.0f))) << i;
  }
}

TEST_F(CliTest, PredictAcceptsNanInputsWithAllowNan) {
  const Outcome r = run("predict --model " + kBad + "/good_model.h5 --input " + kBad +
                        "/input_nan.h5 --allow-nan --output " + file("y.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  // Every sample gets an output (the NaN in sample 3 meets a ReLU, which tessera maps to 0).
  EXPECT_EQ(H5File(file("y.h5")).describe("y"), "float32 (5, 3)");
}
