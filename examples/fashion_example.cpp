#include "examples/fashion_example.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "layers/conv2d.hpp"
#include "layers/dense.hpp"
#include "layers/flatten.hpp"
#include "layers/locally_connected2d.hpp"
#include "layers/max_pooling2d.hpp"
#include "optim/adam.hpp"

namespace tessera::examples {

void add_training_options(po::options_description& opts, TrainingOptions& o) {
  opts.add_options()("help,h", "show this help")(
      "epochs", po::value(&o.epochs)->default_value(o.epochs), "passes over the training data")(
      "batch-size", po::value(&o.batch_size)->default_value(o.batch_size), "samples per step")(
      "learning-rate", po::value(&o.learning_rate)->default_value(o.learning_rate),
      "Adam's step size")("seed", po::value(&o.seed)->default_value(o.seed),
                          "seed of initial weights and shuffling")(
      "train-samples", po::value(&o.train_samples)->default_value(o.train_samples),
      "train on the first N training images (0: all 60,000)")(
      "validation-split", po::value(&o.validation_split)->default_value(o.validation_split),
      "fraction of the training data held out for validation (Keras' validation_split)")(
      "data-dir", po::value(&o.data_dir)->default_value(o.data_dir),
      "Fashion-MNIST IDX files (Debian package dataset-fashion-mnist)")(
      "history", po::value(&o.history), "write the per-epoch logs to this CSV file")(
      "plot", po::value(&o.plot), "draw loss and accuracy curves into this .svg or .png (gnuplot)");
}

void add_network_options(po::options_description& opts, NetworkOptions& network,
                         const std::string& filters_help, const std::string& layer) {
  opts.add_options()("filters", po::value(&network.filters)->default_value(network.filters),
                     filters_help.c_str())(
      "implementation", po::value(&network.implementation)->default_value(network.implementation),
      (layer + " implementation: 1, 2, 3 or auto (fastest per batch, stored as 1)").c_str());
}

std::optional<int> parse_command_line(const std::string& program, int argc, char** argv,
                                      po::options_description& opts, const TrainingOptions& o) {
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, opts), vm);
    if (vm.count("help")) {
      std::cout << opts << '\n';
      return 0;
    }
    po::notify(vm);
    if (o.epochs == 0 || o.batch_size == 0)
      throw po::error("--epochs and --batch-size must be positive");
    if (!(o.learning_rate > 0.0f)) throw po::error("--learning-rate must be positive");
    if (!(o.validation_split >= 0.0 && o.validation_split < 1.0))
      throw po::error("--validation-split must be in [0, 1)");
    if (!o.plot.empty()) check_plot_path(o.plot);
    // Output files are written after minutes of training: a missing folder must fail now.
    for (const char* key : {"output", "history", "plot"})
      if (vm.count(key))
        if (const auto folder = std::filesystem::path(vm[key].as<std::string>()).parent_path();
            !folder.empty() && !std::filesystem::is_directory(folder))
          throw po::error("--" + std::string(key) + ": no such directory '" + folder.string() + "'");
  } catch (const std::exception& e) {
    std::cerr << program << ": error: " << e.what() << "\n(" << program
              << " --help lists the options)\n";
    return 2;
  }
  return std::nullopt;
}

int run_program(const std::string& program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::cerr << program << ": error: " << e.what() << '\n';
    return 1;
  }
}

FashionMnist load_fashion(const TrainingOptions& o) {
  Dataset train = load_fashion_mnist("train", o.train_samples, o.data_dir);
  Dataset test = load_fashion_mnist("test", 0, o.data_dir);
  std::cout << "Fashion-MNIST from " << o.data_dir << ": train " << shape_str(train.x) << ", test "
            << shape_str(test.x) << '\n';
  return {std::move(train.x), std::move(train.y), std::move(test.x), std::move(test.y)};
}

Sequential fashion_classifier(const std::string& kind, const NetworkOptions& network,
                              std::uint64_t seed) {
  if (kind != "lc2d" && kind != "conv2d")
    throw std::invalid_argument("fashion_classifier: kind must be lc2d or conv2d, got " + kind);
  const KernelOptions relu{.activation = "relu"};
  Sequential model("fashion_" + kind, seed);
  model.add(
      std::make_shared<Conv2D>(network.filters, std::vector<long>{3, 3}, ConvOptions{}, relu));
  model.add(std::make_shared<MaxPooling2D>());
  // 'valid' padding: Keras' LocallyConnected2D with implementation 1 (what "auto" writes to the
  // file) supports nothing else, and the saved model must load in Keras.
  if (kind == "lc2d")
    model.add(std::make_shared<LocallyConnected2D>(
        long(network.filters), LcSizes{3, 3},
        LocallyConnectedOptions{.strides = 2, .implementation = network.implementation}, relu));
  else
    model.add(std::make_shared<Conv2D>(network.filters, std::vector<long>{3, 3},
                                       ConvOptions{.strides = {2}}, relu));
  model.add(std::make_shared<Flatten>());
  model.add(std::make_shared<Dense>(10, KernelOptions{.activation = "softmax"}));
  model.build({28, 28, 1});
  return model;
}

void compile_classifier(Sequential& model, float learning_rate) {
  model.compile(std::make_shared<Adam>(learning_rate), get_loss("sparse_categorical_crossentropy"),
                {"accuracy"});
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TrainingResult train_and_test(Sequential& model, const std::string& name, const FashionMnist& data,
                              const TrainingOptions& o, HistoryLog& log) {
  FitOptions fit{
      .batch_size = o.batch_size, .epochs = o.epochs, .validation_split = o.validation_split};
  fit.callbacks.push_back(std::make_shared<HistoryRecorder>(log, name));
  const auto start = std::chrono::steady_clock::now();
  model.fit(data.x_train, data.y_train, fit);
  const double seconds = seconds_since(start);
  const double trained = double(data.x_train.shape(0)) * (1.0 - o.validation_split);
  const std::size_t epochs = log.runs.back().epochs.size();
  return {model.evaluate(data.x_test, data.y_test, 256), seconds / double(epochs),
          trained * double(epochs) / seconds};
}

void compare(std::vector<Contender>& contenders, const FashionMnist& data, const TrainingOptions& o,
             HistoryLog& log) {
  std::vector<TrainingResult> results;
  for (auto& c : contenders) {
    std::cout << '\n' << c.name << ":\n" << c.model.summary() << '\n';
    compile_classifier(c.model, o.learning_rate);
    results.push_back(train_and_test(c.model, c.name, data, o, log));
  }
  std::printf("\n%-10s %12s %12s %12s %14s\n", "model", "params", "s/epoch", "samples/s",
              "test accuracy");
  for (std::size_t i = 0; i < contenders.size(); ++i)
    std::printf("%-10s %12s %12.1f %12.0f %14.4f\n", contenders[i].name.c_str(),
                thousands(contenders[i].model.count_params()).c_str(), results[i].seconds_per_epoch,
                results[i].samples_per_second, results[i].test.at("accuracy"));
}

void write_history_files(const HistoryLog& log, const TrainingOptions& o,
                         const std::string& title) {
  if (!o.history.empty()) {
    write_history_csv(log, o.history);
    std::cout << "history: " << o.history << '\n';
  }
  if (!o.plot.empty()) {
    plot_history(log, o.plot, title);
    std::cout << "plot: " << o.plot << '\n';
  }
}

}  // namespace tessera::examples
