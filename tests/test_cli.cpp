// The `tessera` tool's model subcommands, run as a user runs them: exit status, one-line errors
// on stderr, and output files that appear whole or not at all.
#include <gtest/gtest.h>
#include <xtensor/xio.hpp>

#include "cli_test.hpp"

using namespace tessera;

using keras_files::kData;

TEST_F(Cli, PredictWritesTheOutputsAsDatasetY) {
  const Outcome r = run("predict --model " + file("m.h5") + " --input " + file("x.h5") +
                    " --dataset inputs/dense_input --output " + file("y.h5") + " --batch-size 3");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  H5File y(file("y.h5"));
  EXPECT_EQ(y.describe("y"), "float32 (7, 3)");
  EXPECT_TRUE(xt::allclose(y.read_tensor("y"), expected_, 1e-6, 1e-6)) << y.read_tensor("y") << expected_;
  // The default dataset is x; an existing output is replaced.
  ASSERT_EQ(run("predict --model " + file("m.h5") + " --input " + file("x.h5") + " --output " + file("y.h5")).status, 0);
  EXPECT_TRUE(xt::allclose(H5File(file("y.h5")).read_tensor("y"), expected_, 1e-6, 1e-6));
}

TEST_F(Cli, SummaryPrintsTheKerasTable) {
  const Outcome r = run("summary --model " + file("m.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Model: \"mlp\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dense_1 (Dense)              (None, 3)                 18"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Total params: 43"), std::string::npos) << r.out;
}

TEST_F(Cli, ErrorsExitOneWithOneLineAndNoOutput) {
  const std::string io = " --input " + file("x.h5") + " --output " + file("y.h5");
  expect_failure("predict --model " + file("none.h5") + io, "none.h5: no such file");
  expect_failure("predict --model " + file("x.h5") + io, "not a Keras model file");
  expect_failure("predict --model " + kData + "/real-keras/keras-attention.h5" + io, "unsupported layer 'Attention'");
  expect_failure("predict --model " + file("m.h5") + io + " --dataset nothing", "no dataset 'nothing'");
  expect_failure("predict --model " + file("m.h5") + io + " --dataset wide",
                 "dataset 'wide': Sequential 'mlp': expected input of shape (None, 4), got (7, 5)");
  expect_failure("predict --model " + file("m.h5") + " --input " + file("x.h5") + " --output " +
                     file("no/dir/y.h5"),
                 "no/dir/y.h5");
  expect_failure("summary --model " + file("none.h5"), "no such file");
}

TEST_F(Cli, UsageErrorsExitTwo) {
  for (const std::string args : {"predict --model m.h5 --input x.h5", "predict --model m.h5 --input x.h5 --output y.h5 --batch-size 0",
                                 "predict --model m.h5 --input x.h5 --output y.h5 --batch-size many", "summary", "summary --model a --bogus"}) {
    const Outcome r = run(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_EQ(r.err.rfind("tessera: error: ", 0), 0u) << r.err;
  }
  for (const std::string command : {"predict", "summary"}) {
    const Outcome r = run(command + " --help");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out.rfind("usage: tessera " + command, 0), 0u) << r.out;
  }
}

// The figures of issue 7's first case, worked out by hand: 2·32·900·27·64 FLOPs; bytes of x,
// kernel, bias and y once each; the bound is the memory time at 30 GB/s.
TEST_F(Cli, BenchPrintsTheFiguresAndThePathTaken) {
  const Outcome r = run("bench --layer lc2d --input 32x32x3 --filters 64 --kernel 3 --batch 32 --repeat 1");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const std::string part : {"LocallyConnected2D 32x32x3 -> 64, 3x3, implementation auto, batch 32, forward",
                                 "path:      1 (per-position products", "work:      0.100 GFLOP, 14.2 MB",
                                 "bound:     0.474 ms (memory-bound at 232 GFLOP/s, 30 GB/s)", "% of the bound",
                                 "MB peak resident"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << " in\n" << r.out;
  const Outcome step = run("bench --layer lc1d --input 10x4 --filters 16 --batch 2 --implementation 3 --backward --repeat 1");
  ASSERT_EQ(step.status, 0) << step.err;
  EXPECT_NE(step.out.find("path:      3 (declared implementation '3')"), std::string::npos) << step.out;
  EXPECT_NE(step.out.find("forward+backward"), std::string::npos) << step.out;
  for (const std::string args : {"bench --layer lc2d --input 3xz", "bench --layer conv3d --input 4x4x1",
                                 "bench --layer dense --input 8 --implementation 2", "bench --layer lc2d --input 4x4x1 --batch 0",
                                 "bench --layer lc2d --input 4x4x1 --kernel 5"}) {
    const Outcome bad = run(args);
    EXPECT_EQ(bad.status, 2) << args;
    EXPECT_EQ(bad.err.rfind("tessera: error: ", 0), 0u) << bad.err;
  }
  EXPECT_NE(run("bench --layer lc2d --input 4x4x1 --kernel 5").err.find("LocallyConnected2D 'lc2d': kernel_size (5, 5)"),
            std::string::npos);
}

namespace {

class CliFixtures : public Cli, public ::testing::WithParamInterface<std::string> {};

}  // namespace

TEST_P(CliFixtures, PredictMatchesTheExpectedOutputs) {
  const std::string stem = kData + "/" + GetParam();
  const std::string args = "predict --model " + stem + ".h5 --input " + stem + ".io.h5 --output " + file("y.h5");
  const auto missing = keras_files::missing_layers(stem + ".h5");
  if (!missing.empty()) return expect_failure(args, "unsupported layer '" + missing[0] + "'");
  const Outcome r = run(args);
  ASSERT_EQ(r.status, 0) << r.err;
  const Tensor y = H5File(file("y.h5")).read_tensor("y"), expected = H5File(stem + ".io.h5").read_tensor("y");
  ASSERT_EQ(shape_of(y), shape_of(expected));
  EXPECT_LE(xt::amax(xt::abs(y - expected))(), 1e-4f);
}

INSTANTIATE_TEST_SUITE_P(Public, CliFixtures, ::testing::ValuesIn(keras_files::fixtures()),
                         [](const auto& info) { return info.param; });
