// Loads a model saved by Keras (by default tests/data/conv_pool_dense.h5, written by Keras 2.15:
// Conv2D → MaxPooling2D → LocallyConnected2D → Dense(10, softmax) on 12×12×1), checks it
// reproduces the outputs Keras computed (the fixture's .io.h5), evaluates it on Fashion-MNIST
// shrunk to its input size, fine-tunes it, saves it back as a Keras .h5 and reloads that file.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <xtensor/xview.hpp>

#include "examples/fashion_example.hpp"
#include "io/hdf5.hpp"
#include "io/keras_model.hpp"

using namespace tessera;
using namespace tessera::examples;

namespace {

// Each (N, 28, 28, 1) image averaged over the boxes of a rows × cols grid → (N, rows, cols, 1).
Tensor shrink_images(const Tensor& images, std::size_t rows, std::size_t cols) {
  const std::size_t n = images.shape(0), side = 28;
  Tensor out = zeros({n, rows, cols, 1});
  auto box = [&](std::size_t i, std::size_t parts) {  // [first, last) input pixels of part i
    return std::pair{i * side / parts, ((i + 1) * side + parts - 1) / parts};
  };
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) {
        const auto [r0, r1] = box(r, rows);
        const auto [c0, c1] = box(c, cols);
        float sum = 0.0f;
        for (std::size_t i = r0; i < r1; ++i)
          for (std::size_t j = c0; j < c1; ++j) sum += images(s, i, j, 0);
        out(s, r, c, 0) = sum / float((r1 - r0) * (c1 - c0));
      }
  return out;
}

// The file of Keras' inputs and outputs next to a fixture: m.h5 → m.io.h5.
std::string reference_file(const std::string& model_path) {
  std::filesystem::path p(model_path);
  return (p.parent_path() / (p.stem().string() + ".io.h5")).string();
}

float max_difference(const Tensor& a, const Tensor& b) {
  return a.size() ? xt::amax(xt::abs(a - b))() : 0.0f;
}

// The model must take (rows, cols, 1) images of at most 28×28 and give 10 class scores.
void check_fits_fashion(const Sequential& model) {
  const Shape in = model.input_shape(), out = model.output_shape();
  if (in.size() != 3 || in[2] != 1 || in[0] > 28 || in[1] > 28 || out != Shape{10})
    throw std::runtime_error(
        "the model takes " + shape_str(in) + " and gives " + shape_str(out) +
        "; fine-tuning on Fashion-MNIST needs (rows ≤ 28, cols ≤ 28, 1) → (10)");
}

}  // namespace

int main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  TrainingOptions options;
  options.epochs = 2;
  options.batch_size = 64;
  options.learning_rate = 0.003f;
  std::string model_path = TESSERA_FINETUNE_MODEL, output = "finetuned.h5";
  po::options_description opts(
      "keras_finetune: load a Keras .h5 classifier, evaluate it on Fashion-MNIST, fine-tune it, "
      "save it back\nusage: keras_finetune [options]\noptions");
  add_training_options(opts, options);
  opts.add_options()("model", po::value(&model_path)->default_value(model_path),
                     "a Keras .h5 model taking (rows, cols, 1) images and giving 10 classes")(
      "output", po::value(&output)->default_value(output), "the fine-tuned model (Keras .h5)");
  if (auto status = parse_command_line("keras_finetune", argc, argv, opts, options)) return *status;

  return run_program("keras_finetune", [&] {
    Sequential model = load_model(model_path);
    std::cout << "loaded " << model_path << "\n" << model.summary() << '\n';
    if (const std::string io = reference_file(model_path); std::filesystem::exists(io)) {
      H5File reference(io);
      const Tensor y = model.predict(reference.read_tensor("x"));
      std::printf("Keras' outputs in %s reproduced: max |difference| %.2g\n", io.c_str(),
                  max_difference(y, reference.read_tensor("y")));
    }
    check_fits_fashion(model);

    FashionMnist data = load_fashion(options);
    const Shape in = model.input_shape();
    data.x_train = shrink_images(data.x_train, in[0], in[1]);
    data.x_test = shrink_images(data.x_test, in[0], in[1]);
    std::cout << "images shrunk to " << shape_str(in) << " (box averages)\n";

    compile_classifier(model, options.learning_rate);
    const Logs before = model.evaluate(data.x_test, data.y_test, 256);
    std::printf("before fine-tuning: test loss %.4f, test accuracy %.4f\n", before.at("loss"),
                before.at("accuracy"));
    HistoryLog log;
    const TrainingResult result = train_and_test(model, "finetune", data, options, log);
    std::printf("test loss: %.4f\ntest accuracy: %.4f\n", result.test.at("loss"),
                result.test.at("accuracy"));

    save_model(model, output);  // with its training_config: the model is compiled
    const std::size_t check = std::min<std::size_t>(256, data.x_test.shape(0));
    const Tensor sample = xt::view(data.x_test, xt::range(0, check));
    std::printf("saved: %s (reloaded: predictions differ by at most %.2g)\n", output.c_str(),
                max_difference(load_model(output).predict(sample), model.predict(sample)));
    std::printf("wall time: %.1f s\n", seconds_since(start));
    write_history_files(log, options,
                        "Fine-tuning " + std::filesystem::path(model_path).filename().string());
    return 0;
  });
}
