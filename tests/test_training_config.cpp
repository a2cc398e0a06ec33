// training_config: the forms Keras writes compile a model (as load_model(compile=True)), a
// compiled model saves one that loads back the same, ModelCheckpoint saves whole models, and
// what cannot be compiled is a one-line error naming the file and the value.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/hdf5.hpp"
#include "io/keras_model.hpp"
#include "io/training_config.hpp"
#include "keras_files.hpp"
#include "layers/activation.hpp"
#include "layers/dense.hpp"
#include "temp_dir.hpp"

using namespace tessera;

namespace {

using TrainingConfig = TempDirTest;

Sequential mlp() {
  Sequential model("mlp", 3);
  model.add(std::make_shared<Dense>(5, KernelOptions{.activation = "relu"}));
  model.add(std::make_shared<Dense>(3, KernelOptions{.activation = "softmax"}));
  model.build({4});
  return model;
}

Sequential compiled(const char* training_config) {
  Sequential model = mlp();
  compile_from_training_config(model, Json::parse(training_config));
  return model;
}

// A whole-model file of a model without weights, with this text as its training_config.
void write_with_training_config(const std::string& path, const std::string& training_config) {
  Sequential model("relu");
  model.add(std::make_shared<Activation>("relu"));
  model.build({4});
  keras_files::write_config_only(path, model_config(model).dump(), training_config);
}

}  // namespace

TEST_F(TrainingConfig, CompilesEveryFormKerasWrites) {
  // Keras 2.15: metrics as per-output lists of metric objects, a new optimizer.
  const Sequential keras215 = compiled(R"({"loss": "categorical_crossentropy",
      "metrics": [[{"class_name": "MeanMetricWrapper", "config": {"name": "accuracy", "dtype": "float32",
                    "fn": "categorical_accuracy"}}]], "weighted_metrics": null, "loss_weights": null,
      "optimizer_config": {"class_name": "Custom>Adam", "config": {"name": "Adam", "learning_rate": 0.005,
                           "is_legacy_optimizer": false, "amsgrad": true}}})");
  EXPECT_EQ(keras215.optimizer().class_name(), "Adam");
  EXPECT_FLOAT_EQ(keras215.optimizer().learning_rate(), 0.005f);
  EXPECT_EQ(keras215.optimizer().get_config()["amsgrad"], true);
  EXPECT_EQ(keras215.loss().name(), "categorical_crossentropy");
  EXPECT_EQ(keras215.metric_names(), (std::vector<std::string>{"accuracy"}));
  // Keras 2.3: legacy lr and decay, sample_weight_mode, plain metric names, weighted metrics.
  const Sequential keras23 = compiled(R"({"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.02,
      "momentum": 0.9, "decay": 0.001, "nesterov": true}}, "loss": "mse", "metrics": ["mae"],
      "weighted_metrics": ["acc"], "sample_weight_mode": null, "loss_weights": [1.0]})");
  EXPECT_FLOAT_EQ(keras23.optimizer().learning_rate(), 0.02f);
  EXPECT_FLOAT_EQ(keras23.optimizer().decay, 0.001f);
  EXPECT_EQ(keras23.optimizer().get_config()["nesterov"], true);
  EXPECT_EQ(keras23.loss().name(), "mean_squared_error");
  EXPECT_EQ(keras23.metric_names(), (std::vector<std::string>{"mae", "acc"}));
  // A loss object (with its config) and per-output dicts of one output.
  const Sequential object = compiled(R"({"loss": {"output": {"module": "keras.losses",
      "class_name": "CategoricalCrossentropy", "config": {"reduction": "auto", "name": "categorical_crossentropy",
      "from_logits": true, "label_smoothing": 0.1, "axis": -1}, "registered_name": null}},
      "metrics": {"output": ["categorical_accuracy"]}, "optimizer_config": {"class_name": "RMSprop", "config": {}}})");
  EXPECT_EQ(object.loss().get_config()["from_logits"], true);
  EXPECT_FLOAT_EQ(object.loss().get_config()["label_smoothing"], 0.1f);
  EXPECT_EQ(object.metric_names(), (std::vector<std::string>{"categorical_accuracy"}));
  // Functions in Keras 2.13+'s serialization.
  const Sequential functions = compiled(R"({"loss": {"module": "keras.losses", "class_name": "function",
      "config": "huber_loss", "registered_name": "huber_loss"}, "metrics": [{"module": "keras.metrics",
      "class_name": "function", "config": "mse", "registered_name": "mse"}],
      "optimizer_config": {"class_name": "SGD", "config": {"is_legacy_optimizer": false}}})");
  EXPECT_EQ(functions.loss().name(), "huber_loss");
  EXPECT_EQ(functions.metric_names(), (std::vector<std::string>{"mse"}));
}

TEST_F(TrainingConfig, ACompiledModelSavesItAndLoadsBackCompiled) {
  Sequential model = mlp();
  auto adam = get_optimizer("adam");
  adam->set_learning_rate(0.02f);
  model.compile(adam, categorical_crossentropy(true, 0.2f), {"accuracy", "mae"});
  save_model(model, file("m.h5"));
  const Json written = Json::parse(H5File(file("m.h5")).read_string("/", "training_config"));
  EXPECT_EQ(written, training_config(model));
  EXPECT_EQ(written["loss"]["class_name"], "CategoricalCrossentropy");  // not the default: the object
  const Sequential loaded = load_model(file("m.h5"));
  ASSERT_TRUE(loaded.compiled());
  EXPECT_EQ(training_config(loaded), written);
  EXPECT_FALSE(load_model(file("m.h5"), false).compiled());

  model.compile("sgd", "mse");  // a default loss is written as its name, as Keras does
  EXPECT_EQ(training_config(model)["loss"], "mean_squared_error");
  EXPECT_EQ(training_config(model)["metrics"], nullptr);
  save_model(mlp(), file("plain.h5"));  // not compiled: no training_config
  EXPECT_FALSE(H5File(file("plain.h5")).has_attribute("/", "training_config"));
  EXPECT_FALSE(load_model(file("plain.h5")).compiled());
}

TEST_F(TrainingConfig, ModelCheckpointSavesWholeCompiledModels) {
  Sequential model = mlp();
  model.compile("adam", "categorical_crossentropy", {"accuracy"});
  const Tensor x = Generator(4).uniform({6, 4}, -1, 1);
  Tensor y = zeros({6, 3});
  for (std::size_t i = 0; i < 6; ++i) y(i, i % 3) = 1.0f;
  FitOptions options;
  options.epochs = 2;
  options.verbose = 0;
  options.callbacks = {model_checkpoint(file("ck_{epoch}.h5"))};
  model.fit(x, y, options);
  EXPECT_EQ(entries(), 2u);
  EXPECT_TRUE(std::filesystem::exists(file("ck_1.h5")));
  const Sequential last = load_model(file("ck_2.h5"));
  EXPECT_EQ(last.get_weights(), model.get_weights());
  EXPECT_EQ(training_config(last), training_config(model));
  EXPECT_NE(load_model(file("ck_1.h5")).get_weights(), model.get_weights());
}

TEST_F(TrainingConfig, WhatCannotCompileIsAOneLineErrorNamingFileAndValue) {
  const std::string adam = R"("optimizer_config": {"class_name": "Adam", "config": {}})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"loss": "fancy_loss", )" + adam + "}", "unknown loss 'fancy_loss'"},
      {R"({"loss": "mse", "metrics": ["auc"], )" + adam + "}", "unknown metric 'auc'"},
      {R"({"loss": "mse", "metrics": [{"class_name": "AUC", "config": {"name": "auc"}}], )" + adam + "}",
       "unsupported metric {\"class_name\":\"AUC\""},
      {R"({"loss": "mse", "optimizer_config": {"class_name": "Ftrl", "config": {}}})", "unknown optimizer 'Ftrl'"},
      {R"({"loss": "mse", "optimizer_config": {"class_name": "Adam", "config": {"beta_3": 1}}})", "unknown key 'beta_3'"},
      {R"({"loss": ["mse", "mae"], )" + adam + "}", "loss has 2 entries (one per output)"},
      {R"({"loss": {"class_name": "MeanSquaredError", "config": {"reduction": "sum"}}, )" + adam + "}",
       "reduction \"sum\" is not supported"},
      {R"({"loss": "mse", "loss_weights": [0.5], )" + adam + "}", "loss_weights [0.5] are not supported"},
      {R"({"loss": "mse"})", "has no optimizer_config"},
      {R"({"loss": "mse", )", "training_config is not valid JSON"},
  };
  for (const auto& [config, part] : cases) {
    SCOPED_TRACE(config);
    write_with_training_config(file("bad.h5"), config);
    try {
      load_model(file("bad.h5"));
      ADD_FAILURE() << "no error";
    } catch (const KerasFormatError& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
      EXPECT_EQ(msg.rfind(file("bad.h5") + ": ", 0), 0u) << msg;
      EXPECT_NE(msg.find(part), std::string::npos) << msg;
    }
  }
}
