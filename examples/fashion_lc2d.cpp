// The default demo (scripts/demo): a Keras-style network whose main layer is LocallyConnected2D
// (a Conv2D front, then 3×3 windows with weights of their own at every position), trained on
// Fashion-MNIST with Adam. Prints the summary, a progress bar per epoch with validation metrics,
// `test accuracy: 0.XXXX` and the wall time, and saves the trained model as a Keras .h5.
#include <cstdio>
#include <iostream>

#include "examples/fashion_example.hpp"
#include "io/keras_model.hpp"

using namespace tessera;
using namespace tessera::examples;

int main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  TrainingOptions options;
  options.epochs = 3;
  options.batch_size = 64;
  NetworkOptions network;
  std::string output = "fashion_lc2d.h5";
  po::options_description opts(
      "fashion_lc2d: a LocallyConnected2D network on Fashion-MNIST (the demo)\n"
      "usage: fashion_lc2d [options]\noptions");
  add_training_options(opts, options);
  add_network_options(opts, network,
                      "filters of the Conv2D front and of the LocallyConnected2D layer",
                      "LocallyConnected2D");
  opts.add_options()("output", po::value(&output)->default_value(output),
                     "the trained model as a Keras .h5");
  if (auto status = parse_command_line("fashion_lc2d", argc, argv, opts, options)) return *status;

  return run_program("fashion_lc2d", [&] {
    const FashionMnist data = load_fashion(options);
    Sequential model = fashion_classifier("lc2d", network, options.seed);
    compile_classifier(model, options.learning_rate);
    std::cout << model.summary() << '\n';

    HistoryLog log;
    const TrainingResult result = train_and_test(model, "lc2d", data, options, log);
    save_model(model, output);  // with its training_config: the model is compiled
    std::printf("test loss: %.4f\ntest accuracy: %.4f\n", result.test.at("loss"),
                result.test.at("accuracy"));
    std::printf("wall time: %.1f s (%.1f s per epoch, %.0f training samples/s)\n",
                seconds_since(start), result.seconds_per_epoch, result.samples_per_second);
    std::cout << "saved: " << output << '\n';
    write_history_files(log, options, "LocallyConnected2D on Fashion-MNIST");
    return 0;
  });
}
