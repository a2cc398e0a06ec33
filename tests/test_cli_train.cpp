// `tessera fit` and `tessera evaluate` run as a user runs them: Keras' fit reproduced on the fit
// fixtures, a fine-tuning whose loss goes down and whose file reloads, and every error a
// one-line message with exit status 1 and no output file.
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test.hpp"
#include "fit_cases.hpp"
#include "io/progress.hpp"
#include "io/training_config.hpp"

using namespace tessera;

namespace {

// A whole-model file with `config`'s architecture and `weights`' weights.
void write_mismatched(const std::string& path, const Sequential& config, const Sequential& weights) {
  H5Writer w(path);
  w.write_string("/", "model_config", model_config(config).dump(), Charset::ascii);
  w.create_group("/model_weights");
  std::vector<std::string> names;
  for (const auto& l : weights.layers()) names.push_back(l->name());
  w.write_string_list("/model_weights", "layer_names", names);
  keras_files::write_layer_groups(w, "/model_weights", weights, ":0");
  w.commit();
}

Sequential dense_stack(const std::vector<std::size_t>& units) {
  Sequential model;
  for (auto u : units) model.add(std::make_shared<Dense>(u));
  model.build({4});
  return model;
}

// The loss `tessera evaluate` prints first.
double printed_loss(const Outcome& r) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(r.out, m, std::regex("^loss: ([-0-9.e+]+)"))) << r.out;
  return m.empty() ? 0.0 : std::stod(m[1]);
}

class CliFit : public Cli, public ::testing::WithParamInterface<std::string> {};

}  // namespace

TEST_P(CliFit, NoShuffleFitMatchesKeras) {
  const fit_cases::Case c = fit_cases::read(GetParam());
  const Outcome r = run("fit --model " + c.stem + ".h5 --data " + c.stem + ".data.h5 --epochs " +
                        std::to_string(c.epochs) + " --batch-size " + std::to_string(c.batch_size) +
                        " --no-shuffle --output " + file("out.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("Epoch " + std::to_string(c.epochs) + "/" + std::to_string(c.epochs)), std::string::npos) << r.out;
  const Sequential trained = load_model(file("out.h5"));
  fit_cases::expect_matches(trained, c);
  // The written file keeps the architecture (layer implementations included) and the compile.
  const Sequential original = load_model(c.stem + ".h5");
  EXPECT_EQ(model_config(trained), model_config(original));
  EXPECT_EQ(training_config(trained), training_config(original));
}

INSTANTIATE_TEST_SUITE_P(Public, CliFit, ::testing::ValuesIn(fit_cases::names()),
                         [](const auto& info) { return info.param; });

TEST_F(Cli, FineTuningLowersTheLossAndTheFileReloads) {
  // conv_pool_dense (a Keras fixture without training_config) on new one-hot targets.
  const std::string stem = keras_files::kData + "/conv_pool_dense";
  Tensor y = zeros({3, 10});
  for (std::size_t i = 0; i < 3; ++i) y(i, 3 * i + 1) = 1.0f;
  H5Writer d(file("d.h5"));
  d.write_tensor("images", H5File(stem + ".io.h5").read_tensor("x"));
  d.write_tensor("labels", y);
  d.commit();
  const std::string data = " --data " + file("d.h5") + " --x images --y labels";
  Outcome r = run("fit --model " + stem + ".h5" + data + " --epochs 1 --batch-size 2 --optimizer adam "
                  "--learning-rate 0.01 --loss categorical_crossentropy --seed 7 --output " + file("a.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  r = run("evaluate --model " + file("a.h5") + data);
  ASSERT_EQ(r.status, 0) << r.err;
  const double before = printed_loss(r);
  // Trained on with the optimizer and loss a.h5 recorded in its training_config.
  ASSERT_EQ(run("fit --model " + file("a.h5") + data + " --epochs 15 --batch-size 2 --seed 7 --output " + file("b.h5")).status, 0);
  r = run("evaluate --model " + file("b.h5") + data + " --batch-size 2");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_LT(printed_loss(r), 0.5 * before) << "before " << before << ", after: " << r.out;

  const Sequential tuned = load_model(file("b.h5"));
  EXPECT_EQ(tuned.optimizer().class_name(), "Adam");
  EXPECT_FLOAT_EQ(tuned.optimizer().learning_rate(), 0.01f);
  EXPECT_EQ(model_config(tuned), model_config(load_model(stem + ".h5")));
  r = run("predict --model " + file("b.h5") + " --input " + file("d.h5") + " --dataset images --output " + file("p.h5"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(H5File(file("p.h5")).read_tensor("y"), tuned.predict(H5File(file("d.h5")).read_tensor("images")));
}

TEST_F(Cli, EvaluatePrintsKerasNamesAndValues) {
  Sequential model = load_model(file("c.h5"));
  const H5File data(file("data.h5"));
  const Logs logs = model.evaluate(data.read_tensor("x"), data.read_tensor("y"), 4);
  const Outcome r = run("evaluate --model " + file("c.h5") + " --data " + file("data.h5") + " --batch-size 4");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "loss: " + format_log_value(logs.at("loss")) + " - mae: " + format_log_value(logs.at("mae")) + "\n");
}

TEST_F(Cli, FitFlagsOverrideTheTrainingConfig) {
  ASSERT_EQ(run("fit --model " + file("c.h5") + " --data " + file("data.h5") +
                " --epochs 2 --batch-size 3 --optimizer rmsprop --learning-rate 0.05 --loss mae "
                "--validation-split 0.3 --output " + file("out.h5")).status, 0);
  const Sequential out = load_model(file("out.h5"));
  EXPECT_EQ(out.optimizer().class_name(), "RMSprop");
  EXPECT_FLOAT_EQ(out.optimizer().learning_rate(), 0.05f);
  EXPECT_EQ(out.loss().name(), "mean_absolute_error");
  EXPECT_EQ(out.metric_names(), (std::vector<std::string>{"mae"}));  // kept from the file
  EXPECT_NE(out.get_weights(), load_model(file("c.h5")).get_weights());
}

TEST_F(Cli, FitAndEvaluateErrorsExitOneWithOneLineAndNoOutput) {
  std::ofstream(file("text.h5")) << "not HDF5";
  write_mismatched(file("shape.h5"), dense_stack({6, 3}), dense_stack({5, 3}));
  write_mismatched(file("count.h5"), dense_stack({5, 3, 2}), dense_stack({5, 3}));
  keras_files::write_config_only(file("units.h5"), R"({"class_name": "Sequential", "config": {"layers": [
      {"class_name": "Dense", "config": {"name": "d", "units": 0, "batch_input_shape": [null, 4]}}]}})");
  Tensor y = H5File(file("data.h5")).read_tensor("y");
  H5Writer bad(file("bad.h5"));
  bad.write_tensor("x", x_);
  bad.write_tensor("short", zeros({6, 3}));
  bad.write_tensor("wide", zeros({7, 5}));
  y(4, 1) = std::numeric_limits<float>::infinity();
  bad.write_tensor("inf", y);
  bad.commit();

  const std::string data = " --data " + file("data.h5");
  const std::string rest = " --epochs 1 --batch-size 2 --output " + file("y.h5");
  auto fit = [&](const std::string& model, const std::string& more = "") {
    return "fit --model " + file(model) + data + more + rest;
  };
  expect_failure(fit("none.h5"), "none.h5: no such file");
  expect_failure(fit("text.h5"), "text.h5: not an HDF5 file");
  expect_failure(fit("x.h5"), "not a Keras model file");
  expect_failure(fit("shape.h5"), "layer 'dense' (Dense) weight 'kernel' has shape (4, 6) but the file's 'dense/kernel:0' has shape (4, 5)");
  expect_failure(fit("count.h5"), "the file has weights for 2 layers (dense, dense_1) but model 'sequential' has 3 layers");
  expect_failure(fit("units.h5"), "cannot build model 'sequential': Dense 'd'");
  expect_failure("fit --model " + keras_files::kData + "/real-keras/keras-attention.h5" + data + rest, "unsupported layer 'Attention'");
  expect_failure(fit("m.h5"), "m.h5 has no training_config (saved before compile): give --optimizer and --loss");
  expect_failure(fit("c.h5", " --y nothing"), "no dataset 'nothing'");
  const std::string bad_data = " --data " + file("bad.h5");
  expect_failure("fit --model " + file("c.h5") + bad_data + " --y short" + rest,
                 "bad.h5: fit: x of shape (7, 4) and y of shape (6, 3) must have the same number of samples");
  expect_failure("fit --model " + file("c.h5") + bad_data + " --y wide" + rest,
                 "bad.h5: mean_squared_error: targets of shape (2, 5) do not match predictions of shape (2, 3)");
  expect_failure("fit --model " + file("c.h5") + bad_data + " --y inf" + rest,
                 "bad.h5 dataset 'inf' contains inf at index (4, 1); pass --allow-nan to use it anyway");
  expect_failure("fit --model " + file("c.h5") + bad_data + " --y inf --allow-nan --no-shuffle" + rest,
                 "TerminateOnNaN: loss became inf at epoch 1, step 3; training stopped; " + file("y.h5") + " not written");
  expect_failure("fit --model " + file("c.h5") + data + " --epochs 1 --batch-size 2 --output " + file("no/dir/y.h5"),
                 "no such directory");
  expect_failure("evaluate --model " + file("m.h5") + data, "m.h5 has no training_config");
  expect_failure("evaluate --model " + file("c.h5") + bad_data + " --y wide", "bad.h5: mean_squared_error: targets");
}

TEST_F(Cli, FitAndEvaluateUsageErrorsExitTwo) {
  const std::string base = "fit --model m.h5 --data d.h5 --output o.h5";
  for (const std::string& args : {base, base + " --epochs 1", base + " --epochs 0 --batch-size 2",
                                 base + " --epochs 1 --batch-size 2 --validation-split 1",
                                 base + " --epochs 1 --batch-size 2 --optimizer nesterov",
                                 base + " --epochs 1 --batch-size 2 --loss fancy",
                                 base + " --epochs 1 --batch-size 2 --learning-rate -1",
                                 std::string("evaluate --model m.h5"), std::string("evaluate --model m.h5 --data d.h5 --batch-size 0")}) {
    const Outcome r = run(args);
    EXPECT_EQ(r.status, 2) << args << '\n' << r.err;
    EXPECT_EQ(r.err.rfind("tessera: error: ", 0), 0u) << r.err;
  }
  for (const std::string command : {"fit", "evaluate"}) {
    const Outcome r = run(command + " --help");
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out.rfind("usage: tessera " + command + " --model M.h5 --data D.h5", 0), 0u) << r.out;
  }
}
