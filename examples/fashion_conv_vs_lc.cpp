// The demo's network twice on the same budget (epochs, batch size, learning rate, seed): its
// second stage once a Conv2D (one kernel shared by all positions), once a LocallyConnected2D (a
// kernel per output position). Prints each summary and progress, then a table of parameters,
// seconds per epoch, throughput and test accuracy.
#include <iostream>

#include "examples/fashion_example.hpp"

using namespace tessera;
using namespace tessera::examples;

int main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  TrainingOptions options;
  options.epochs = 2;
  options.batch_size = 64;
  NetworkOptions network;
  po::options_description opts(
      "fashion_conv_vs_lc: Conv2D and LocallyConnected2D networks on Fashion-MNIST, side by side\n"
      "usage: fashion_conv_vs_lc [options]\noptions");
  add_training_options(opts, options);
  add_network_options(opts, network, "filters of both stages", "LocallyConnected2D");
  if (auto status = parse_command_line("fashion_conv_vs_lc", argc, argv, opts, options))
    return *status;

  return run_program("fashion_conv_vs_lc", [&] {
    const FashionMnist data = load_fashion(options);
    std::vector<Contender> contenders;
    contenders.push_back({"conv2d", fashion_classifier("conv2d", network, options.seed)});
    contenders.push_back({"lc2d", fashion_classifier("lc2d", network, options.seed)});
    HistoryLog log;
    compare(contenders, data, options, log);
    std::printf("wall time: %.1f s\n", seconds_since(start));
    write_history_files(log, options, "Conv2D vs LocallyConnected2D on Fashion-MNIST");
    return 0;
  });
}
