// Keras' fit reproduced: each case of tests/data/fit is loaded (compiled from its
// training_config), fitted with shuffle=false, and every weight compared with the weights
// Keras had after the same fit.
#include <gtest/gtest.h>

#include "fit_cases.hpp"

using namespace tessera;

namespace {

class FitFixture : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(FitFixture, WeightsMatchKerasAfterFit) {
  const fit_cases::Case c = fit_cases::read(GetParam());
  Sequential model = load_model(c.stem + ".h5");
  ASSERT_TRUE(model.compiled());
  // The comparison can fail: the weights before training are far from those after.
  EXPECT_GT(fit_cases::compare(model, c).worst, 1.0);
  const H5File data(c.stem + ".data.h5");
  FitOptions options;
  options.epochs = c.epochs;
  options.batch_size = c.batch_size;
  options.shuffle = false;
  options.verbose = 0;
  model.fit(data.read_tensor("x"), data.read_tensor("y"), options);
  fit_cases::expect_matches(model, c);
}

INSTANTIATE_TEST_SUITE_P(Public, FitFixture, ::testing::ValuesIn(fit_cases::names()),
                         [](const auto& info) { return info.param; });
