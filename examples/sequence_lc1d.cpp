// LocallyConnected1D on sequences: each Fashion-MNIST image read as 28 steps (rows) of 28
// features (pixels of the row), so a step's weights may differ with its position in the image
// (the collar is at the top, the hem at the bottom). Compared with Conv1D on the same budget.
#include <iostream>

#include "examples/fashion_example.hpp"
#include "layers/conv1d.hpp"
#include "layers/dense.hpp"
#include "layers/flatten.hpp"
#include "layers/locally_connected1d.hpp"
#include "layers/max_pooling1d.hpp"

using namespace tessera;
using namespace tessera::examples;

namespace {

// Two 3-step stages of `kind` (lc1d or conv1d; network.filters, then twice as many; ReLU), each
// followed by max pooling over 2 steps, then Dense(10, softmax), on (28 steps, 28 features).
Sequential sequence_classifier(const std::string& kind, const NetworkOptions& network,
                               std::uint64_t seed) {
  auto stage = [&](std::size_t n) -> LayerPtr {
    const KernelOptions relu{.activation = "relu"};
    if (kind == "lc1d")
      return std::make_shared<LocallyConnected1D>(
          long(n), 3, LocallyConnectedOptions{.implementation = network.implementation}, relu);
    return std::make_shared<Conv1D>(n, std::vector<long>{3}, ConvOptions{}, relu);
  };
  Sequential model("sequence_" + kind, seed);
  model.add(stage(network.filters));
  model.add(std::make_shared<MaxPooling1D>());
  model.add(stage(2 * network.filters));
  model.add(std::make_shared<MaxPooling1D>());
  model.add(std::make_shared<Flatten>());
  model.add(std::make_shared<Dense>(10, KernelOptions{.activation = "softmax"}));
  model.build({28, 28});
  return model;
}

// (N, 28, 28, 1) images → (N, 28, 28) sequences of rows.
void as_sequences(Tensor& images) { images.reshape({images.shape(0), 28, 28}); }

}  // namespace

int main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  TrainingOptions options;
  options.epochs = 3;
  options.batch_size = 64;
  NetworkOptions network;
  po::options_description opts(
      "sequence_lc1d: LocallyConnected1D and Conv1D on Fashion-MNIST read as sequences of rows\n"
      "usage: sequence_lc1d [options]\noptions");
  add_training_options(opts, options);
  add_network_options(opts, network, "filters of the first stage (the second has twice as many)",
                      "LocallyConnected1D");

  if (auto status = parse_command_line("sequence_lc1d", argc, argv, opts, options)) return *status;

  return run_program("sequence_lc1d", [&] {
    FashionMnist data = load_fashion(options);
    as_sequences(data.x_train);
    as_sequences(data.x_test);
    std::cout << "as sequences: train " << shape_str(data.x_train) << ", test "
              << shape_str(data.x_test) << '\n';
    std::vector<Contender> contenders;
    contenders.push_back({"conv1d", sequence_classifier("conv1d", network, options.seed)});
    contenders.push_back({"lc1d", sequence_classifier("lc1d", network, options.seed)});
    HistoryLog log;
    compare(contenders, data, options, log);
    std::printf("wall time: %.1f s\n", seconds_since(start));
    write_history_files(log, options, "LocallyConnected1D vs Conv1D on Fashion-MNIST rows");
    return 0;
  });
}
