// Keras' training loop: batches, reductions, validation, callbacks, regularizers, constraints.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <xtensor/xio.hpp>
#include <xtensor/xview.hpp>

#include "core/ops.hpp"
#include "layers/conv2d.hpp"
#include "layers/dense.hpp"
#include "layers/flatten.hpp"
#include "layers/locally_connected2d.hpp"
#include "layers/sequential.hpp"

using namespace tessera;

namespace {

struct Data {
  Tensor x, y;
};

Data linear_data(std::size_t n, std::uint64_t seed = 11) {
  Generator gen(seed);
  Data d{gen.uniform({n, 3}, -1, 1), Tensor()};
  const Tensor w = {{0.5f, -1.0f}, {2.0f, 0.3f}, {-0.7f, 0.9f}};
  d.y = matmul(d.x, w);
  return d;
}

Sequential dense_model(std::uint64_t seed, KernelOptions options = {}) {
  Sequential model("m", seed);
  model.add(std::make_shared<Dense>(2, std::move(options)));
  model.build({3});
  return model;
}

// Rows [begin, end) of t.
Tensor rows(const Tensor& t, std::size_t begin, std::size_t end) {
  Tensor out = xt::view(t, xt::range(begin, end));
  return out;
}

}  // namespace

TEST(Training, FitMatchesAHandWrittenSgdLoopWithAPartialLastBatch) {
  const Data d = linear_data(10);
  Sequential model = dense_model(3);
  Tensor w = model.get_weights()[0], b = model.get_weights()[1];
  model.compile("sgd", "mse");
  FitOptions options;
  options.batch_size = 4;
  options.epochs = 2;
  options.shuffle = false;
  options.verbose = 0;
  model.fit(d.x, d.y, options);
  EXPECT_EQ(model.optimizer().iterations(), 6);  // 4 + 4 + 2, twice
  // Independent: y = xW + b, L = mean((y − t)²) over batch and units, dL/dy = 2(y − t)/(B·U).
  for (int epoch = 0; epoch < 2; ++epoch)
    for (std::size_t at = 0; at < 10; at += 4) {
      const std::size_t end = std::min<std::size_t>(10, at + 4);
      const Tensor xb = rows(d.x, at, end), yb = rows(d.y, at, end);
      const Tensor dy = 2.0f * (matmul(xb, w) + b - yb) / float((end - at) * 2);
      const Tensor dw = matmul(xb, dy, true, false);
      const Tensor db = xt::sum(dy, {0});
      w -= 0.01f * dw;  // Keras' SGD default learning rate
      b -= 0.01f * db;
    }
  EXPECT_TRUE(xt::allclose(model.get_weights()[0], w, 1e-5, 1e-6)) << model.get_weights()[0] << w;
  EXPECT_TRUE(xt::allclose(model.get_weights()[1], b, 1e-5, 1e-6));
}

TEST(Training, ValidationSplitTakesTheLastSamplesBeforeShuffling) {
  const Data d = linear_data(10);
  Sequential model = dense_model(3);
  model.compile("adam", "mse", {"mae"});
  FitOptions options;
  options.batch_size = 4;
  options.validation_split = 0.2;
  options.verbose = 0;
  const History h = model.fit(d.x, d.y, options);
  EXPECT_EQ(model.optimizer().iterations(), 2);  // 8 training samples
  const Logs val = model.evaluate(rows(d.x, 8, 10), rows(d.y, 8, 10));
  EXPECT_NEAR(h.history.at("val_loss").back(), val.at("loss"), 1e-6);
  EXPECT_NEAR(h.history.at("val_mae").back(), val.at("mae"), 1e-6);
  EXPECT_EQ(h.history.at("mae").size(), 1u);
}

TEST(Training, SeededShuffleIsReproducible) {
  const Data d = linear_data(20);
  auto run = [&](std::uint64_t seed) {
    Sequential model = dense_model(5);
    model.set_seed(seed);
    model.compile("sgd", "mse");
    FitOptions options;
    options.batch_size = 3;
    options.epochs = 2;
    options.verbose = 0;
    model.fit(d.x, d.y, options);
    return model.get_weights()[0];
  };
  EXPECT_EQ(run(1), run(1));
  EXPECT_NE(run(1), run(2));
}

// Layers large enough to share their work among threads (Conv2D's samples, LocallyConnected2D's
// positions) must still train to the same weights on every run: Conv2D's threads each sum
// gradients into their own buffer, so which samples a thread gets must not vary from run to run;
// LocallyConnected2D hands out chunks of positions to whichever thread is free, so its input
// gradient must be summed per chunk, not per thread.
TEST(Training, ThreadedConvAndLocallyConnectedTrainingIsReproducible) {
  Generator gen(21);
  const Tensor x = gen.uniform({32, 14, 14, 2}, -1, 1);
  Tensor y = zeros({32});
  for (std::size_t i = 0; i < 32; ++i) y(i) = float(i % 3);
  auto run = [&] {
    Sequential model("threaded", 5);
    model.add(std::make_shared<Conv2D>(8, std::vector<long>{3, 3}, ConvOptions{},
                                       KernelOptions{.activation = "relu"}));
    model.add(std::make_shared<LocallyConnected2D>(16, LcSizes{3, 3}, LocallyConnectedOptions{},
                                                   KernelOptions{.activation = "relu"}));
    model.add(std::make_shared<Flatten>());
    model.add(std::make_shared<Dense>(3));
    model.build({14, 14, 2});
    model.compile("adam", "sparse_categorical_crossentropy");
    FitOptions options;
    options.batch_size = 16;
    options.epochs = 3;
    options.verbose = 0;
    model.fit(x, y, options);
    return model.get_weights();
  };
  const auto first = run();
  for (int again = 0; again < 3; ++again) EXPECT_EQ(run(), first);
}

TEST(Training, LossAddsRegularizersAndConstraintsHoldAfterEachStep) {
  const Data d = linear_data(6);
  Sequential model = dense_model(3, {.kernel_regularizer = l2_regularizer(0.1f),
                                     .kernel_constraint = non_neg_constraint()});
  const Tensor w = model.get_weights()[0], b = model.get_weights()[1];
  model.compile("sgd", "mse");
  const double expected_loss =
      xt::mean(xt::square(matmul(d.x, w) + b - d.y))() + 0.1 * xt::sum(xt::square(w))();
  const Logs logs = model.train_on_batch(d.x, d.y);
  EXPECT_NEAR(logs.at("loss"), expected_loss, 1e-5);
  EXPECT_GE(xt::amin(model.get_weights()[0])(), 0.0f);
  EXPECT_NEAR(model.evaluate(d.x, d.y).at("loss"),
              xt::mean(xt::square(model.predict(d.x) - d.y))() +
                  0.1 * xt::sum(xt::square(model.get_weights()[0]))(),
              1e-5);
}

TEST(Training, EarlyStoppingRestoresTheBestWeights) {
  const Data d = linear_data(16);
  Sequential model = dense_model(3);
  model.compile(get_optimizer("sgd"), mean_squared_error());
  // A learning rate that explodes from the third epoch on makes epoch 2 the best.
  struct Recorder : Callback {
    std::vector<std::vector<Tensor>> weights;
    void on_epoch_end(Sequential& m, std::size_t, const Logs&) override { weights.push_back(m.get_weights()); }
  };
  auto recorder = std::make_shared<Recorder>();
  auto stopper = std::make_shared<EarlyStopping>(
      EarlyStoppingOptions{.monitor = "loss", .patience = 2, .restore_best_weights = true});
  FitOptions options;
  options.epochs = 20;
  options.batch_size = 16;
  options.verbose = 0;
  options.callbacks = {recorder,
                       std::make_shared<LearningRateScheduler>([](std::size_t e, float) { return e < 2 ? 0.1f : 50.0f; }),
                       stopper};
  const History h = model.fit(d.x, d.y, options);
  EXPECT_EQ(h.epochs.size(), 5u);  // best at epoch index 2 (its loss is from weights after epoch 1)
  EXPECT_GT(stopper->stopped_epoch(), 0u);
  EXPECT_EQ(model.get_weights(), recorder->weights[stopper->best_epoch()]);
}

TEST(Training, TerminateOnNaNNamesTheEpochAndStep) {
  Data d = linear_data(8);
  d.y(5, 0) = std::numeric_limits<float>::infinity();
  Sequential model = dense_model(3);
  model.compile("sgd", "mse");
  auto guard = std::make_shared<TerminateOnNaN>();
  FitOptions options;
  options.batch_size = 2;
  options.epochs = 3;
  options.shuffle = false;
  options.verbose = 0;
  options.callbacks = {guard};
  options.allow_nan = true;  // fit would refuse the inf in y before training; this is about the callback
  model.fit(d.x, d.y, options);
  EXPECT_EQ(model.optimizer().iterations(), 3);
  EXPECT_NE(guard->message().find("epoch 1, step 3"), std::string::npos) << guard->message();
}

TEST(Training, CsvLoggerWritesOneRowPerEpoch) {
  const Data d = linear_data(8);
  Sequential model = dense_model(3);
  model.compile("sgd", "mse", {"mae"});
  const auto path = std::filesystem::temp_directory_path() / "tessera_history.csv";
  FitOptions options;
  options.epochs = 3;
  options.verbose = 0;
  options.callbacks = {std::make_shared<CSVLogger>(path.string())};
  model.fit(d.x, d.y, options);
  std::ifstream in(path);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "epoch,loss,mae");
  int n = 0;
  while (std::getline(in, line)) ++n;
  EXPECT_EQ(n, 3);
  std::filesystem::remove(path);
}

TEST(Training, ReduceLROnPlateauCutsTheRate) {
  const Data d = linear_data(8);
  Sequential model = dense_model(3);
  model.compile("sgd", "mse");
  model.optimizer().set_learning_rate(1e-9f);  // next to no progress: a plateau
  FitOptions options;
  options.epochs = 4;
  options.verbose = 0;
  options.callbacks = {std::make_shared<ReduceLROnPlateau>(
      ReduceLROnPlateauOptions{.monitor = "loss", .factor = 0.5f, .patience = 1, .min_delta = 1.0f})};
  model.fit(d.x, d.y, options);
  EXPECT_LT(model.optimizer().learning_rate(), 1e-9f * 0.5f * 0.5f * 1.01f);
}

TEST(Training, ErrorsNameShapesAndMissingCompile) {
  const Data d = linear_data(4);
  Sequential model = dense_model(3);
  EXPECT_THROW(model.fit(d.x, d.y), std::logic_error);
  model.compile("sgd", "mse");
  EXPECT_THROW(model.fit(d.x, rows(d.y, 0, 3)), ShapeError);
  EXPECT_THROW(model.fit(zeros({4, 5}), d.y), ShapeError);
  FitOptions bad;
  bad.validation_split = 1.0;
  EXPECT_THROW(model.fit(d.x, d.y, bad), std::invalid_argument);
  EXPECT_THROW(model.compile("sgd", "mse", {"f1"}), std::invalid_argument);
}

TEST(Training, SummaryOfTheSeedExamplePrintsKerasNumbers) {
  Sequential model;
  model.add(std::make_shared<LocallyConnected2D>(64, LcSizes{3, 3}));
  model.add(std::make_shared<LocallyConnected2D>(32, LcSizes{3, 3}));
  model.build({32, 32, 3});
  const std::string s = model.summary();
  EXPECT_NE(s.find("locally_connected2d (Locally (None, 30, 30, 64)        1612800\nConnected2D)\n"),
            std::string::npos) << s;
  EXPECT_NE(s.find("(None, 28, 28, 32)"), std::string::npos) << s;
  const std::size_t second = 28 * 28 * (3 * 3 * 64 * 32) + 28 * 28 * 32;
  EXPECT_NE(s.find("Total params: " + thousands(1612800 + second)), std::string::npos) << s;
}
