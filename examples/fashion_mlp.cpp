// A two-layer perceptron on Fashion-MNIST, written with tessera's tensor and autodiff core
// alone: the end-to-end check that the foundation trains a real model on real data.
#include <chrono>
#include <cstdio>
#include <iostream>

#include <boost/program_options.hpp>
#include <xtensor/xsort.hpp>
#include <xtensor/xview.hpp>

#include "core/activations.hpp"
#include "core/ops.hpp"
#include "core/random.hpp"
#include "io/idx.hpp"

namespace po = boost::program_options;
using namespace tessera;

namespace {

// Glorot-uniform weights, as Keras' Dense default.
Variable glorot(Generator& gen, std::size_t in, std::size_t out) {
  const float limit = std::sqrt(6.0f / float(in + out));
  return Variable(gen.uniform({in, out}, -limit, limit), true);
}

Tensor one_hot(const Tensor& labels, std::size_t classes) {
  Tensor t = zeros({labels.size(), classes});
  for (std::size_t i = 0; i < labels.size(); ++i) t(i, std::size_t(labels(i))) = 1.0f;
  return t;
}

struct Mlp {
  Variable w1, b1, w2, b2;
  Variable logits(const Variable& x) const {
    return add(matmul(relu(add(matmul(x, w1), b1)), w2), b2);
  }
  std::vector<Variable*> params() { return {&w1, &b1, &w2, &b2}; }
};

Tensor flat_rows(const Tensor& x, std::size_t begin, std::size_t end) {
  Tensor rows = xt::view(x, xt::range(begin, end));
  rows.reshape({end - begin, x.size() / x.shape(0)});
  return rows;
}

double accuracy(const Mlp& model, const Dataset& data) {
  NoGradGuard no_grad;
  std::size_t correct = 0;
  for (std::size_t at = 0; at < data.y.size(); at += 1000) {
    const std::size_t end = std::min(at + 1000, data.y.size());
    const Tensor logits = model.logits(Variable(flat_rows(data.x, at, end))).value();
    const auto predicted = xt::argmax(logits, 1);
    for (std::size_t i = 0; i < end - at; ++i) correct += predicted(i) == std::size_t(data.y(at + i));
  }
  return double(correct) / double(data.y.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t epochs, batch, hidden, limit;
  float lr;
  std::uint64_t seed;
  std::string data_dir;
  po::options_description opts("fashion_mlp: a 784-hidden-10 perceptron on Fashion-MNIST");
  opts.add_options()("help,h", "show this help")(
      "epochs", po::value(&epochs)->default_value(3), "passes over the training set")(
      "batch-size", po::value(&batch)->default_value(64), "samples per step")(
      "hidden", po::value(&hidden)->default_value(128), "hidden units")(
      "learning-rate", po::value(&lr)->default_value(0.1f), "SGD step size")(
      "limit", po::value(&limit)->default_value(0), "use only this many training samples (0: all)")(
      "seed", po::value(&seed)->default_value(42), "random seed")(
      "data-dir", po::value(&data_dir)->default_value(kFashionMnistDir), "Fashion-MNIST IDX files");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    if (vm.count("help")) {
      std::cout << opts << '\n';
      return 0;
    }
    po::notify(vm);
    if (batch == 0 || hidden == 0) throw po::error("--batch-size and --hidden must be positive");
  } catch (const po::error& e) {
    std::cerr << "fashion_mlp: error: " << e.what() << "\n" << opts << '\n';
    return 2;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    const Dataset train = load_fashion_mnist("train", limit, data_dir);
    const Dataset test = load_fashion_mnist("test", 0, data_dir);
    const std::size_t n = train.y.size(), features = train.x.size() / n;
    std::cout << "train " << shape_str(train.x) << ", test " << shape_str(test.x) << '\n';

    Generator gen(seed);
    Mlp model{glorot(gen, features, hidden), Variable(zeros({hidden}), true),
              glorot(gen, hidden, 10), Variable(zeros({10}), true)};
    for (std::size_t epoch = 1; epoch <= epochs; ++epoch) {
      const auto order = gen.permutation(n);
      double total_loss = 0.0;
      std::size_t steps = 0;
      for (std::size_t at = 0; at < n; at += batch, ++steps) {
        const std::size_t end = std::min(at + batch, n);
        Tensor xb = Tensor::from_shape({end - at, features});
        Tensor yb = Tensor::from_shape({end - at});
        for (std::size_t i = at; i < end; ++i) {
          std::copy_n(train.x.data() + order[i] * features, features, xb.data() + (i - at) * features);
          yb(i - at) = train.y(order[i]);
        }
        // Categorical cross-entropy through a fused log-softmax.
        Variable logp = log_softmax(model.logits(Variable(xb)));
        Variable loss = neg(mean(sum(mul(logp, Variable(one_hot(yb, 10))), {1})));
        for (auto* p : model.params()) p->zero_grad();
        loss.backward();
        for (auto* p : model.params()) p->value() -= lr * p->grad();
        total_loss += loss.value()();
      }
      std::printf("epoch %zu/%zu - loss %.4f - accuracy(test) %.4f\n", epoch, epochs,
                  total_loss / double(steps), accuracy(model, test));
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("test accuracy: %.4f\nwall time: %.1f s\n", accuracy(model, test), seconds);
  } catch (const std::exception& e) {
    std::cerr << "fashion_mlp: error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
