// What the Fashion-MNIST training examples share: their common options, the data, the demo's
// LocallyConnected2D network and its Conv2D twin, training with history and timing, the history
// files and the final report. Each program adds only its own options and story.
#pragma once

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "io/history.hpp"
#include "io/idx.hpp"
#include "layers/sequential.hpp"

namespace tessera::examples {

namespace po = boost::program_options;

// The options every example takes; the values a program sets before add_training_options are
// its defaults.
struct TrainingOptions {
  std::size_t epochs = 1;
  std::size_t batch_size = 32;
  float learning_rate = 0.001f;
  std::uint64_t seed = 42;
  std::size_t train_samples = 0;  // 0: all 60,000
  double validation_split = 0.1;
  std::string data_dir = kFashionMnistDir;
  std::string history;  // CSV path, "" for none
  std::string plot;     // .svg or .png path, "" for none
};

void add_training_options(po::options_description& opts, TrainingOptions& options);

// The size and LocallyConnected implementation of a program's networks.
struct NetworkOptions {
  std::size_t filters = 32;
  std::string implementation = "auto";
};
// --filters (described by `filters_help`) and --implementation of `layer` (1, 2, 3 or auto).
void add_network_options(po::options_description& opts, NetworkOptions& network,
                         const std::string& filters_help, const std::string& layer);

// Parses the command line into `opts`' bound values. Returns the exit status to stop with (0
// after printing --help, 2 after printing a usage error) or nothing to go on. A --plot path must
// end in .svg or .png and gnuplot must be installed: checked here, before any training.
std::optional<int> parse_command_line(const std::string& program, int argc, char** argv,
                                      po::options_description& opts,
                                      const TrainingOptions& options);

// Runs `body`, turning an exception into "<program>: error: <what>" and exit status 1.
int run_program(const std::string& program, const std::function<int()>& body);

struct FashionMnist {
  Tensor x_train, y_train;  // the first --train-samples images (all when 0)
  Tensor x_test, y_test;    // the 10,000 test images
};
// Loads and prints the shapes.
FashionMnist load_fashion(const TrainingOptions& options);

// The demo's network on 28×28×1 images: a Conv2D front (3×3, network.filters, ReLU) finds edges
// anywhere, 2×2 max pooling, then a 3×3 stage with strides 2 whose weights may differ at every
// position (kind "lc2d": LocallyConnected2D) or are shared (kind "conv2d": Conv2D), `filters`,
// ReLU, then Dense(10, softmax), with network.implementation for the LocallyConnected2D.
Sequential fashion_classifier(const std::string& kind, const NetworkOptions& network,
                              std::uint64_t seed);

// Adam(learning_rate), sparse categorical cross-entropy, accuracy.
void compile_classifier(Sequential& model, float learning_rate);


struct TrainingResult {
  Logs test;                  // loss and metrics on the test set
  double seconds_per_epoch;   // mean over the epochs (validation included)
  double samples_per_second;  // training samples per second of fitting
};
// Fits `model` with the options (holding out the last validation_split of the training data,
// Keras' validation_split), recording the epochs in `log` as run `name`, then evaluates it on
// the test set.
TrainingResult train_and_test(Sequential& model, const std::string& name, const FashionMnist& data,
                              const TrainingOptions& options, HistoryLog& log);

// Trains each model in turn with the same options (its summary first), then prints a table:
// model, parameters, seconds per epoch, training samples/s, test accuracy.
struct Contender {
  std::string name;
  Sequential model;
};
void compare(std::vector<Contender>& contenders, const FashionMnist& data,
             const TrainingOptions& options, HistoryLog& log);

// Writes the --history CSV and draws the --plot when asked, saying where.
void write_history_files(const HistoryLog& log, const TrainingOptions& options,
                         const std::string& title);

// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace tessera::examples
